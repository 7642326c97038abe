/**
 * A variant as a reader writes it (`chrom-pos-ref-alt`, gnomAD's form) and as releases hold it:
 * biallelic, trimmed and left-aligned against the reference (what `bcftools norm -f` does), so
 * that `chr1-2192-TCC-TCCTCC` finds the release's `chr1-2191-T-TTCC` it is the same as.
 * A genomic window is `chrom:start-end`, 1-based and inclusive.
 */
import { UsageError } from '../errors.ts';

export interface Allele {
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
}

/** Reads `length` reference bases from 1-based `pos` (fewer at a sequence's end). */
export type ReferenceBases = (chrom: string, pos: number, length: number) => Promise<string>;

const BASES = /^[ACGTN]+$/;

export function parseVariantId(id: string): Allele {
  const match = /^([A-Za-z0-9_.]+)-(\d+)-([A-Za-z]+)-([A-Za-z,*<>]+)$/.exec(id);
  if (!match)
    throw new UsageError(
      `variant ${JSON.stringify(id)}: write it chrom-pos-ref-alt, e.g. chr1-5581-A-G`,
    );
  const [, chrom = '', posText = '', refText = '', altText = ''] = match;
  const ref = refText.toUpperCase();
  const alt = altText.toUpperCase();
  if (alt.includes(','))
    throw new UsageError(`variant ${id}: one alternate allele at a time (releases are biallelic)`);
  if (!BASES.test(ref) || !BASES.test(alt))
    throw new UsageError(`variant ${id}: alleles are bases (A, C, G, T, N), not symbolic alleles`);
  if (ref === alt) throw new UsageError(`variant ${id}: the alternate allele equals the reference`);
  const pos = Number(posText);
  if (!Number.isSafeInteger(pos) || pos < 1)
    throw new UsageError(`variant ${id}: ${posText} is not a 1-based position`);
  return { chrom, pos, ref, alt };
}

export function variantIdOf(a: Allele): string {
  return `${a.chrom}-${a.pos}-${a.ref}-${a.alt}`;
}

/**
 * Trims and left-aligns a biallelic variant, after checking its REF against the reference
 * (a mismatch usually means another reference build). Without a reference only trimming is
 * possible: the variant is trimmed on the right first, as normalisation does.
 */
export async function normalise(a: Allele, reference: ReferenceBases | null): Promise<Allele> {
  if (reference !== null) {
    const bases = (await reference(a.chrom, a.pos, a.ref.length)).toUpperCase();
    if (bases !== a.ref)
      throw new UsageError(
        `variant ${variantIdOf(a)}: REF ${a.ref} is not the reference's ${bases || '(nothing)'} at ${a.chrom}:${a.pos}; is it on another build?`,
      );
  }
  let { pos, ref, alt } = a;
  for (;;) {
    // Without a reference to extend with, an allele is never trimmed to nothing.
    const trimmable =
      reference !== null ? ref.length > 0 && alt.length > 0 : ref.length > 1 && alt.length > 1;
    if (trimmable && ref.at(-1) === alt.at(-1)) {
      ref = ref.slice(0, -1);
      alt = alt.slice(0, -1);
    } else if ((ref.length === 0 || alt.length === 0) && reference !== null && pos > 1) {
      const before = (await reference(a.chrom, pos - 1, 1)).toUpperCase();
      ref = before + ref;
      alt = before + alt;
      pos -= 1;
    } else break;
  }
  while (ref.length > 1 && alt.length > 1 && ref[0] === alt[0]) {
    ref = ref.slice(1);
    alt = alt.slice(1);
    pos += 1;
  }
  return { chrom: a.chrom, pos, ref, alt };
}

export interface Window {
  chrom: string;
  start: number;
  end: number;
}

export function parseWindow(text: string, maxBases: number): Window {
  const match = /^([A-Za-z0-9_.]+):(\d+)-(\d+)$/.exec(text.replaceAll(',', ''));
  if (!match)
    throw new UsageError(
      `region ${JSON.stringify(text)}: write it chrom:start-end, e.g. chr1:1-50000`,
    );
  const [, chrom = '', startText = '', endText = ''] = match;
  const start = Number(startText);
  const end = Number(endText);
  if (start < 1 || end < start)
    throw new UsageError(`region ${text}: start must be at least 1 and at most end`);
  if (end - start + 1 > maxBases)
    throw new UsageError(
      `region ${text}: ${end - start + 1} bases; a window holds at most ${maxBases}`,
    );
  return { chrom, start, end };
}
