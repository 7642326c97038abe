/**
 * `harmonise-engine partial|reduce …`: the program a frequency job runs (bin/harmonise-engine.js).
 * It writes its outputs under temporary names; the job script renames them into place. It also
 * leaves `engine.json` (what it did, with DuckDB's version) for the release's summary.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { KaryotypeCounts } from './an-track.ts';
import { ENGINE_REPORT } from './files.ts';
import { buildPartial } from './partial.ts';
import { reduceShard } from './reduce.ts';
import { parseShardRange } from './shard-range.ts';
import { duckdbVersion, openEngine } from './sql.ts';
import { releaseVcfHeader } from './vcf-header.ts';

const USAGE = `usage:
  harmonise-engine partial --members <tsv> --shards <tsv> --out <dir> [--threads N] [--memory-mib M]
  harmonise-engine reduce --partials <list> --shard <name> --range <chrom:start-end>
      --regions <r1,r2,…> --tags <AC,AN,…> --contigs <tsv> --reference <fasta> --out <prefix>
      --track <runs tsv> --track-coverage <tsv> --karyotypes <tsv>
      [--raw] [--sex-chromosomes <x,y> [--par <chrom:start-end,…>]]
      [--sites-per-window S] [--threads N] [--memory-mib M]`;

function required(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (value === undefined || value === '') throw new Error(`--${name} is required\n${USAGE}`);
  return value;
}

async function lines(file: string): Promise<string[]> {
  return (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values: parsed } = parseArgs({
    args: rest,
    options: {
      ...Object.fromEntries(
        [
          'members',
          'shards',
          'out',
          'threads',
          'memory-mib',
          'partials',
          'shard',
          'range',
          'regions',
          'tags',
          'contigs',
          'reference',
          'sites-per-window',
          'track',
          'track-coverage',
          'karyotypes',
          'sex-chromosomes',
          'par',
        ].map((name) => [name, { type: 'string' as const }]),
      ),
      raw: { type: 'boolean' },
    },
  });
  // Every option is a string but the `--raw` flag (read by reduce).
  const values = parsed as Record<string, string | undefined>;
  const limits = {
    threads: Number(values.threads ?? 1),
    memoryMiB: Number(values['memory-mib'] ?? 1024),
    tempDir: process.env.TMPDIR ?? '.',
  };
  const db = await openEngine(limits);
  const report: Record<string, unknown> = {
    command,
    duckdb: await duckdbVersion(db),
    threads: limits.threads,
    memoryMiB: limits.memoryMiB,
  };
  if (command === 'partial') {
    const outDir = required(values, 'out');
    await fs.mkdir(outDir, { recursive: true });
    Object.assign(
      report,
      await buildPartial(db, {
        membersTsv: required(values, 'members'),
        shardsTsv: required(values, 'shards'),
        outDir,
      }),
    );
    await writeReport(outDir, report);
  } else if (command === 'reduce') {
    const out = required(values, 'out');
    Object.assign(report, await reduce(db, values, parsed.raw === true));
    await writeReport(path.dirname(out), report);
  } else {
    throw new Error(`unknown command ${JSON.stringify(command ?? '')}\n${USAGE}`);
  }
  return 0;
}

/**
 * A shard's VCF is `<out>.header` then `<out>.body`: the job script joins and compresses them,
 * so a shard's records are streamed to disk, never held in this process. Its part of the AN
 * track goes to `--track`, and its bases and well-covered bases to `--track-coverage`.
 */
async function reduce(
  db: DuckDBConnection,
  text: Record<string, string | undefined>,
  raw: boolean,
): Promise<Record<string, unknown>> {
  const out = required(text, 'out');
  const shard = required(text, 'shard');
  const regions = required(text, 'regions').split(',');
  const layout = {
    tags: required(text, 'tags').split(','),
    raw,
    sex: text['sex-chromosomes'] !== undefined,
  };
  const result = await reduceShard(db, {
    partialDirs: await lines(required(text, 'partials')),
    shardName: shard,
    range: parseShardRange(required(text, 'range')),
    regions,
    layout,
    bodyFile: `${out}.body`,
    trackFile: required(text, 'track'),
    sexChromosomes: sexChromosomesOf(text),
    karyotypes: await karyotypeCounts(required(text, 'karyotypes')),
    ...(text['sites-per-window'] === undefined
      ? {}
      : { sitesPerWindow: Number(text['sites-per-window']) }),
  });
  await fs.writeFile(
    required(text, 'track-coverage'),
    `${result.track.bases}\t${result.track.wellCovered}\n`,
  );
  const contigs = (await lines(required(text, 'contigs'))).map((line) => {
    const [name, length] = line.split('\t');
    return { name: name!, length: Number(length) };
  });
  const reference = required(text, 'reference');
  await fs.writeFile(`${out}.header`, releaseVcfHeader({ reference, contigs, regions, layout }));
  return { shard, ...result };
}

function sexChromosomesOf(values: Record<string, string | undefined>) {
  const names = values['sex-chromosomes'];
  if (names === undefined) return null;
  const [x, y] = names.split(',');
  if (!x || !y) throw new Error(`--sex-chromosomes is x,y, not ${JSON.stringify(names)}`);
  const par = (values.par ?? '').split(',').filter(Boolean).map(parseShardRange);
  return { x, y, par };
}

/** `karyotype<TAB>samples` lines: the released samples by karyotype. */
async function karyotypeCounts(file: string): Promise<KaryotypeCounts> {
  const counts: KaryotypeCounts = { XX: 0, XY: 0, unknown: 0 };
  for (const line of await lines(file)) {
    const [karyotype, n] = line.split('\t');
    if (karyotype !== 'XX' && karyotype !== 'XY' && karyotype !== 'unknown')
      throw new Error(`${file}: ${JSON.stringify(karyotype)} is not XX, XY or unknown`);
    counts[karyotype] = Number(n);
  }
  return counts;
}

async function writeReport(dir: string, report: Record<string, unknown>): Promise<void> {
  const maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  await fs.writeFile(
    path.join(dir, `${ENGINE_REPORT}.tmp`),
    `${JSON.stringify({ ...report, maxRssMiB }, null, 2)}\n`,
  );
  await fs.rename(path.join(dir, `${ENGINE_REPORT}.tmp`), path.join(dir, ENGINE_REPORT));
}
