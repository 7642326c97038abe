/**
 * What step reuse saves (`npm run bench -- reuse`): the demo cohort harmonised with the national
 * pipeline (`harmonise demo`), then the same rerun twice over every sample, for a change of the
 * caller's arguments only (a higher prior, `bcftools call -P 0.1`): once with `--reuse steps`,
 * once with `--reuse none` (every step run, as a rerun does without reuse). Each is timed from
 * starting `harmonise campaign start --wait` to its answer; its CPU is what its jobs measured
 * themselves (the campaign's `cpuHoursRun`, from each plan-step job's GNU time) and the worker's CPU
 * time (/proc) over the run.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config.ts';
import type { CampaignProgress } from '../src/domain/campaign.ts';
import type { Provenance } from '../src/domain/provenance.ts';
import { cliEnv, harmonise, type CliEnv } from '../test/helpers/cli.ts';
import { writeCallerVariant } from '../test/helpers/pipeline-variants.ts';
import type { ReuseBenchOptions } from './options.ts';
import { cpuSeconds } from './process-usage.ts';

const round = (n: number) => Math.round(n * 100) / 100;

async function run(cli: CliEnv, args: string[]): Promise<string> {
  const result = await harmonise(cli, args);
  if (result.exitCode !== 0)
    throw new Error(`harmonise ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr}`);
  return result.stdout;
}

async function workerPid(root: string): Promise<number> {
  const text = await fs.readFile(path.join(root, 'run/worker.pid'), 'utf8');
  return (JSON.parse(text) as { pid: number }).pid;
}

interface RerunFigures {
  reuse: 'steps' | 'none';
  pipelineVersion: string;
  done: number;
  failed: number;
  wallSeconds: number;
  /** CPU seconds the rerun's plan-step jobs measured (the small versions jobs measure none). */
  jobCpuSeconds: number;
  workerCpuSeconds: number;
  stepsRun: number;
  stepsReused: number;
  cpuHoursSaved: number;
  /** CPU seconds of the steps that ran, by step, from the new versions' provenance. */
  jobCpuSecondsByStep: Record<string, number>;
  stepsReusedByStep: Record<string, number>;
}

async function rerun(
  cli: CliEnv,
  samplesFile: string,
  sampleIds: readonly string[],
  pipelineVersion: string,
  reuse: 'steps' | 'none',
): Promise<RerunFigures> {
  const pid = await workerPid(cli.dataRoot);
  const cpuBefore = cpuSeconds(pid) ?? 0;
  const started = performance.now();
  const out = await run(cli, [
    'campaign',
    'start',
    '--samples',
    samplesFile,
    '--pipeline',
    pipelineVersion,
    '--reuse',
    reuse,
    '--max-concurrent',
    '100',
    '--wait',
    '--json',
  ]);
  const wallSeconds = (performance.now() - started) / 1000;
  const workerCpuSeconds = (cpuSeconds(pid) ?? 0) - cpuBefore;
  const { progress } = JSON.parse(out) as { progress: CampaignProgress };
  const byStep: Record<string, number> = {};
  const reusedByStep: Record<string, number> = {};
  for (const sampleId of sampleIds) {
    const file = path.join(
      cli.dataRoot,
      'gdb/samples',
      sampleId,
      pipelineVersion,
      'provenance.json',
    );
    const provenance = JSON.parse(await fs.readFile(file, 'utf8')) as Provenance;
    for (const step of provenance.steps) {
      if (step.reusedFrom) reusedByStep[step.name] = (reusedByStep[step.name] ?? 0) + 1;
      else byStep[step.name] = round((byStep[step.name] ?? 0) + (step.usage?.cpuSeconds ?? 0));
    }
  }
  return {
    reuse,
    pipelineVersion,
    done: progress.counts.done,
    failed: progress.counts.failed + progress.counts.rejected,
    wallSeconds: round(wallSeconds),
    jobCpuSeconds: round(progress.cpuHoursRun * 3600),
    workerCpuSeconds: round(workerCpuSeconds),
    stepsRun: progress.stepsRun,
    stepsReused: progress.stepsReused,
    cpuHoursSaved: progress.cpuHoursSaved,
    jobCpuSecondsByStep: byStep,
    stepsReusedByStep: reusedByStep,
  };
}

export async function runReuseBench(opts: ReuseBenchOptions): Promise<Record<string, unknown>> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-reuse-'));
  const cli = await cliEnv(root, { temporal: 'dev' });
  const pipelines = path.join(root, 'pipelines');
  await fs.cp(path.join(PROJECT_ROOT, 'pipelines'), pipelines, { recursive: true });
  cli.env.HARMONISE_PIPELINES = pipelines;
  cli.env.HARMONISE_LOG_LEVEL = 'warn';
  const progress = (text: string) => process.stderr.write(`bench reuse: ${text}\n`);
  try {
    progress(`harmonising the demo cohort under ${root}`);
    const demoStarted = performance.now();
    const demo = JSON.parse(
      await run(cli, ['demo', '--json', '--seed', String(opts.seed), '--no-bootstrap']),
    ) as { samples: { sampleId: string; status: string }[] };
    const demoSeconds = (performance.now() - demoStarted) / 1000;
    const sampleIds = demo.samples.filter((s) => s.status === 'done').map((s) => s.sampleId);
    const samplesFile = path.join(root, 'bench-samples.txt');
    await fs.writeFile(samplesFile, `${sampleIds.join('\n')}\n`);
    const runs: RerunFigures[] = [];
    for (const [version, reuse] of [
      ['bench-reuse', 'steps'],
      ['bench-full', 'none'],
    ] as const) {
      await writeCallerVariant(pipelines, version);
      progress(`rerunning ${sampleIds.length} samples with ${version} (--reuse ${reuse})`);
      runs.push(await rerun(cli, samplesFile, sampleIds, version, reuse));
    }
    const [withReuse, without] = runs as [RerunFigures, RerunFigures];
    return {
      benchmark: 'reuse',
      machine: {
        cpus: os.availableParallelism(),
        memGiB: Math.round(os.totalmem() / 2 ** 30),
        cpuModel: os.cpus()[0]?.model ?? null,
      },
      samples: sampleIds.length,
      change: 'bcftools call -P 0.1 (caller arguments only)',
      demoSeconds: round(demoSeconds),
      jobCpuSecondsWithReuse: withReuse.jobCpuSeconds,
      jobCpuSecondsWithoutReuse: without.jobCpuSeconds,
      jobCpuSavedFraction:
        without.jobCpuSeconds > 0
          ? round(1 - withReuse.jobCpuSeconds / without.jobCpuSeconds)
          : null,
      wallSecondsWithReuse: withReuse.wallSeconds,
      wallSecondsWithoutReuse: without.wallSeconds,
      runs,
      dataRoot: opts.keep ? root : null,
    };
  } finally {
    await harmonise(cli, ['down', '--json']);
    if (!opts.keep) await fs.rm(root, { recursive: true, force: true });
  }
}
