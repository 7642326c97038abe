/**
 * The reduce of one genomic shard: the batches' partials summed (one input per batch, never
 * one per genome), AN and NS read from the summed coverage at each allele's anchor, and the
 * release's VCF records written in position order. Counts only: no genotype, no sample name.
 *
 * The shard is walked in windows of about `sitesPerWindow` sites, each summed in temporary
 * tables that are dropped before the next, so a job's memory follows the window, not the shard,
 * and stays flat as the cohort (and with it the sites per shard) grows. AN at a position is the
 * running sum of the coverage changes before it: a first pass sums the changes per bucket of
 * COVERAGE_BUCKET bases, so a window starts from a known total without re-reading the shard.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  maxAnSegments,
  trackWindow,
  type EngineSexChromosomes,
  type KaryotypeCounts,
  type TrackStats,
} from './an-track.ts';
import { PARTIAL_FILES } from './files.ts';
import { COVERAGE_MARGIN } from './partial.ts';
import type { ShardRange } from './shard-range.ts';
import { fileList, literal, releaseBuffers } from './sql.ts';
import {
  groupColumn,
  groupsOf,
  infoEntries,
  perGroup,
  releaseFields,
  type FieldLayout,
} from './strata.ts';

/** The allele measures a partial sums per group (partial.ts), and the coverage changes. */
const ALLELE_MEASURES = [
  'ac',
  'n_hom',
  'ac_adj',
  'ac_hom_adj',
  'ac_het_adj',
  'n_hom_adj',
  'ac_hemi_adj',
];
const COVERAGE_MEASURES = ['d_an', 'd_an_adj', 'd_ns_adj'];

export { COUNT_TAGS, HOM_ALT_TAG } from './strata.ts';

/** Sites summed at once unless the job says otherwise. */
export const DEFAULT_SITES_PER_WINDOW = 8000;
/** The bases of one coverage checkpoint (a window's AN starts from the sum of those before it). */
export const COVERAGE_BUCKET = 4096;
/** The first window's length, before the shard's density of sites is known. */
const FIRST_WINDOW_BASES = 16384;
/**
 * The longest window: a window without sites still holds its coverage changes for the AN track,
 * which follow the bases and the cohort, not the sites.
 */
const MAX_WINDOW_BASES = 1 << 20;

export interface ReduceArgs {
  partialDirs: readonly string[];
  shardName: string;
  range: ShardRange;
  regions: readonly string[];
  /** The spec's tags, and whether raw counts and XX/XY strata are written. */
  layout: FieldLayout;
  bodyFile: string;
  /** The shard's runs of the all-sites AN track (an-track.ts). */
  trackFile: string;
  /** What the most AN possible at a base is: the sex chromosomes and the samples' karyotypes. */
  sexChromosomes: EngineSexChromosomes | null;
  karyotypes: KaryotypeCounts;
  /** Sites summed at once (DEFAULT_SITES_PER_WINDOW); a window never splits one position. */
  sitesPerWindow?: number;
}

/** Where a window reads from and writes to. */
interface Window {
  alleles: string;
  coverage: string;
  shard: string;
  from: number;
  to: number;
  file: string;
}

export async function reduceShard(
  db: DuckDBConnection,
  args: ReduceArgs,
): Promise<{ sites: number; windows: number; track: TrackStats }> {
  if (args.partialDirs.length === 0) throw new Error('a reduce needs at least one partial');
  if (args.regions.length === 0) throw new Error('a reduce needs at least one region');
  const target = args.sitesPerWindow ?? DEFAULT_SITES_PER_WINDOW;
  if (!Number.isInteger(target) || target < 1) {
    throw new Error(`sites per window must be a positive whole number, not ${target}`);
  }
  const files = (name: string) => fileList(args.partialDirs.map((dir) => `${dir}/${name}`));
  const alleles = `read_parquet(${files(PARTIAL_FILES.alleles)})`;
  const coverage = `read_parquet(${files(PARTIAL_FILES.coverage)})`;
  const shard = literal(args.shardName);
  const { start, stop } = args.range;

  // Per group and bucket, the sum of the coverage changes in it: a streaming aggregate over
  // (shard length / COVERAGE_BUCKET) × groups, whatever the cohort's size.
  await db.run(`
    CREATE OR REPLACE TEMP TABLE buckets AS
    SELECT region, karyotype, pos // ${COVERAGE_BUCKET} AS bucket,
           ${COVERAGE_MEASURES.map((m) => `sum(${m})::BIGINT AS ${m}`).join(', ')}
    FROM ${coverage} WHERE shard = ${shard}
    GROUP BY ALL`);

  await fs.writeFile(args.bodyFile, '');
  await fs.writeFile(args.trackFile, '');
  const file = `${args.bodyFile}.window`;
  const segments = maxAnSegments(args.range, args.sexChromosomes, args.karyotypes);
  const track: TrackStats = { bases: 0, wellCovered: 0 };
  let sites = 0;
  let windows = 0;
  // A partial files each allele under the shard its POS lies in.
  let from = start;
  let length = FIRST_WINDOW_BASES;
  while (from <= stop) {
    const to = Math.min(stop, from + length - 1);
    const count = await reduceWindow(db, args, { alleles, coverage, shard, from, to, file });
    if (count > 0) {
      await pipeline(createReadStream(file), createWriteStream(args.bodyFile, { flags: 'a' }));
      windows += 1;
    }
    sites += count;
    const covered = await trackWindow(db, {
      coverage,
      shard,
      chrom: args.range.chrom,
      regions: args.regions,
      from,
      to,
      file,
      trackFile: args.trackFile,
      segments,
      bucketBases: COVERAGE_BUCKET,
    });
    track.bases += covered.bases;
    track.wellCovered += covered.wellCovered;
    await releaseBuffers(db);
    // The next window's length from this one's density of sites, changing by at most 4×.
    const wanted = count === 0 ? length * 4 : Math.round((length * target) / count);
    length = Math.min(
      MAX_WINDOW_BASES,
      Math.max(1, Math.floor(length / 4), Math.min(length * 4, wanted)),
    );
    from = to + 1;
  }
  await fs.rm(file, { force: true });
  await db.run('DROP TABLE buckets');
  return { sites, windows, track };
}

/**
 * A shard's coverage reaches COVERAGE_MARGIN bases beyond it: an allele whose anchor (the
 * caller's POS) lies further away cannot have its AN read here, which is a clear error.
 */
async function refuseFarAnchors(
  db: DuckDBConnection,
  args: ReduceArgs,
  low: number,
  high: number,
): Promise<void> {
  const first = args.range.start - COVERAGE_MARGIN;
  const last = args.range.stop + COVERAGE_MARGIN;
  if (low >= first && high <= last) return;
  const [chrom, pos, ref, alt, anchor] = (
    await db.runAndReadAll(
      `SELECT chrom, pos, ref, alt, anchor FROM sites WHERE anchor < ${first} OR anchor > ${last} LIMIT 1`,
    )
  ).getRows()[0]!;
  throw new Error(
    `allele ${[chrom, pos, ref, alt].map(String).join(':')} was called at ${String(anchor)}, more than ${COVERAGE_MARGIN} bases from its shard ${args.shardName}: its AN cannot be read here`,
  );
}

/**
 * The sites whose POS lies in [from, to], written to the window's file in VCF order; returns
 * how many. Each allele's AN is read at its anchor (the caller's POS, perhaps outside the window).
 */
async function reduceWindow(db: DuckDBConnection, args: ReduceArgs, w: Window): Promise<number> {
  const { regions } = args;
  // One row per site: its counts per group, summed over the batches.
  await db.run(`
    CREATE OR REPLACE TEMP TABLE sites AS
    SELECT chrom, pos, ref, alt, min(anchor) AS anchor,
           ${perGroup(regions, Object.fromEntries(ALLELE_MEASURES.map((m) => [m, `sum(${m})`]))).join(', ')}
    FROM ${w.alleles}
    WHERE shard = ${w.shard} AND pos BETWEEN ${w.from} AND ${w.to}
    GROUP BY chrom, pos, ref, alt`);
  const [count, low, high] = (
    await db.runAndReadAll('SELECT count(*), min(anchor), max(anchor) FROM sites')
  ).getRows()[0]!;
  const n = Number(count);
  if (n > 0) {
    await refuseFarAnchors(db, args, Number(low), Number(high));
    await coverageAtAnchors(db, args, w, Number(low), Number(high));
    const info = infoEntries(releaseFields(args.layout, regions));
    await db.run(`
      COPY (
        SELECT s.chrom, s.pos, '.', s.ref, s.alt, '.', '.', concat_ws(';', ${info.join(', ')})
        FROM sites s ASOF JOIN cov c ON s.anchor >= c.pos
        ORDER BY s.pos, s.ref, s.alt
      ) TO ${literal(w.file)} (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')`);
  }
  for (const table of ['sites', 'cov']) await db.run(`DROP TABLE IF EXISTS ${table}`);
  await releaseBuffers(db);
  return n;
}

/**
 * AN and NS per group at every position where one changes, from the first bucket the window's
 * anchors need: the buckets before it give each group's total so far (as one change just before
 * that bucket), the changes from that bucket on are read here.
 */
async function coverageAtAnchors(
  db: DuckDBConnection,
  args: ReduceArgs,
  w: Window,
  low: number,
  high: number,
): Promise<void> {
  const firstBucket = Math.floor(low / COVERAGE_BUCKET);
  const bucketStart = firstBucket * COVERAGE_BUCKET;
  const groups = groupsOf(args.regions);
  const running = groups.flatMap((g) =>
    COVERAGE_MEASURES.map(
      (m) =>
        `sum(${groupColumn(m, g)}) OVER (ORDER BY pos ROWS UNBOUNDED PRECEDING) AS ${groupColumn(m.slice(2), g)}`,
    ),
  );
  const columns = COVERAGE_MEASURES.join(', ');
  await db.run(`
    CREATE OR REPLACE TEMP TABLE cov AS
    WITH changes AS (
      SELECT region, karyotype, pos, ${columns} FROM ${w.coverage}
      WHERE shard = ${w.shard} AND pos BETWEEN ${bucketStart} AND ${high}
      UNION ALL
      SELECT region, karyotype, ${bucketStart - 1} AS pos, ${columns} FROM buckets
      WHERE bucket < ${firstBucket}
      UNION ALL
      -- A position at or before every anchor, so that each site finds its AN.
      SELECT NULL, NULL, ${bucketStart - 1}, ${COVERAGE_MEASURES.map(() => '0').join(', ')}
    ),
    by_pos AS (
      SELECT pos, ${perGroup(args.regions, Object.fromEntries(COVERAGE_MEASURES.map((m) => [m, `sum(${m})`]))).join(', ')}
      FROM changes GROUP BY pos
    )
    SELECT pos, ${running.join(', ')} FROM by_pos`);
}
