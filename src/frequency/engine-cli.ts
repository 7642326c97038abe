/**
 * `harmonise-engine partial|reduce …`: the program a frequency job runs (bin/harmonise-engine.js).
 * It writes its outputs under temporary names; the job script renames them into place. It also
 * leaves `engine.json` (what it did, with DuckDB's version) for the release's summary.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
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
  const { values } = parseArgs({
    args: rest,
    options: Object.fromEntries(
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
      ].map((name) => [name, { type: 'string' as const }]),
    ),
  });
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
    // The shard's VCF is `<out>.header` then `<out>.body`: the job script joins and compresses
    // them, so a shard's records are streamed to disk, never held in this process.
    const out = required(values, 'out');
    const shard = required(values, 'shard');
    const regions = required(values, 'regions').split(',');
    const tags = required(values, 'tags').split(',');
    const result = await reduceShard(db, {
      partialDirs: await lines(required(values, 'partials')),
      shardName: shard,
      range: parseShardRange(required(values, 'range')),
      regions,
      tags,
      bodyFile: `${out}.body`,
      ...(values['sites-per-window'] === undefined
        ? {}
        : { sitesPerWindow: Number(values['sites-per-window']) }),
    });
    const contigs = (await lines(required(values, 'contigs'))).map((line) => {
      const [name, length] = line.split('\t');
      return { name: name!, length: Number(length) };
    });
    const header = releaseVcfHeader({
      reference: required(values, 'reference'),
      contigs,
      regions,
      tags,
    });
    await fs.writeFile(`${out}.header`, header);
    Object.assign(report, { shard, ...result });
    await writeReport(path.dirname(out), report);
  } else {
    throw new Error(`unknown command ${JSON.stringify(command ?? '')}\n${USAGE}`);
  }
  return 0;
}

async function writeReport(dir: string, report: Record<string, unknown>): Promise<void> {
  const maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  await fs.writeFile(
    path.join(dir, `${ENGINE_REPORT}.tmp`),
    `${JSON.stringify({ ...report, maxRssMiB }, null, 2)}\n`,
  );
  await fs.rename(path.join(dir, `${ENGINE_REPORT}.tmp`), path.join(dir, ENGINE_REPORT));
}
