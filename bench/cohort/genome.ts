/**
 * One genome of the cohort, from the population and its own seed alone: its region, genotypes at
 * the shared sites (drawn from its region's frequencies), private variants, and coverage; then
 * its gVCF records, written as bcftools would: a block ends before a variant and starts again
 * after it, a hom-alt deletion leaves no call over the deleted bases, and an indel's POS may
 * also carry a 1-bp reference record (in carriers and, sometimes, in other genomes).
 */
import { createRng, deriveSeed, type Rng } from '../../src/demo/prng.ts';
import {
  ABSENT,
  NO_CALL,
  Overlay,
  bandProcess,
  blockAt,
  jittered,
  poisson,
  sweep,
  type Block,
  type Painted,
} from './coverage.ts';
import {
  COHORT_REGIONS,
  REGION_WEIGHTS,
  SITE_SPACING,
  type Allele,
  type Population,
  type Site,
} from './model.ts';
import { geometric } from './population.ts';
import { blockLine, variantLine, type CalledRecord } from './vcf-text.ts';

/** Private variants and private no-coverage features, per genome (all contigs together). */
const PRIVATE = { variants: 25, noCalls: 6, gaps: 1.5 } as const;

/** The region of genome `index`: its own draw, so that listing a cohort generates nothing. */
export function regionOf(seed: number, index: number): number {
  const u = createRng(deriveSeed(seed, 'region', index)).next();
  let sum = 0;
  for (let r = 0; r < REGION_WEIGHTS.length; r++) {
    sum += REGION_WEIGHTS[r]!;
    if (u < sum) return r;
  }
  return COHORT_REGIONS.length - 1;
}

interface Event {
  pos: number;
  /** A 1-bp reference record at POS, before the variant records. */
  refRecord: boolean;
  calls: CalledRecord[];
  /** Bases after POS that both haplotypes delete (no call there). */
  noCallSpan: number;
}

/** The records of one site in a genome with haplotype alleles h1, h2 (-1 = reference). */
function calls(alleles: readonly Allele[], h1: number, h2: number): CalledRecord[] {
  const out: CalledRecord[] = [];
  // bcftools calls SNVs and indels in separate records, even at the same POS.
  for (const indel of [false, true]) {
    const carried = [...new Set([h1, h2])]
      .filter((h) => h >= 0 && alleles[h]!.indel === indel)
      .sort();
    if (carried.length === 0) continue;
    const ref = carried.map((h) => alleles[h]!.ref).reduce((x, y) => (y.length > x.length ? y : x));
    const alts = carried.map((h) => alleles[h]!.alt + ref.slice(alleles[h]!.ref.length));
    const gt = [h1, h2].map((h) => carried.indexOf(h) + 1).sort() as [number, number];
    out.push({ ref, alts, gt, indel });
  }
  return out;
}

/** The records of a genome that carries an alternate allele of `site`. */
function carrierEvent(rng: Rng, site: Site, region: number): Event {
  const n = site.alleles.length;
  const total = site.altFreq[region]!;
  const altAllele = () => {
    let u = rng.next() * total;
    for (let a = 0; a < n - 1; a++) if ((u -= site.freq[region * n + a]!) < 0) return a;
    return n - 1;
  };
  // Conditioned on carrying: one haplotype alternate, the other alternate with chance `total`.
  const both = rng.chance(total / (2 - total));
  const h1 = altAllele();
  const h2 = both ? altAllele() : -1;
  const records = calls(site.alleles, h1, h2);
  const spans = [h1, h2].map((h) => (h >= 0 ? site.alleles[h]!.deleted : 0));
  const indelOnly = records.every((r) => r.indel);
  return {
    pos: site.pos,
    refRecord: indelOnly && rng.chance(both ? 0.5 : 0.3),
    calls: records,
    noCallSpan: Math.min(...spans),
  };
}

/** Is `pos` at least SITE_SPACING from every shared site (binary search) and private one? */
function isolated(sites: readonly Site[], taken: readonly number[], pos: number): boolean {
  let low = 0;
  let high = sites.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sites[mid]!.pos < pos) low = mid + 1;
    else high = mid;
  }
  const near = [sites[low - 1]?.pos, sites[low]?.pos, ...taken];
  return near.every((p) => p === undefined || Math.abs(p - pos) >= SITE_SPACING);
}

function privateEvents(rng: Rng, population: Population, contig: number, count: number): Event[] {
  const { seq } = population.contigs[contig]!;
  const sites = population.sites[contig]!;
  const taken: number[] = [];
  const events: Event[] = [];
  for (let tries = 0; events.length < count && tries < count * 40; tries++) {
    const pos = rng.int(100, seq.length - 100);
    if (seq.subarray(pos - 1, pos + 22).includes(78) || !isolated(sites, taken, pos)) continue;
    const ref = String.fromCharCode(seq[pos - 1]!);
    let allele: Allele;
    if (rng.chance(0.85)) {
      const alt = 'ACGT'.replace(ref, '')[rng.int(0, 2)]!;
      allele = { ref, alt, indel: false, deleted: 0 };
    } else {
      const k = geometric(rng, 3, 20);
      const deletion = seq[pos - 1 + k] !== seq[pos - 1];
      allele = deletion
        ? {
            ref: Buffer.from(seq.subarray(pos - 1, pos + k)).toString('latin1'),
            alt: ref,
            indel: true,
            deleted: k,
          }
        : { ref, alt: ref + 'ACGT'.replace(ref, '')[rng.int(0, 2)]!, indel: true, deleted: 0 };
    }
    const hom = rng.chance(0.05);
    taken.push(pos);
    events.push({
      pos,
      refRecord: allele.indel && rng.chance(hom ? 0.5 : 0.3),
      calls: calls([allele], 0, hom ? 0 : -1),
      noCallSpan: hom ? allele.deleted : 0,
    });
  }
  return events.sort((a, b) => a.pos - b.pos);
}

/** Block DP as `MinDP`: the minimum over a block is at the band's floor more often than not. */
function blockDepth(rng: Rng, block: Block): number {
  if (block.state === NO_CALL) return 0;
  if (block.state === 3) return rng.chance(0.6) ? 20 : rng.int(21, 24);
  return block.state === 2 ? rng.int(10, 19) : rng.int(1, 9);
}

function variantDepth(rng: Rng, block: Block): number {
  return block.state === 3 ? rng.int(15, 35) : block.state === 2 ? rng.int(10, 19) : rng.int(3, 9);
}

/** The gVCF records (text, without header) of genome `index`. */
export function genomeRecords(population: Population, seed: number, index: number): string {
  const rng = createRng(deriveSeed(seed, 'genome', index));
  const region = regionOf(seed, index);
  const genomeLength = population.contigs.reduce((s, c) => s + c.seq.length, 0);
  const out: string[] = [];
  population.contigs.forEach((contig, c) => {
    const { name, seq } = contig;
    const share = seq.length / genomeLength;
    const gaps = population.gaps[c]!;
    const from = gaps[0]!.end + 1 + rng.int(0, 40);
    const to = gaps.at(-1)!.start - 1 - rng.int(0, 40);
    const process = bandProcess(rng, from, to);
    const overlays: Painted[] = gaps.map((g) => ({ ...g, kind: Overlay.Gap }));
    const privateStretch = (mean: number, max: number) => {
      const start = rng.int(from, to);
      return { start, end: start + geometric(rng, mean, max) - 1 };
    };
    for (let i = poisson(rng, PRIVATE.gaps * share); i > 0; i--)
      overlays.push({ ...privateStretch(400, 2_000), kind: Overlay.Gap });
    for (let i = poisson(rng, PRIVATE.noCalls * share); i > 0; i--)
      overlays.push({ ...privateStretch(8, 25), kind: Overlay.NoCall });
    for (const shared of population.noCalls[c]!)
      if (rng.chance(shared.take))
        overlays.push({ ...jittered(rng, shared), kind: Overlay.NoCall });
    for (const dip of population.dips[c]!)
      if (rng.chance(dip.take))
        overlays.push({
          ...jittered(rng, dip),
          kind: dip.band === 1 ? Overlay.Dip1 : Overlay.Dip2,
        });
    let blocks = sweep(process, to, overlays);

    const candidates: Event[] = [];
    for (const site of population.sites[c]!) {
      const total = site.altFreq[region]!;
      if (rng.next() >= (1 - total) * (1 - total)) candidates.push(carrierEvent(rng, site, region));
      // Not a carrier; an indel's POS may still break this genome's block.
      else if (site.refRecordChance > 0 && rng.chance(site.refRecordChance))
        candidates.push({ pos: site.pos, refRecord: true, calls: [], noCallSpan: 0 });
    }
    candidates.push(...privateEvents(rng, population, c, poisson(rng, PRIVATE.variants * share)));
    candidates.sort((a, b) => a.pos - b.pos);
    // A variant where this genome has no reads or no call is not called at all.
    const events = candidates.filter((e) => {
      const block = blockAt(blocks, e.pos);
      return block !== undefined && block.state !== NO_CALL && block.state !== ABSENT;
    });
    const spans = events.filter((e) => e.noCallSpan > 0);
    if (spans.length > 0) {
      for (const e of spans)
        overlays.push({ start: e.pos + 1, end: e.pos + e.noCallSpan, kind: Overlay.NoCall });
      blocks = sweep(process, to, overlays);
    }

    let next = 0;
    const base = (pos: number) => String.fromCharCode(seq[pos - 1]!);
    for (const block of blocks) {
      const dp = blockDepth(rng, block);
      let start = block.start;
      for (; next < events.length && events[next]!.pos <= block.end; next++) {
        const event = events[next]!;
        if (event.pos > start) out.push(blockLine(name, start, event.pos - 1, base(start), dp));
        if (event.refRecord)
          out.push(blockLine(name, event.pos, event.pos, base(event.pos), rng.int(1, dp)));
        const depth = variantDepth(rng, block);
        for (const call of event.calls) out.push(variantLine(rng, name, event.pos, call, depth));
        start = event.pos + 1;
      }
      if (start <= block.end) out.push(blockLine(name, start, block.end, base(start), dp));
    }
  });
  return out.join('');
}
