/**
 * Beacon v2 positions and names against the release's (pure).
 *
 * Beacon v2 gives `start` 0-based and inclusive, `end` 0-based and exclusive (the genomicVariant
 * request parameters' own words), so a Beacon interval [start, end) is the 1-based, inclusive
 * window [start + 1, end] the lookup and VCF speak, and a Beacon `start` s names VCF POS s + 1.
 * Beacon's "trimmed" alleles (an empty `referenceBases` for an insertion, an empty
 * `alternateBases` for a deletion) start one base later than the VCF's, which keeps the base
 * before the event: an empty-allele query at Beacon `start` s is the VCF record at POS s whose
 * alleles, less that first base, are the ones asked.
 */
import { UsageError } from '../../errors.ts';

/** A 1-based, inclusive window, as the lookup and VCF count. */
export interface LookupWindow {
  chrom: string;
  start: number;
  end: number;
}

/** The VCF (1-based) position a Beacon (0-based) `start` names. */
export function lookupPosition(beaconStart: number): number {
  return beaconStart + 1;
}

/** The Beacon (0-based) `start` of a VCF (1-based) position. */
export function beaconStart(pos: number): number {
  return pos - 1;
}

/**
 * The lookup's window for a Beacon range [start, end) on `chrom`: [start + 1, end], refused when
 * empty or wider than `maxBases`.
 */
export function lookupWindow(
  chrom: string,
  start: number,
  end: number,
  maxBases: number,
): LookupWindow {
  if (end <= start)
    throw new UsageError(`end ${end} must be greater than start ${start} (end is exclusive)`);
  if (end - start > maxBases)
    throw new UsageError(
      `the range ${start}-${end} spans ${end - start} bases; a query may span at most ${maxBases}`,
    );
  return { chrom, start: lookupPosition(start), end };
}

/**
 * The release's name for a Beacon `referenceName`: the release's own name, or the name with or
 * without a `chr` prefix when the release has exactly that other spelling (`1` for `chr1`, `chr1`
 * for `1`). Anything else (a RefSeq accession the release does not use, another assembly's name)
 * is refused with the names the release has.
 */
export function resolveReferenceName(asked: string, sequences: readonly string[]): string {
  if (sequences.includes(asked)) return asked;
  const bare = asked.replace(/^chr/i, '');
  const candidates = sequences.filter(
    (name) => name.replace(/^chr/i, '') === bare && /^chr/i.test(name) !== /^chr/i.test(asked),
  );
  if (candidates.length === 1) return candidates[0]!;
  throw new UsageError(
    `referenceName ${JSON.stringify(asked)} is not a sequence of the release's reference (${sequences.join(', ')})`,
  );
}

/** Beacon's spellings of an empty allele. */
export function isEmptyAllele(bases: string): boolean {
  return bases === '' || bases === '-' || bases === '.';
}

/**
 * Whether a release allele is what a query's bases ask for: the same length, base by base the
 * same or `N` (Beacon's wildcard for any one base).
 */
export function basesMatch(asked: string, bases: string): boolean {
  if (asked.length !== bases.length) return false;
  for (let i = 0; i < asked.length; i++)
    if (asked[i] !== 'N' && asked[i] !== bases[i]) return false;
  return true;
}

/** The variant types this Beacon tells apart (all of its variants are sequence variants). */
export const VARIANT_TYPES = ['SNP', 'MNP', 'INS', 'DEL', 'INDEL'] as const;
export type VariantType = (typeof VARIANT_TYPES)[number];

/** A normalised, biallelic variant's type, from its VCF alleles. */
export function variantTypeOf(ref: string, alt: string): VariantType {
  if (ref.length === alt.length) return ref.length === 1 ? 'SNP' : 'MNP';
  const shorter = ref.length < alt.length ? ref : alt;
  const longer = ref.length < alt.length ? alt : ref;
  if (longer.startsWith(shorter)) return ref.length < alt.length ? 'INS' : 'DEL';
  return 'INDEL';
}

/** A release variant as the lookup gives it: 1-based position, VCF alleles. */
export interface SiteAlleles {
  pos: number;
  ref: string;
  alt: string;
}

/** What a query asks of the variants at one position or in a range. */
export interface AlleleFilter {
  referenceBases?: string | undefined;
  alternateBases?: string | undefined;
  variantType?: VariantType | undefined;
  /** The query gave trimmed alleles: compare them with the VCF alleles less their first base. */
  trimmed?: boolean;
}

/** Whether a release variant is one a query's alleles and type ask for. */
export function allelesMatch(filter: AlleleFilter, site: SiteAlleles): boolean {
  const { ref, alt } = site;
  if (filter.variantType !== undefined && variantTypeOf(ref, alt) !== filter.variantType)
    return false;
  if (filter.trimmed) {
    if (ref[0] !== alt[0]) return false;
    // An allele the query leaves out may be anything; an empty one is the VCF's first base alone.
    const matches = (asked: string | undefined, bases: string) =>
      asked === undefined || basesMatch(isEmptyAllele(asked) ? '' : asked, bases);
    return (
      matches(filter.referenceBases, ref.slice(1)) && matches(filter.alternateBases, alt.slice(1))
    );
  }
  if (filter.referenceBases !== undefined && !basesMatch(filter.referenceBases, ref)) return false;
  if (filter.alternateBases !== undefined && !basesMatch(filter.alternateBases, alt)) return false;
  return true;
}
