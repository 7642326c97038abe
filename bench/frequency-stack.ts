/**
 * The release side of the frequency benchmark: a fresh data root whose catalogue holds the
 * cohort's genomes as harmonised with the benchmark's own pipeline version (pipeline 1's spec on
 * the cohort's reference, in the run's own pipelines folder), the embedded stack (`harmonise up`,
 * local executor, every CPU), a release from scratch and the release a consent withdrawal starts,
 * each timed as a user waits for it: from starting the command to its published answer.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeReleasableRecord } from '../src/demo/releasable-record.ts';
import type { PublishedRelease } from '../src/activities/frequency.ts';
import { PROJECT_ROOT } from '../src/config.ts';
import { createLayout } from '../src/store/layout.ts';
import { cliEnv, harmonise, type CliEnv } from '../test/helpers/cli.ts';
import type { Cohort, CohortSample } from './cohort/generate.ts';

/** The benchmark's pipeline version: numeric-led, so a withdrawal's release (newest) uses it. */
export const BENCH_PIPELINE = '1-cohort';

const stage = z.object({ cpuSeconds: z.number(), peakRssMiB: z.number() });
/** What the release engine records of its stages in summary.json (`engine`). */
const engineSchema = z.object({
  contributions: stage.extend({ jobs: z.number(), derived: z.number(), reused: z.number() }),
  partials: stage.extend({ batches: z.number(), built: z.number(), reused: z.number() }),
  reduce: stage.extend({ shards: z.number() }),
  gather: stage.optional(),
});
export type EngineSummary = z.infer<typeof engineSchema>;

export interface TimedRelease {
  release: PublishedRelease;
  wallSeconds: number;
  summaryFile: string;
}

/** Runs `harmonise <args>` as a user would; throws with its stderr. */
async function run(cli: CliEnv, args: string[]): Promise<string> {
  const result = await harmonise(cli, args);
  if (result.exitCode !== 0) {
    throw new Error(`harmonise ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr}`);
  }
  return result.stdout;
}

/** Runs `work` over `items` with at most `limit` at once. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** A hard link (the cohort cache is usually on the same file system), else a copy. */
async function linkOrCopy(from: string, to: string) {
  await fs.link(from, to).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EXDEV') throw error;
    await fs.copyFile(from, to);
  });
}

/** The benchmark's pipeline spec: pipeline 1 under BENCH_PIPELINE, on the cohort's reference. */
async function writePipelineSpec(dir: string, cohort: Cohort): Promise<void> {
  const spec = JSON.parse(
    await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '1.json'), 'utf8'),
  ) as Record<string, unknown>;
  Object.assign(spec, {
    version: BENCH_PIPELINE,
    name: 'frequency benchmark cohort',
    description: `Pipeline 1 on the synthetic cohort's reference (${cohort.dir}); benchmark data only.`,
    reference: {
      name: `harmonise-bench-${path.basename(cohort.dir)}`,
      fasta: cohort.reference,
      sequences: cohort.sequences,
    },
  });
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, `${BENCH_PIPELINE}.json`),
    `${JSON.stringify(spec, null, 2)}\n`,
  );
}

/**
 * `root/data`: each genome's gVCF and index linked where publication puts them
 * (`gdb/samples/<id>/<version>/sample.g.vcf.gz`) and catalogued as harmonised; `root/pipelines`.
 */
export async function prepareDataRoot(
  root: string,
  cohort: Cohort,
  samples: readonly CohortSample[],
) {
  const dataRoot = path.join(root, 'data');
  const pipelinesDir = path.join(root, 'pipelines');
  await writePipelineSpec(pipelinesDir, cohort);
  const layout = createLayout(dataRoot);
  await inParallel(samples, 8, async (sample) => {
    const dir = layout.sampleDir(sample.sampleId, BENCH_PIPELINE);
    await fs.mkdir(dir, { recursive: true });
    const gvcf = path.join(dir, 'sample.g.vcf.gz');
    await linkOrCopy(sample.gvcf, gvcf);
    await linkOrCopy(`${sample.gvcf}.tbi`, `${gvcf}.tbi`);
    await writeReleasableRecord(dataRoot, { ...sample, gvcf, pipelineVersion: BENCH_PIPELINE });
  });
  return { dataRoot, pipelinesDir };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; wallSeconds: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, wallSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Starts the stack on `dataRoot`, cuts a release from scratch, then withdraws `withdraw`. */
export async function runReleases(args: {
  dataRoot: string;
  pipelinesDir: string;
  withdraw: string;
  shardBases: number;
  progress: (text: string) => void;
}): Promise<{ fromScratch: TimedRelease; withdrawal: TimedRelease }> {
  const cli = await cliEnv(args.dataRoot);
  Object.assign(cli.env, {
    HARMONISE_LOG_LEVEL: 'warn',
    HARMONISE_EXECUTOR: 'local',
    HARMONISE_LOCAL_CPUS: String(os.availableParallelism()),
    HARMONISE_PIPELINES: args.pipelinesDir,
    HARMONISE_FREQUENCY_SHARD_BASES: String(args.shardBases),
  });
  await run(cli, ['up', '--json']);
  try {
    const scratch = await timed(
      async () =>
        JSON.parse(
          await run(cli, ['frequency', 'release', '--pipeline', BENCH_PIPELINE, '--json']),
        ) as PublishedRelease,
    );
    args.progress(
      `release from scratch ${scratch.value.releaseId}: ${scratch.wallSeconds.toFixed(1)} s`,
    );
    const withdrawn = await timed(
      async () =>
        JSON.parse(await run(cli, ['consent', 'withdraw', args.withdraw, '--wait', '--json'])) as {
          release?: PublishedRelease;
        },
    );
    const release = withdrawn.value.release;
    if (!release) throw new Error(`withdrawing ${args.withdraw} started no release`);
    args.progress(
      `withdrawal of ${args.withdraw}, release ${release.releaseId}: ${withdrawn.wallSeconds.toFixed(1)} s`,
    );
    const timedRelease = (r: PublishedRelease, wallSeconds: number) => ({
      release: r,
      wallSeconds,
      summaryFile: path.join(r.dir, 'summary.json'),
    });
    return {
      fromScratch: timedRelease(scratch.value, scratch.wallSeconds),
      withdrawal: timedRelease(release, withdrawn.wallSeconds),
    };
  } finally {
    await run(cli, ['down', '--json']).catch(() => undefined);
  }
}

/** The engine's figures from a release's summary.json; a clear error naming what is missing. */
export async function engineOf(summaryFile: string): Promise<EngineSummary> {
  const summary = JSON.parse(await fs.readFile(summaryFile, 'utf8')) as { engine?: unknown };
  const parsed = engineSchema.safeParse(summary.engine);
  if (parsed.success) return parsed.data;
  const missing = parsed.error.issues.map((i) =>
    ['summary.engine', ...i.path.map(String)].join('.'),
  );
  throw new Error(
    `${summaryFile} does not record the release engine's costs: ${[...new Set(missing)].join(', ')} ${
      summary.engine === undefined ? 'is' : 'are'
    } missing or not numbers (a merge-based release records no summary.engine)`,
  );
}
