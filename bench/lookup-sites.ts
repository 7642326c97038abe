/**
 * The records of the lookup benchmark's release (pure). A record's allele count is drawn from
 * the spectrum (lookup-model.ts) and spread over the groups' called alleles as alleles are,
 * without replacement, then into genotypes by Hardy-Weinberg proportions.
 *
 * Alleles are biallelic and normalised as the release engine's (bcftools norm) are: SNVs, and
 * deletions and insertions whose anchor base differs from the last base deleted or inserted, so
 * they cannot move left; the second allele at a position is another record.
 */
import type { Rng } from '../src/demo/prng.ts';
import { ploidyAt } from '../src/domain/ploidy.ts';
import {
  drawAlleleCount,
  GROUPS,
  INDEL_SHARE,
  MAX_INDEL,
  N_MARGIN,
  RAW_ONLY_SHARE,
  SECOND_ALLELE_SHARE,
  SEX_CHROMOSOMES,
} from './lookup-model.ts';
import { baseAt, basesAt, type LookupSequence } from './lookup-reference.ts';
import type { GroupCounts } from './lookup-info.ts';

export interface Allele {
  pos: number;
  ref: string;
  alt: string;
}

/** What the generator says of each record, for the benchmark's checks (`sites.tsv`). */
export interface SiteTruth extends Allele {
  chrom: string;
  AC: number;
  AN: number;
}

const OTHER: Record<string, string> = { A: 'CGT', C: 'AGT', G: 'ACT', T: 'ACG' };
const BASE_LETTERS = 'ACGT';

function snv(rng: Rng, sequence: LookupSequence, pos: number): Allele {
  const ref = baseAt(sequence, pos);
  return { pos, ref, alt: OTHER[ref]![rng.int(0, 2)]! };
}

/** A left-aligned indel at `pos`, or an SNV where none of the drawn lengths is one. */
function indel(rng: Rng, sequence: LookupSequence, pos: number): Allele {
  const anchor = baseAt(sequence, pos);
  for (let tries = 0; tries < 4; tries++) {
    const length = rng.int(1, MAX_INDEL);
    if (rng.chance(0.5)) {
      const ref = basesAt(sequence, pos, length + 1);
      if (ref.at(-1) !== anchor) return { pos, ref, alt: anchor };
    } else {
      let inserted = '';
      for (let i = 0; i < length; i++) inserted += BASE_LETTERS[rng.int(0, 3)]!;
      if (inserted.at(-1) !== anchor) return { pos, ref: anchor, alt: anchor + inserted };
    }
  }
  return snv(rng, sequence, pos);
}

const drawAllele = (rng: Rng, sequence: LookupSequence, pos: number) =>
  rng.chance(INDEL_SHARE) ? indel(rng, sequence, pos) : snv(rng, sequence, pos);

/** `records` alleles at distinct positions, some positions with a second one; sorted. */
export function drawAlleles(rng: Rng, sequence: LookupSequence, records: number): Allele[] {
  const seconds = Math.round(records * SECOND_ALLELE_SHARE);
  const stretches = sequence.callable.map((s) => ({
    start: s.start + N_MARGIN,
    end: s.end - N_MARGIN - MAX_INDEL,
  }));
  const total = stretches.reduce((sum, s) => sum + s.end - s.start + 1, 0);
  const positions = new Set<number>();
  while (positions.size < records - seconds) {
    let offset = rng.int(0, total - 1);
    for (const s of stretches) {
      const length = s.end - s.start + 1;
      if (offset < length) {
        positions.add(s.start + offset);
        break;
      }
      offset -= length;
    }
  }
  const sorted = [...positions].sort((a, b) => a - b);
  const alleles = sorted.map((pos) => drawAllele(rng, sequence, pos));
  for (const i of rng.shuffle(alleles.map((_, i) => i)).slice(0, seconds)) {
    const first = alleles[i]!;
    let second = drawAllele(rng, sequence, first.pos);
    while (second.ref === first.ref && second.alt === first.alt)
      second = drawAllele(rng, sequence, first.pos);
    alleles.push(second);
  }
  return alleles.sort(
    (a, b) => a.pos - b.pos || a.ref.localeCompare(b.ref) || a.alt.localeCompare(b.alt),
  );
}

const newCounts = (): GroupCounts => ({
  ac: new Int32Array(GROUPS.length),
  an: new Int32Array(GROUPS.length),
  hom: new Int32Array(GROUPS.length),
  het: new Int32Array(GROUPS.length),
  ns: new Int32Array(GROUPS.length),
  nhom: new Int32Array(GROUPS.length),
  hemi: new Int32Array(GROUPS.length),
  acRaw: new Int32Array(GROUPS.length),
  anRaw: new Int32Array(GROUPS.length),
  nhomRaw: new Int32Array(GROUPS.length),
});

/** `k` alleles over the groups' called alleles `an`, without replacement. */
export function spreadAlleles(rng: Rng, an: Int32Array, k: number): Int32Array {
  const ac = new Int32Array(an.length);
  const total = an.reduce((s, v) => s + v, 0);
  if (k > 200) {
    // Many alleles: each group its share, rounded (the sampling noise is negligible).
    let left = k;
    for (let g = 0; g < an.length; g++) {
      ac[g] = Math.min(an[g]!, Math.floor((k * an[g]!) / total));
      left -= ac[g]!;
    }
    for (let g = 0; left > 0; g = (g + 1) % an.length)
      if (ac[g]! < an[g]!) {
        ac[g]! += 1;
        left -= 1;
      }
    return ac;
  }
  let free = total;
  for (let i = 0; i < k; i++) {
    let slot = rng.int(0, free - 1);
    let g = 0;
    while (slot >= an[g]! - ac[g]!) {
      slot -= an[g]! - ac[g]!;
      g += 1;
    }
    ac[g]! += 1;
    free -= 1;
  }
  return ac;
}

/** A record's counts in every group, given its groups' ploidy and called alleles. */
export function recordCounts(rng: Rng, ploidy: Int8Array, an: Int32Array): GroupCounts {
  const counts = newCounts();
  counts.an.set(an);
  const total = an.reduce((s, v) => s + v, 0);
  const rawOnly = rng.chance(RAW_ONLY_SHARE);
  counts.ac.set(spreadAlleles(rng, an, rawOnly ? 0 : drawAlleleCount(rng, total)));
  for (let g = 0; g < GROUPS.length; g++) {
    const p = ploidy[g]!;
    const a = counts.ac[g]!;
    counts.ns[g] = p > 0 ? an[g]! / p : 0;
    const most = p * GROUPS[g]!.samples;
    counts.anRaw[g] =
      an[g]! + p * Math.floor(((most - an[g]!) / Math.max(p, 1)) * 0.3 * rng.next());
    if (p === 1) counts.hemi[g] = a;
    if (p === 2 && a > 0) {
      const people = an[g]! / 2;
      let h = Math.min(Math.floor(a / 2), Math.floor((a * a) / (4 * people) + rng.next()));
      if (a - h > people) h = a - people;
      counts.nhom[g] = h;
      counts.hom[g] = 2 * h;
      counts.het[g] = a - 2 * h;
    }
    const extra = a > 0 && counts.anRaw[g]! > an[g]! && rng.chance(0.1) ? 1 : 0;
    counts.acRaw[g] = a + extra;
    counts.nhomRaw[g] = counts.nhom[g]!;
  }
  if (rawOnly) {
    // Carried only by genotypes the quality rule drops: AC 0, AC_raw 1.
    let g = 0;
    for (let i = 1; i < GROUPS.length; i++) if (counts.anRaw[i]! > counts.anRaw[g]!) g = i;
    if (counts.anRaw[g] === counts.an[g] && ploidy[g]! > 0) counts.anRaw[g]! += ploidy[g]!;
    counts.acRaw[g] = 1;
  }
  return counts;
}

/** The groups' ploidy over a stretch that lies on one side of every PAR boundary. */
export function ploidyOf(chrom: string, pos: number): Int8Array {
  return Int8Array.from(GROUPS, (g) => ploidyAt(SEX_CHROMOSOMES, g.karyotype, chrom, pos) ?? 0);
}
