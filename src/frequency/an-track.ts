/**
 * A shard's part of the all-sites AN track: `chrom start end AN AN_<region>…` runs (1-based,
 * inclusive) over every base of the shard, AN-0 runs included, with the headline AN (adj when
 * the spec has a quality rule), read from the same summed coverage as the records' AN. A
 * window's runs start from the totals of the buckets before it, as the records' AN does; a run
 * may be cut at a window's edge (the gather joins equal neighbours).
 *
 * It also counts, for the release's summary, the bases whose AN is at least 80 % of the most
 * AN possible there: the released samples' ploidy summed by karyotype (2 per sample on
 * autosomes and chrX PARs; 2·XX + XY on non-PAR X; XY on non-PAR Y; 0 on chrY PARs). A base
 * where no sample can be counted (a most of 0) is never counted as covered.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ShardRange } from './shard-range.ts';
import { identifier, literal } from './sql.ts';

/** The sex chromosomes as the engine is told them (`--sex-chromosomes`, `--par`). */
export interface EngineSexChromosomes {
  x: string;
  y: string;
  par: readonly ShardRange[];
}

/** Released samples by karyotype (`--karyotypes`). */
export type KaryotypeCounts = Record<'XX' | 'XY' | 'unknown', number>;

export interface TrackStats {
  bases: number;
  /** Bases whose AN is at least 80 % of the most possible there (and that most above 0). */
  wellCovered: number;
}

/** A stretch of the shard and the most AN possible over it. */
interface MaxSegment {
  start: number;
  stop: number;
  max: number;
}

/** The shard cut where the most AN possible changes (PAR boundaries), with that most. */
export function maxAnSegments(
  range: ShardRange,
  sex: EngineSexChromosomes | null,
  counts: KaryotypeCounts,
): MaxSegment[] {
  const all = 2 * (counts.XX + counts.XY + counts.unknown);
  if (!sex || (range.chrom !== sex.x && range.chrom !== sex.y))
    return [{ start: range.start, stop: range.stop, max: all }];
  const inPar = range.chrom === sex.x ? all : 0;
  const outside = range.chrom === sex.x ? 2 * counts.XX + counts.XY : counts.XY;
  const pars = sex.par
    .filter((p) => p.chrom === range.chrom && p.stop >= range.start && p.start <= range.stop)
    .sort((a, b) => a.start - b.start);
  const segments: MaxSegment[] = [];
  let next = range.start;
  for (const par of pars) {
    const start = Math.max(next, par.start);
    if (start > next) segments.push({ start: next, stop: start - 1, max: outside });
    const stop = Math.min(range.stop, par.stop);
    if (stop >= start) segments.push({ start, stop, max: inPar });
    next = Math.max(next, stop + 1);
  }
  if (next <= range.stop) segments.push({ start: next, stop: range.stop, max: outside });
  return segments;
}

export interface TrackWindow {
  coverage: string;
  shard: string;
  chrom: string;
  regions: readonly string[];
  from: number;
  to: number;
  /** The window's runs are written here, then appended to `trackFile`. */
  file: string;
  trackFile: string;
  segments: readonly MaxSegment[];
  /** The bases of one bucket of the `buckets` table (the sums of the changes per bucket). */
  bucketBases: number;
}

/** Appends the window's runs to the shard's track; returns its bases and well-covered bases. */
export async function trackWindow(db: DuckDBConnection, w: TrackWindow): Promise<TrackStats> {
  const firstBucket = Math.floor(w.from / w.bucketBases);
  const bucketStart = firstBucket * w.bucketBases;
  const d = (i: number) => identifier(`d_${i}`);
  const an = (i: number) => identifier(`an_${i}`);
  const perRegion = w.regions.map(
    (region, i) => `coalesce(sum(d) FILTER (WHERE region = ${literal(region)}), 0) AS ${d(i)}`,
  );
  const running = w.regions.map(
    (_, i) => `sum(${d(i)}) OVER (ORDER BY pos ROWS UNBOUNDED PRECEDING) AS ${an(i)}`,
  );
  await db.run(`
    CREATE OR REPLACE TEMP TABLE runs AS
    WITH changes AS (
      SELECT region, pos, d_an_adj AS d FROM ${w.coverage}
      WHERE shard = ${w.shard} AND pos BETWEEN ${bucketStart} AND ${w.to}
      UNION ALL
      SELECT region, ${bucketStart - 1} AS pos, d_an_adj AS d FROM buckets
      WHERE bucket < ${firstBucket}
      UNION ALL
      -- A change of nothing at the window's first base, where its first run starts.
      SELECT NULL, ${w.from}, 0
    ),
    by_pos AS (SELECT pos, ${perRegion.join(', ')} FROM changes GROUP BY pos),
    running AS (SELECT pos, ${running.join(', ')} FROM by_pos),
    inside AS (SELECT * FROM running WHERE pos >= ${w.from})
    SELECT pos AS start, coalesce(lead(pos) OVER (ORDER BY pos) - 1, ${w.to}) AS stop,
           ${w.regions.map((_, i) => an(i)).join(' + ')} AS an,
           ${w.regions.map((_, i) => an(i)).join(', ')}
    FROM inside`);
  await db.run(`
    COPY (
      SELECT ${literal(w.chrom)}, start, stop, an, ${w.regions.map((_, i) => an(i)).join(', ')}
      FROM runs ORDER BY start
    ) TO ${literal(w.file)} (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')`);
  await pipeline(createReadStream(w.file), createWriteStream(w.trackFile, { flags: 'a' }));
  const segments = w.segments
    .map((s) => `(${s.start}::BIGINT, ${s.stop}::BIGINT, ${s.max}::BIGINT)`)
    .join(', ');
  const [covered] = (
    await db.runAndReadAll(`
      SELECT coalesce(sum(least(r.stop, g.b) - greatest(r.start, g.a) + 1), 0)::BIGINT
      FROM runs r JOIN (VALUES ${segments}) g(a, b, most)
        ON r.start <= g.b AND r.stop >= g.a
      WHERE g.most > 0 AND r.an * 5 >= g.most * 4`)
  ).getRows()[0]!;
  await db.run('DROP TABLE runs');
  return { bases: w.to - w.from + 1, wellCovered: Number(covered) };
}
