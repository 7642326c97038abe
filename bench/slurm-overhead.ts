/**
 * slurm-overhead: what harmonise adds to Slurm's own latency, as a user waits for it. For 1, 10
 * and 100 concurrent no-op probe jobs (each through a workflow, submitStep, the slurm executor, the
 * one poller, the job watcher's signal and finishStep) it compares, per job:
 *
 * - harmonise: from the moment the workflow scheduled submitStep (Temporal history:
 *   ActivityTaskScheduled; before the look-up for an earlier job, the rate limiter and sbatch) to
 *   the moment finishStep's end was recorded (ActivityTaskCompleted, or Failed...);
 * - Slurm: SubmitTime → EndTime as slurmctld recorded them (squeue, else the accounting record).
 *
 * Jobs whose Slurm times cannot be found are counted and listed, never left out silently. The
 * controller's load comes from slurmctld itself: `sdiag` before and after each run, per RPC type,
 * beside the project's own count of status calls. Slurm's times have one-second resolution, so
 * single jobs are noisy; medians over all jobs are what to read.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { HarmoniseClient } from '../src/client.ts';
import { loadConfig, PROJECT_ROOT, type Config } from '../src/config.ts';
import type { ProbeInput } from '../src/domain/probe.ts';
import type { SlurmExecutor } from '../src/executors/slurm/adapter.ts';
import { createLogger } from '../src/logger.ts';
import { probeWorkflowId } from '../src/shared.ts';
import { createHarmoniseWorker } from '../src/worker.ts';
import type { JobProbeResult } from '../src/workflows/job-probe.ts';
import { readSdiag, rpcDelta } from './sdiag.ts';
import {
  EXCLUDED_RPC_TYPES,
  overheadResult,
  round,
  runFigures,
  type JobTiming,
  type RunFigures,
} from './slurm-overhead-figures.ts';
import type { SlurmOverheadOptions } from './options.ts';
import { slurmTimes, type SlurmTimesResult } from './slurm-times.ts';
import { stepWindow } from './step-window.ts';
import { startBenchTemporal } from './temporal.ts';

export async function runSlurmOverhead(
  opts: SlurmOverheadOptions,
): Promise<Record<string, unknown>> {
  const sizes = opts.quick ? [1, 10] : [1, 10, 100];
  const logger = createLogger(process.env.HARMONISE_LOG_LEVEL ?? 'warn');
  const up = await execa('sh', [path.join(PROJECT_ROOT, 'infra/slurm/up.sh')], {
    stderr: 'inherit',
  });
  const slurmConf = up.stdout.trim();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-'));
  const temporal = await startBenchTemporal(root, logger);
  const { address } = temporal;
  const config = loadConfig({
    ...process.env,
    HARMONISE_DATA: root,
    HARMONISE_TEMPORAL_ADDRESS: address,
    HARMONISE_EXECUTOR: 'slurm',
    HARMONISE_SLURM_CONF: slurmConf,
    HARMONISE_SLURM_ACCOUNTING: 'jobcomp',
    HARMONISE_TASK_QUEUE: 'bench',
  });
  const worker = await createHarmoniseWorker(config, logger);
  const running = worker.worker.run();
  const client = await HarmoniseClient.connect(config);
  const bench: Bench = { client, config, slurmConf, executor: worker.executor as SlurmExecutor };
  const runs: RunFigures[] = [];
  const all: JobTiming[] = [];
  try {
    for (const size of sizes) {
      const { run, timings } = await measureRun(bench, size);
      all.push(...timings);
      runs.push(run);
    }
  } finally {
    await client.close();
    await worker.shutdown();
    await running;
    await temporal.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
  return overheadResult(config, runs, all);
}

/** What every run of the benchmark uses: a connected client and the worker's Slurm executor. */
interface Bench {
  client: HarmoniseClient;
  config: Config;
  slurmConf: string;
  executor: SlurmExecutor;
}

/** `size` concurrent probes: their timings and the Slurm calls and RPCs they cost. */
async function measureRun(bench: Bench, size: number) {
  const { client, config, slurmConf, executor } = bench;
  // Other work on the machine slows every step down: said beside the figures.
  const loadAverage1m = round(os.loadavg()[0]!);
  const before = executor.slurmCalls;
  const rpcsBefore = await readSdiag(slurmConf);
  const started = Date.now();
  const inputs = Array.from({ length: size }, (_, i): ProbeInput => ({
    probeId: `bench-${started.toString(36)}-${size}-${i}`,
    probe: { sleepSeconds: 0, allocMiB: 0, exitCode: 0 },
    resources: { cpus: 1, memMiB: 64, timeMinutes: 5 },
    retry: { maxAttempts: 1, maxMemMiB: 64, maxTimeMinutes: 5 },
  }));
  const settled = await Promise.allSettled(inputs.map((input) => client.runProbe(input)));
  const wallSeconds = (Date.now() - started) / 1000;
  // Read before the benchmark asks Slurm anything itself.
  const rpcsAfter = await readSdiag(slurmConf);
  const after = executor.slurmCalls;

  const failedProbes: { probeId: string; error: string }[] = [];
  const results: ProbeOutcome[] = [];
  settled.forEach((outcome, i) => {
    const input = inputs[i]!;
    if (outcome.status === 'fulfilled') results.push({ input, result: outcome.value });
    else failedProbes.push({ probeId: input.probeId, error: String(outcome.reason) });
  });
  const slurm = await slurmTimes(
    slurmConf,
    config.slurm.accounting,
    new Map(
      results.map(({ input, result }) => [result.jobId, `${probeWorkflowId(input.probeId)}/`]),
    ),
  );
  const { timings, noHistory } = await jobTimings(client, results, slurm.times);
  const rpcs = rpcDelta(rpcsBefore, rpcsAfter);
  if (rpcs) for (const type of EXCLUDED_RPC_TYPES) delete rpcs[type];
  const run = runFigures({
    size,
    loadAverage1m,
    wallSeconds,
    intervals: (wallSeconds * 1000) / config.slurm.statusIntervalMs,
    calls: {
      status: after.status - before.status,
      lookup: after.lookup - before.lookup,
      sbatch: after.sbatch - before.sbatch,
    },
    rpcs,
    timings,
    slurm,
    noHistory,
    failedProbes,
  });
  return { run, timings };
}

interface ProbeOutcome {
  input: ProbeInput;
  result: JobProbeResult;
}

/** Each job's harmonise and Slurm times; jobs without a Slurm record or a history are left out. */
async function jobTimings(
  client: HarmoniseClient,
  results: readonly ProbeOutcome[],
  times: SlurmTimesResult['times'],
): Promise<{ timings: JobTiming[]; noHistory: string[] }> {
  const timings: JobTiming[] = [];
  const noHistory: string[] = [];
  for (const { input, result } of results) {
    const slurm = times.get(result.jobId);
    if (!slurm) continue;
    const step = await stepWindow(client.temporal, probeWorkflowId(input.probeId));
    if (!step) {
      noHistory.push(result.jobId);
      continue;
    }
    const slurmSeconds = (slurm.end - slurm.submit) / 1000;
    const harmoniseSeconds = (step.endedAt - step.scheduledAt) / 1000;
    timings.push({
      jobId: result.jobId,
      slurmSeconds,
      harmoniseSeconds,
      overheadSeconds: harmoniseSeconds - slurmSeconds,
      submitWaitSeconds: (Date.parse(result.submittedAt) - step.scheduledAt) / 1000,
      dispatchSeconds: (step.startedAt - step.scheduledAt) / 1000,
    });
  }
  return { timings, noHistory };
}
