/**
 * One release VCF record as a lookup answers it (pure): the headline counts overall and per
 * region, the sex and quality strata where the release has them, under the reporting floor.
 *
 * Readers get the national strata only (XX, XY, hemizygous, raw), each under the floor, and the
 * regions under the floor with complementary suppression; the region × sex cross-tabulation is
 * for operators, since its margins could give a small cell back.
 */
import type { Counts, Privacy, Shown, Strata, VariantFound } from './answer.ts';
import { SUPPRESSED, suppressPartition, underFloor } from './privacy.ts';
import { linesIn, type OpenRelease } from './releases.ts';

export interface ReleaseRecord {
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  info: Map<string, number | null>;
}

export function parseRecord(line: string): ReleaseRecord {
  const [chrom = '', pos = '', , ref = '', alt = '', , , infoText = ''] = line.split('\t');
  const info = new Map<string, number | null>();
  for (const entry of infoText.split(';')) {
    const eq = entry.indexOf('=');
    if (eq < 0) continue;
    const value = entry.slice(eq + 1);
    info.set(entry.slice(0, eq), value === '.' ? null : Number(value));
  }
  return { chrom, pos: Number(pos), ref, alt, info };
}

/** The counts of a stratum (`` headline, `_raw`, `_XX`, …), overall or of a region. */
function countsOf(
  info: ReleaseRecord['info'],
  stratum: string,
  region: string | null,
): Counts | null {
  const field = (tag: string) => info.get(`${tag}${stratum}${region === null ? '' : `_${region}`}`);
  const AC = field('AC');
  const AN = field('AN');
  if (AC === undefined || AN === undefined || AC === null || AN === null) return null;
  const AF = field('AF');
  return { AC, AN, AF: AN === 0 ? null : (AF ?? AC / AN), nhomalt: field('nhomalt') ?? 0 };
}

function strataOf(info: ReleaseRecord['info'], region: string | null): Strata | undefined {
  const strata: Strata = {};
  const XX = countsOf(info, '_XX', region);
  const XY = countsOf(info, '_XY', region);
  const raw = countsOf(info, '_raw', region);
  const hemi = info.get(`AC_hemi${region === null ? '' : `_${region}`}`);
  if (XX) strata.XX = XX;
  if (XY) strata.XY = XY;
  if (hemi !== undefined && hemi !== null) strata.hemi = { AC: hemi };
  if (raw) strata.raw = raw;
  return Object.keys(strata).length > 0 ? strata : undefined;
}

/** The national strata as readers see them. */
function readersStrata(strata: Strata, overall: Counts, floor: number): Strata {
  const shown: Strata = {};
  const sex: Record<string, Counts> = {};
  if (strata.XX && 'AC' in strata.XX) sex.XX = strata.XX;
  if (strata.XY && 'AC' in strata.XY) sex.XY = strata.XY;
  const sexShown = suppressPartition(overall, sex, floor);
  if (sexShown.XX) shown.XX = sexShown.XX;
  if (sexShown.XY) shown.XY = sexShown.XY;
  if (strata.hemi && 'AC' in strata.hemi) {
    const hidden =
      underFloor(strata.hemi.AC, floor) || (shown.XY !== undefined && 'suppressed' in shown.XY);
    shown.hemi = hidden ? SUPPRESSED : strata.hemi;
  }
  if (strata.raw && 'AC' in strata.raw)
    shown.raw = underFloor(strata.raw.AC, floor) ? SUPPRESSED : strata.raw;
  return shown;
}

function allSuppressed(strata: Strata): Strata {
  return Object.fromEntries(Object.keys(strata).map((k) => [k, SUPPRESSED]));
}

/** What a lookup says of a record it found (without the release's own fields). */
export function foundAnswer(
  release: OpenRelease,
  record: ReleaseRecord,
  privacy: Privacy,
): Omit<VariantFound, 'releaseId' | 'releasedAt' | 'pipelineVersion' | 'reference'> {
  const { info } = record;
  const overall = countsOf(info, '', null) ?? { AC: 0, AN: 0, AF: null, nhomalt: 0 };
  const regionNames = release.summary.tags.perRegion;
  const regions: Record<string, Counts> = Object.fromEntries(
    regionNames.map((r) => [r, countsOf(info, '', r) ?? { AC: 0, AN: 0, AF: null, nhomalt: 0 }]),
  );
  const strata = strataOf(info, null);
  const variant = {
    id: `${record.chrom}-${record.pos}-${record.ref}-${record.alt}`,
    chrom: record.chrom,
    pos: record.pos,
    ref: record.ref,
    alt: record.alt,
  };
  const belowFloor = underFloor(overall.AC, privacy.floor);
  if (privacy.audience === 'operator') {
    const regionStrata = Object.fromEntries(
      regionNames.flatMap((r) => {
        const s = strataOf(info, r);
        return s ? [[r, s]] : [];
      }),
    );
    return {
      variant,
      found: true,
      belowFloor,
      overall,
      regions,
      ...(strata ? { strata } : {}),
      ...(Object.keys(regionStrata).length > 0 ? { regionStrata } : {}),
      privacy,
    };
  }
  if (belowFloor) {
    const hidden: Record<string, Shown> = Object.fromEntries(
      regionNames.map((r) => [r, SUPPRESSED]),
    );
    return {
      variant,
      found: true,
      belowFloor,
      overall: SUPPRESSED,
      regions: hidden,
      ...(strata ? { strata: allSuppressed(strata) } : {}),
      privacy,
    };
  }
  return {
    variant,
    found: true,
    belowFloor,
    overall,
    regions: suppressPartition(overall, regions, privacy.floor),
    ...(strata ? { strata: readersStrata(strata, overall, privacy.floor) } : {}),
    privacy,
  };
}

/** The first span a window is read in; each next one is twice as long. */
const FIRST_SPAN = 10_000;

/**
 * The records starting in [start, end], in order, read in spans that double: a page of a long
 * window reads about what it lists, not the whole window.
 */
export async function* recordsIn(release: OpenRelease, chrom: string, start: number, end: number) {
  let span = FIRST_SPAN;
  for (let lo = start; lo <= end; lo += span, span *= 2) {
    const hi = Math.min(end, lo + span - 1);
    // A tabix query also returns a deletion that starts before the span and reaches into it.
    for (const line of await linesIn(release.vcf, chrom, lo, hi)) {
      const record = parseRecord(line);
      if (record.pos >= lo) yield record;
    }
  }
}
