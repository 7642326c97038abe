// A sample's haplotype sequences: the reference with its truth calls applied, for dwgsim to read.
import type { FastaRecord } from './formats.ts';
import { outsidePars, type SexChromosomes } from '../domain/ploidy.ts';
import {
  DEMO_SEX_CHROMOSOMES,
  UNCOVERED,
  overlaps,
  type Call,
  type Contig,
  type Interval,
  type SampleTruth,
  type Site,
} from './model.ts';

/**
 * Applies VCF-style variants to a sequence whose first base is at 1-based `offset`. Variants must
 * be sorted, non-overlapping and inside the sequence; REF must match.
 */
export function applyVariants(
  seq: string,
  variants: readonly Pick<Site, 'pos' | 'ref' | 'alt'>[],
  offset = 1,
): string {
  const parts: string[] = [];
  let cursor = 0; // 0-based index into seq of the first base not yet copied
  for (const v of variants) {
    const at = v.pos - offset;
    if (at < cursor || at + v.ref.length > seq.length) {
      throw new Error(`variant at ${v.pos} overlaps another or lies outside the sequence`);
    }
    if (seq.slice(at, at + v.ref.length) !== v.ref) throw new Error(`REF mismatch at ${v.pos}`);
    parts.push(seq.slice(cursor, at), v.alt);
    cursor = at + v.ref.length;
  }
  parts.push(seq.slice(cursor));
  return parts.join('');
}

/** `length`'s stretches outside the gaps on `name` (1-based, inclusive), in order. */
function piecesBetween(name: string, length: number, gaps: readonly Interval[]) {
  const own = gaps.filter((g) => g.contig === name).sort((a, b) => a.start - b.start);
  const pieces: { start: number; end: number }[] = [];
  let next = 1;
  for (const g of own) {
    if (g.start > next) pieces.push({ start: next, end: g.start - 1 });
    next = Math.max(next, g.end + 1);
  }
  if (next <= length) pieces.push({ start: next, end: length });
  return pieces;
}

/**
 * One haplotype (0 or 1) of a sample as FASTA records. A contig with gaps (stretches with no
 * reads) is written as the pieces between them, named `<contig>-1`, `<contig>-2`…, so no read
 * can come from a gap.
 */
export function haplotypeRecords(
  contigs: readonly Contig[],
  calls: readonly Call[],
  haplotype: 0 | 1,
  gaps: readonly Interval[],
): FastaRecord[] {
  return contigs.flatMap(({ name, seq }) => {
    const variants = calls
      .filter((c) => c.site.contig === name && c.haplotypes[haplotype] === 1)
      .map((c) => c.site);
    if (!gaps.some((g) => g.contig === name)) return [{ name, seq: applyVariants(seq, variants) }];
    for (const v of variants) {
      if (gaps.some((g) => overlaps(g, name, v.pos, v.pos + v.ref.length - 1))) {
        throw new Error(`variant ${v.id} lies in a stretch with no reads`);
      }
    }
    return piecesBetween(name, seq.length, gaps).map((p, i) => ({
      name: `${name}-${i + 1}`,
      seq: applyVariants(
        seq.slice(p.start - 1, p.end),
        variants.filter((v) => v.pos >= p.start && v.pos <= p.end),
        p.start,
      ),
    }));
  });
}

/**
 * A sample's two haplotypes as FASTA records, for the read simulators. Both lack the sample's
 * zero-coverage stretch and UNCOVERED. XX: two of every autosome and chrX, no chrY. XY: the
 * first has the autosomes, chrX and chrY; the second the autosomes and a copy of chrX's PARs
 * (standing for the Y's PARs, which the demo's chrY lacks), so the PARs get two copies' depth
 * and non-PAR X and Y one.
 */
export function sampleHaplotypes(
  contigs: readonly Contig[],
  sample: Pick<SampleTruth, 'calls' | 'zeroCoverage' | 'karyotype'>,
  sex: SexChromosomes = DEMO_SEX_CHROMOSOMES,
): [FastaRecord[], FastaRecord[]] {
  const gaps = [UNCOVERED, ...(sample.zeroCoverage ? [sample.zeroCoverage] : [])];
  const withoutY = contigs.filter((c) => c.name !== sex.y);
  if (sample.karyotype === 'XX') {
    return [
      haplotypeRecords(withoutY, sample.calls, 0, gaps),
      haplotypeRecords(withoutY, sample.calls, 1, gaps),
    ];
  }
  const x = contigs.find((c) => c.name === sex.x);
  const nonPar = x ? outsidePars(sex, x.name, x.seq.length) : [];
  const asIntervals = nonPar.map((r) => ({ contig: r.chrom, start: r.start, end: r.end }));
  const second = haplotypeRecords(withoutY, sample.calls, 1, [...gaps, ...asIntervals]);
  return [
    haplotypeRecords(contigs, sample.calls, 0, gaps),
    second.map((r) =>
      r.name.startsWith(`${sex.x}-`)
        ? { ...r, name: `${sex.y}_PAR${r.name.slice(sex.x.length)}` }
        : r,
    ),
  ];
}
