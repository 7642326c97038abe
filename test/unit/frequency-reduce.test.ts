/**
 * The reduce on hand-made partials (counts worked out by hand): AN read at each allele's anchor
 * from coverage that began windows and buckets earlier, summed over batches and regions, and
 * the same records whether the shard is summed in one window or one site at a time.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reduceShard } from '../../src/frequency/reduce.ts';
import { openEngine } from '../../src/frequency/sql.ts';

const REGIONS = ['a', 'b'];
const TAGS = ['AC', 'AN', 'AF', 'AC_Hom', 'AC_Het', 'NS'];
/** A pipeline without sex chromosomes or a quality rule (pipeline 1), three genomes. */
const SHAPE = {
  layout: { tags: TAGS, raw: false, sex: false },
  sexChromosomes: null,
  karyotypes: { XX: 0, XY: 0, unknown: 3 },
};

/** shard, chrom, pos, ref, alt, region, anchor, ac, ac_hom, ac_het, n_hom */
type AlleleRow = [
  string,
  string,
  number,
  string,
  string,
  string,
  number,
  number,
  number,
  number,
  number,
];
/** shard, chrom, pos, region, d_an, d_ns */
type CoverageRow = [string, string, number, string, number, number];

async function writePartial(
  db: DuckDBConnection,
  dir: string,
  alleles: AlleleRow[],
  coverage: CoverageRow[],
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const values = (rows: (string | number)[][]) =>
    rows
      .map(
        (row) => `(${row.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')})`,
      )
      .join(', ');
  // Every genome of unknown karyotype, every genotype diploid and adj (as a pipeline without
  // sex chromosomes or a quality rule counts them).
  await db.run(`COPY (SELECT shard, chrom, pos, ref, alt, region, 'unknown' AS karyotype, anchor,
        ac, ac_hom, ac_het, n_hom, 0 AS ac_hemi, ac AS ac_adj, ac_hom AS ac_hom_adj,
        ac_het AS ac_het_adj, n_hom AS n_hom_adj, 0 AS ac_hemi_adj
      FROM (VALUES ${values(alleles)})
      AS t(shard, chrom, pos, ref, alt, region, anchor, ac, ac_hom, ac_het, n_hom))
    TO '${dir}/alleles.parquet' (FORMAT parquet)`);
  await db.run(`COPY (SELECT shard, chrom, pos, region, 'unknown' AS karyotype, d_an, d_ns,
        d_an AS d_an_adj, d_ns AS d_ns_adj
      FROM (VALUES ${values(coverage)})
      AS t(shard, chrom, pos, region, d_an, d_ns))
    TO '${dir}/coverage.parquet' (FORMAT parquet)`);
}

/** Each record's INFO as numbers, by `pos:ref>alt`. */
function records(body: string): Record<string, Record<string, string>> {
  return Object.fromEntries(
    body
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [, pos, , ref, alt, , , info] = line.split('\t');
        const fields = Object.fromEntries(
          info!.split(';').map((kv) => kv.split('=') as [string, string]),
        );
        return [`${pos}:${ref}>${alt}`, fields];
      }),
  );
}

describe('reduce of a shard', () => {
  let dir: string;
  let db: DuckDBConnection;
  let partials: string[];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-reduce-'));
    db = await openEngine({ threads: 1, memoryMiB: 256, tempDir: dir });
    const s = 'shard-0001';
    partials = [path.join(dir, 'p1'), path.join(dir, 'p2')];
    // Batch 1: two diploid genomes of region a called over the whole shard; one of region b
    // called over 19,000-23,000.
    await writePartial(
      db,
      partials[0]!,
      [
        [s, 'chr1', 50, 'C', 'T', 'a', 50, 1, 0, 1, 0],
        // A deletion's allele normalised to 20,200, called (its anchor) at 20,199.
        [s, 'chr1', 20200, 'G', 'A', 'a', 20199, 2, 2, 0, 1],
        [s, 'chr1', 20200, 'G', 'C', 'b', 20200, 1, 0, 1, 0],
        [s, 'chr1', 40000, 'T', 'G', 'a', 40000, 1, 0, 1, 0],
      ],
      [
        [s, 'chr1', 1, 'a', 4, 2],
        [s, 'chr1', 19000, 'b', 2, 1],
        [s, 'chr1', 23001, 'b', -2, -1],
        [s, 'chr1', 50001, 'a', -4, -2],
      ],
    );
    // Batch 2: one genome of region a called over 100-30,000.
    await writePartial(
      db,
      partials[1]!,
      [[s, 'chr1', 20200, 'G', 'A', 'a', 20200, 1, 0, 1, 0]],
      [
        [s, 'chr1', 100, 'a', 2, 1],
        [s, 'chr1', 30001, 'a', -2, -1],
      ],
    );
  });

  afterAll(async () => {
    db?.closeSync();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  async function reduce(sitesPerWindow: number) {
    const bodyFile = path.join(dir, `body-${sitesPerWindow}`);
    const result = await reduceShard(db, {
      partialDirs: partials,
      shardName: 'shard-0001',
      range: { chrom: 'chr1', start: 1, stop: 50000 },
      regions: REGIONS,
      ...SHAPE,
      bodyFile,
      trackFile: `${bodyFile}.an`,
      sitesPerWindow,
    });
    return {
      ...result,
      body: await fs.readFile(bodyFile, 'utf8'),
      runs: await fs.readFile(`${bodyFile}.an`, 'utf8'),
    };
  }

  /** The track's runs with equal neighbours joined (a window may cut a run). */
  function joinedRuns(track: string): string[] {
    const runs: string[][] = [];
    for (const line of track.split('\n').filter(Boolean)) {
      const row = line.split('\t');
      const last = runs.at(-1);
      if (
        last &&
        Number(last[2]) + 1 === Number(row[1]) &&
        last.slice(3).join() === row.slice(3).join()
      )
        last[2] = row[2]!;
      else runs.push(row);
    }
    return runs.map((r) => r.join(' '));
  }

  it('writes the AN track over every base of the shard, and how much of it is well covered', async () => {
    for (const window of [1000, 1]) {
      const { runs, track } = await reduce(window);
      // By hand from the coverage changes: region a 4 from 1 (to 50,000), +2 over 100-30,000;
      // region b 2 over 19,000-23,000.
      expect(joinedRuns(runs)).toEqual([
        'chr1 1 99 4 4 0',
        'chr1 100 18999 6 6 0',
        'chr1 19000 23000 8 6 2',
        'chr1 23001 30000 6 6 0',
        'chr1 30001 50000 4 4 0',
      ]);
      // The most AN possible is 6 (three diploid genomes): 80 % of it needs an AN of 6 or more.
      expect(track).toEqual({ bases: 50000, wellCovered: 30000 - 100 + 1 });
    }
  });

  it('reads AN at each anchor from coverage summed over batches', async () => {
    const { body, sites } = await reduce(1000);
    expect(sites).toBe(4);
    const got = records(body);
    expect(Object.keys(got)).toEqual(['50:C>T', '20200:G>A', '20200:G>C', '40000:T>G']);
    // Before batch 2's genome is called: region a's two genomes only.
    expect(got['50:C>T']).toMatchObject({ AC: '1', AN: '4', NS: '2', AN_a: '4', AN_b: '0' });
    // At 20,199 and 20,200 (buckets after the changes of region a): all three of region a
    // and region b's one.
    expect(got['20200:G>A']).toMatchObject({
      AC: '3',
      AN: '8',
      NS: '4',
      AC_Hom: '2',
      AC_Het: '1',
      nhomalt: '1',
      AC_a: '3',
      AN_a: '6',
      AN_b: '2',
      AF: '0.375',
    });
    expect(got['20200:G>C']).toMatchObject({ AC: '1', AN: '8', AC_b: '1', AN_b: '2', AF_b: '0.5' });
    // After batch 2's genome and region b's stretch end.
    expect(got['40000:T>G']).toMatchObject({ AC: '1', AN: '4', NS: '2', AN_b: '0', AF_b: '.' });
  });

  it('writes the same records one site at a time as in one window', async () => {
    const whole = await reduce(1000);
    const single = await reduce(1);
    expect(whole.windows).toBe(2);
    expect(single.windows).toBe(3);
    expect(single.body).toBe(whole.body);
  });

  it('refuses an allele whose anchor lies beyond the coverage of its shard', async () => {
    const far = path.join(dir, 'far');
    const s = 'shard-0001';
    await writePartial(
      db,
      far,
      [[s, 'chr1', 40000, 'T', 'G', 'a', 52000, 1, 0, 1, 0]],
      [
        [s, 'chr1', 1, 'a', 2, 1],
        [s, 'chr1', 50001, 'a', -2, -1],
      ],
    );
    await expect(
      reduceShard(db, {
        partialDirs: [far],
        shardName: s,
        range: { chrom: 'chr1', start: 1, stop: 50000 },
        regions: REGIONS,
        ...SHAPE,
        bodyFile: path.join(dir, 'body-far'),
        trackFile: path.join(dir, 'body-far.an'),
      }),
    ).rejects.toThrow(
      'allele chr1:40000:T:G was called at 52000, more than 1000 bases from its shard shard-0001',
    );
  });
});
