/**
 * The population the genomes are drawn from, a function of the seed alone: shared variant sites
 * with an allele-frequency spectrum (most rare, some common) and per-region frequencies, places
 * where many genomes' depth dips (shared block boundaries) or where many have no call, and the
 * stretches no genome covers. Each genome (genome.ts) draws its own genotypes and private
 * features from its own seed, so genome i is the same whatever the size of the cohort.
 */
import { createRng, deriveSeed, type Rng } from '../../src/demo/prng.ts';
import {
  COHORT_REGIONS,
  MAX_DELETION,
  MAX_INSERTION,
  SITE_COUNTS,
  SITE_SPACING,
  type Allele,
  type Contig,
  type Dip,
  type Population,
  type SharedNoCall,
  type Site,
  type Stretch,
} from './model.ts';
import { basesOf, makeReference } from './reference.ts';

const A = 65;
const C = 67;
const G = 71;
const T = 84;
const TRANSITION: Record<number, number> = { [A]: G, [G]: A, [C]: T, [T]: C };
const BASES = [A, C, G, T];
const REGIONS = COHORT_REGIONS.length;

/** 1 + a geometric number of extra steps with mean `mean - 1`, at most `max`. */
export function geometric(rng: Rng, mean: number, max = Infinity): number {
  if (mean <= 1) return 1;
  const value = 1 + Math.floor(Math.log(1 - rng.next()) / Math.log(1 - 1 / mean));
  return Math.min(max, value);
}

const logUniform = (rng: Rng, low: number, high: number) =>
  Math.exp(Math.log(low) + rng.next() * (Math.log(high) - Math.log(low)));

function normal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

const inGap = (gaps: readonly Stretch[], start: number, end: number) =>
  gaps.some((g) => start <= g.end && end >= g.start);

function snv(rng: Rng, contig: Contig, pos: number, not?: number): Allele {
  const ref = contig.seq[pos - 1]!;
  let alt = rng.chance(2 / 3) ? TRANSITION[ref]! : rng.pick(BASES.filter((b) => b !== ref));
  if (alt === not) alt = rng.pick(BASES.filter((b) => b !== ref && b !== not));
  return { ref: String.fromCharCode(ref), alt: String.fromCharCode(alt), indel: false, deleted: 0 };
}

/** A left-aligned deletion of `k` bases after POS, or null when POS cannot take one that long. */
function deletion(contig: Contig, pos: number, k: number): Allele | null {
  // Left-aligned: the last deleted base differs from the base at POS, else it would shift left.
  if (contig.seq[pos - 1 + k] === contig.seq[pos - 1]) return null;
  return {
    ref: basesOf(contig, pos, pos + k),
    alt: basesOf(contig, pos, pos),
    indel: true,
    deleted: k,
  };
}

function insertion(rng: Rng, contig: Contig, pos: number, length: number): Allele {
  const base = contig.seq[pos - 1]!;
  const inserted = Array.from({ length }, () => rng.pick(BASES));
  // Left-aligned: the last inserted base differs from the base at POS.
  if (inserted[length - 1] === base)
    inserted[length - 1] = rng.pick(BASES.filter((b) => b !== base));
  const ref = String.fromCharCode(base);
  return { ref, alt: ref + String.fromCharCode(...inserted), indel: true, deleted: 0 };
}

function indel(rng: Rng, contig: Contig, pos: number, avoid?: Allele): Allele | null {
  for (let tries = 0; tries < 10; tries++) {
    const candidate = rng.chance(0.5)
      ? deletion(contig, pos, geometric(rng, 3, MAX_DELETION))
      : insertion(rng, contig, pos, geometric(rng, 3, MAX_INSERTION));
    if (candidate && !(avoid && candidate.ref === avoid.ref && candidate.alt === avoid.alt)) {
      if (!avoid || candidate.deleted > 0 === avoid.deleted > 0) return candidate;
    }
  }
  return null;
}

/** bcftools call sometimes writes an indel with extra bases of context after it. */
function padded(contig: Contig, pos: number, allele: Allele, extra: number): Allele {
  const end = pos + allele.ref.length - 1;
  const tail = basesOf(contig, end + 1, end + extra);
  return { ...allele, ref: allele.ref + tail, alt: allele.alt + tail };
}

type SiteClass = keyof typeof SITE_COUNTS;

function alleleFrequency(rng: Rng, kind: SiteClass): number {
  if (kind === 'common') return 0.05 + rng.next() * 0.45;
  if (kind === 'lowFrequency') return logUniform(rng, 0.005, 0.05);
  return logUniform(rng, 4e-5, 5e-3);
}

/** Per-region frequencies of each allele: common sites vary a little, rare ones may be local. */
function regionalFrequencies(rng: Rng, kind: SiteClass, shares: number[]): Float64Array {
  const p = alleleFrequency(rng, kind);
  const local = kind === 'rare' && rng.chance(0.4) ? rng.int(0, REGIONS - 1) : -1;
  const freq = new Float64Array(REGIONS * shares.length);
  for (let r = 0; r < REGIONS; r++) {
    const factor =
      local >= 0 ? (r === local ? 3 : 0) : Math.exp((kind === 'rare' ? 0.5 : 0.35) * normal(rng));
    const total = Math.min(0.95, p * factor);
    shares.forEach((share, a) => (freq[r * shares.length + a] = total * share));
  }
  return freq;
}

function makeSite(rng: Rng, contig: Contig, index: number, pos: number, kind: SiteClass): Site {
  const shape = rng.next();
  let alleles: Allele[] = [];
  if (shape < 0.02) {
    // An SNV and an indel at the same POS.
    const other = indel(rng, contig, pos);
    if (other) alleles = [snv(rng, contig, pos), other];
  } else if (shape < 0.17) {
    const first = indel(rng, contig, pos);
    if (first && rng.chance(0.06)) {
      const second = indel(rng, contig, pos, first);
      alleles = second ? [first, second] : [first];
    } else if (first) {
      alleles = [rng.chance(0.12) ? padded(contig, pos, first, rng.int(1, 2)) : first];
    }
  }
  if (alleles.length === 0) {
    const first = snv(rng, contig, pos);
    alleles = rng.chance(0.04) ? [first, snv(rng, contig, pos, first.alt.charCodeAt(0))] : [first];
  }
  const split = 0.5 + rng.next() * 0.4;
  const shares = alleles.length === 1 ? [1] : [split, 1 - split];
  const withIndel = alleles.some((a) => a.indel);
  const freq = regionalFrequencies(rng, kind, shares);
  const altFreq = new Float64Array(REGIONS);
  for (let r = 0; r < REGIONS; r++)
    for (let a = 0; a < alleles.length; a++) altFreq[r]! += freq[r * alleles.length + a]!;
  return {
    contig: index,
    pos,
    alleles,
    freq,
    altFreq,
    refRecordChance: withIndel ? (kind === 'rare' ? 0.02 : 0.15) : 0,
  };
}

export function makePopulation(seed: number): Population {
  const { contigs, gaps } = makeReference(seed);
  const rng = createRng(deriveSeed(seed, 'population'));
  const total = SITE_COUNTS.common + SITE_COUNTS.lowFrequency + SITE_COUNTS.rare;
  const genome = contigs.reduce((sum, c) => sum + c.seq.length, 0);
  const meanStep = genome / total;
  const sites: Site[][] = [];
  const dips: Dip[][] = [];
  const noCalls: SharedNoCall[][] = [];
  contigs.forEach((contig, index) => {
    const contigGaps = gaps[index]!;
    const length = contig.seq.length;
    const here: Site[] = [];
    for (
      let pos = 100;
      pos < length - 100;
      pos += SITE_SPACING + geometric(rng, meanStep - SITE_SPACING)
    ) {
      if (inGap(contigGaps, pos - 5, pos + MAX_DELETION + 5)) continue;
      const draw = rng.next() * total;
      const kind: SiteClass =
        draw < SITE_COUNTS.common
          ? 'common'
          : draw < SITE_COUNTS.common + SITE_COUNTS.lowFrequency
            ? 'lowFrequency'
            : 'rare';
      here.push(makeSite(rng, contig, index, pos, kind));
    }
    sites.push(here);
    const stretches = (count: number, mean: number, max: number) =>
      Array.from({ length: count }, () => {
        const start = rng.int(100, length - 400);
        return { start, end: start + geometric(rng, mean, max) - 1 };
      });
    dips.push(
      stretches(Math.round(length / 1_200), 25, 300)
        .map((s) => ({
          ...s,
          band: rng.chance(0.75) ? (2 as const) : (1 as const),
          take: 0.1 + 0.8 * rng.next(),
        }))
        .sort((a, b) => a.start - b.start),
    );
    noCalls.push(
      stretches(Math.round(length / 20_000), 12, 40)
        .map((s) => ({ ...s, take: 0.3 + 0.65 * rng.next() }))
        .sort((a, b) => a.start - b.start),
    );
  });
  return { contigs, gaps, sites, dips, noCalls };
}
