/**
 * One sequence of the lookup benchmark's release (pure): its AN track runs over every base and
 * its records, in position order. Coverage is drawn run by run (lookup-model.ts) and a record
 * takes its groups' AN from the run it lies in, so the track and the records agree as the
 * engine's do. Runs are cut where the ploidy changes (a PAR boundary), AN 0 over N, and equal
 * neighbours joined, as the engine's gather joins them.
 */
import { createRng, deriveSeed, type Rng } from '../src/demo/prng.ts';
import type { GroupCounts } from './lookup-info.ts';
import {
  drawCallFraction,
  GROUPS,
  LOOKUP_REGIONS,
  MEAN_RUN,
  SEX_CHROMOSOMES,
} from './lookup-model.ts';
import type { LookupSequence, Stretch } from './lookup-reference.ts';
import { drawAlleles, ploidyOf, recordCounts, type SiteTruth } from './lookup-sites.ts';

export type SequenceLine =
  { kind: 'track'; line: string } | { kind: 'record'; line: string; truth: SiteTruth };

/** What the track says of the reference, for the summary's coverage. */
export interface TrackStats {
  bases: number;
  /** Bases whose AN is at least 80 % of the most the cohort could have there. */
  wellCovered: number;
}

interface Segment extends Stretch {
  callable: boolean;
}

/** The sequence cut at N and at PAR boundaries. */
function segmentsOf(sequence: LookupSequence): Segment[] {
  const length = sequence.seq.length;
  const cuts = new Set([1, length + 1]);
  for (const s of sequence.callable) cuts.add(s.start).add(s.end + 1);
  for (const par of SEX_CHROMOSOMES.par)
    if (par.chrom === sequence.name) cuts.add(par.start).add(par.end + 1);
  const sorted = [...cuts].filter((c) => c >= 1 && c <= length + 1).sort((a, b) => a - b);
  return sorted.slice(0, -1).map((start, i) => ({
    start,
    end: sorted[i + 1]! - 1,
    callable: sequence.callable.some((s) => start >= s.start && start <= s.end),
  }));
}

/** The groups' called alleles over one run: each region's own call fraction, near the run's. */
function drawRunAn(rng: Rng, ploidy: Int8Array): Int32Array {
  const f = drawCallFraction(rng);
  const perRegion = LOOKUP_REGIONS.map(() => Math.max(0, Math.min(1, f - 0.01 * rng.next())));
  return Int32Array.from(
    GROUPS,
    (g, i) => ploidy[i]! * Math.round(g.samples * perRegion[g.region]!),
  );
}

const runLength = (rng: Rng) =>
  Math.max(1, Math.ceil(Math.log(1 - rng.next()) / Math.log(1 - 1 / MEAN_RUN)));

/** `AN AN_<region>...` of a run. */
function trackColumns(an: Int32Array): string {
  const regions = LOOKUP_REGIONS.map(() => 0);
  GROUPS.forEach((g, i) => (regions[g.region]! += an[i]!));
  return [regions.reduce((s, v) => s + v, 0), ...regions].join('\t');
}

/**
 * Every line of the sequence: records (with what the benchmark checks them by) and track runs.
 * `records` alleles are drawn; `stats` is added to.
 */
export function* sequenceLines(
  seed: number,
  sequence: LookupSequence,
  records: number,
  info: (counts: GroupCounts) => string,
  stats: TrackStats,
): Generator<SequenceLine> {
  const { name } = sequence;
  const rng = createRng(deriveSeed(seed, 'lookup sites', name));
  const alleles = drawAlleles(rng, sequence, records);
  let next = 0;
  let pending: { start: number; end: number; columns: string } | null = null;
  const flush = (): SequenceLine | null => {
    if (pending === null) return null;
    const line = `${name}\t${pending.start}\t${pending.end}\t${pending.columns}`;
    return { kind: 'track', line };
  };
  for (const segment of segmentsOf(sequence)) {
    const ploidy = ploidyOf(name, segment.start);
    const most = GROUPS.reduce((s, g, i) => s + ploidy[i]! * g.samples, 0);
    for (let start = segment.start; start <= segment.end;) {
      const end = segment.callable
        ? Math.min(segment.end, start + runLength(rng) - 1)
        : segment.end;
      let an = segment.callable ? drawRunAn(rng, ploidy) : new Int32Array(GROUPS.length);
      const carries = next < alleles.length && alleles[next]!.pos <= end;
      while (carries && an.reduce((s, v) => s + v, 0) === 0) an = drawRunAn(rng, ploidy);
      for (; next < alleles.length && alleles[next]!.pos <= end; next++) {
        const { pos, ref, alt } = alleles[next]!;
        const counts = recordCounts(rng, ploidy, an);
        const AC = counts.ac.reduce((s, v) => s + v, 0);
        const AN = an.reduce((s, v) => s + v, 0);
        yield {
          kind: 'record',
          line: `${name}\t${pos}\t.\t${ref}\t${alt}\t.\t.\t${info(counts)}`,
          truth: { chrom: name, pos, ref, alt, AC, AN },
        };
      }
      const total = an.reduce((s, v) => s + v, 0);
      stats.bases += end - start + 1;
      if (most > 0 && total >= 0.8 * most) stats.wellCovered += end - start + 1;
      const columns = trackColumns(an);
      if (pending !== null && pending.columns === columns) pending.end = end;
      else {
        const done = flush();
        if (done) yield done;
        pending = { start, end, columns };
      }
      start = end + 1;
    }
  }
  const last = flush();
  if (last) yield last;
  if (next !== alleles.length) throw new Error(`${name}: ${alleles.length - next} records left`);
}
