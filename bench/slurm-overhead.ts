/**
 * slurm-overhead: what harmonise adds to Slurm's own latency, as a user waits for it. For 1, 10
 * and 100 concurrent no-op probe jobs (each through a workflow, runStep, the slurm executor and
 * the one poller) it compares, per job:
 *
 * - harmonise: from the moment the workflow scheduled the step's activity (Temporal history:
 *   ActivityTaskScheduled; before the look-up for an earlier job, the rate limiter and sbatch) to
 *   the moment the activity's end was recorded (ActivityTaskCompleted, or Failed...);
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
import { loadConfig, PROJECT_ROOT } from '../src/config.ts';
import type { ProbeInput } from '../src/domain/probe.ts';
import type { SlurmExecutor } from '../src/executors/slurm/adapter.ts';
import { createLogger } from '../src/logger.ts';
import { probeWorkflowId } from '../src/shared.ts';
import { createHarmoniseWorker } from '../src/worker.ts';
import type { JobProbeResult } from '../src/workflows/job-probe.ts';
import { readSdiag, rpcDelta } from './sdiag.ts';
import { slurmTimes } from './slurm-times.ts';
import { stepWindow } from './step-window.ts';
import { startBenchTemporal } from './temporal.ts';

/**
 * The RPCs of the status path: everything squeue sends, for the poller's one squeue per
 * interval and for the look-ups of keys before sbatch (slurmctld cannot tell them apart). In
 * Slurm 22.05 every squeue sends REQUEST_PARTITION_INFO besides its job query
 * (REQUEST_JOB_INFO; for a single job id REQUEST_FED_INFO and REQUEST_JOB_INFO_SINGLE), so one
 * squeue is two RPCs or three. Accounting look-ups send none to slurmctld: `sacct -c` reads the
 * jobcomp file, and with slurmdbd, sacct asks slurmdbd.
 */
export const STATUS_RPC_TYPES = [
  'REQUEST_JOB_INFO',
  'REQUEST_JOB_INFO_SINGLE',
  'REQUEST_JOB_USER_INFO',
  'REQUEST_FED_INFO',
  'REQUEST_PARTITION_INFO',
] as const;
/** One per job, not per interval: reported on their own. */
export const SUBMIT_RPC_TYPE = 'REQUEST_SUBMIT_BATCH_JOB';
/** The benchmark's own sdiag calls: left out of every count. */
export const EXCLUDED_RPC_TYPES = ['REQUEST_STATS_INFO'] as const;

interface JobTiming {
  jobId: string;
  slurmSeconds: number;
  harmoniseSeconds: number;
  overheadSeconds: number;
  /** Step scheduled → sbatch returned (the worker's clock). */
  submitWaitSeconds: number;
  /** Step scheduled → Temporal handed it to a worker (ActivityTaskStarted). */
  dispatchSeconds: number;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const median = (values: number[]) => round(quantile(values, 0.5));
const p95 = (values: number[]) => round(quantile(values, 0.95));

function sumOf(rpcs: Record<string, number>, types: readonly string[]): number {
  return types.reduce((sum, type) => sum + (rpcs[type] ?? 0), 0);
}

export async function runSlurmOverhead(args: string[]): Promise<Record<string, unknown>> {
  const sizes = args.includes('--quick') ? [1, 10] : [1, 10, 100];
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
  const executor = worker.executor as SlurmExecutor;
  const runs: Record<string, unknown>[] = [];
  const all: JobTiming[] = [];
  const forgottenJobIds: string[] = [];
  let at100: Record<string, unknown> = {};
  try {
    for (const size of sizes) {
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
      const calls = after.status - before.status;
      const intervals = (wallSeconds * 1000) / config.slurm.statusIntervalMs;

      const failedProbes: { probeId: string; error: string }[] = [];
      const results: { input: ProbeInput; result: JobProbeResult }[] = [];
      settled.forEach((outcome, i) => {
        const input = inputs[i]!;
        if (outcome.status === 'fulfilled') results.push({ input, result: outcome.value });
        else failedProbes.push({ probeId: input.probeId, error: String(outcome.reason) });
      });
      const { times, forgotten, unended } = await slurmTimes(
        slurmConf,
        config.slurm.accounting,
        new Map(
          results.map(({ input, result }) => [result.jobId, `${probeWorkflowId(input.probeId)}/`]),
        ),
      );
      forgottenJobIds.push(...forgotten);
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
      all.push(...timings);

      const rpcs = rpcDelta(rpcsBefore, rpcsAfter);
      if (rpcs) for (const type of EXCLUDED_RPC_TYPES) delete rpcs[type];
      const statusRpcs = rpcs && sumOf(rpcs, STATUS_RPC_TYPES);
      const submitRpcs = rpcs && (rpcs[SUBMIT_RPC_TYPE] ?? 0);
      const run = {
        jobs: size,
        loadAverage1m,
        measured: timings.length,
        wallSeconds: round(wallSeconds),
        slurmMedianSeconds: median(timings.map((t) => t.slurmSeconds)),
        harmoniseMedianSeconds: median(timings.map((t) => t.harmoniseSeconds)),
        overheadMedianSeconds: median(timings.map((t) => t.overheadSeconds)),
        overheadP95Seconds: p95(timings.map((t) => t.overheadSeconds)),
        submitWaitMedianSeconds: median(timings.map((t) => t.submitWaitSeconds)),
        submitWaitP95Seconds: p95(timings.map((t) => t.submitWaitSeconds)),
        dispatchMedianSeconds: median(timings.map((t) => t.dispatchSeconds)),
        forgottenJobs: forgotten.length,
        forgottenJobIds: forgotten,
        unendedJobIds: unended,
        noHistoryJobIds: noHistory,
        failedProbes,
        slurmTimesFromAccounting: [...times.values()].filter((t) => t.from === 'accounting').length,
        slurmStatusCalls: calls,
        lookupCalls: after.lookup - before.lookup,
        sbatchCalls: after.sbatch - before.sbatch,
        statusIntervals: round(intervals),
        statusCallsPerInterval: round(calls / intervals),
        slurmctldRpcs: rpcs,
        slurmctldRpcsTotal: rpcs && Object.values(rpcs).reduce((a, b) => a + b, 0),
        slurmctldStatusRpcs: statusRpcs,
        slurmctldRpcsPerInterval: statusRpcs === null ? null : round(statusRpcs / intervals),
        slurmctldSubmitRpcs: submitRpcs,
        slurmctldSubmitRpcsPerJob: submitRpcs === null ? null : round(submitRpcs / size),
      };
      if (size === 100) at100 = run;
      runs.push(run);
    }
  } finally {
    await client.close();
    await worker.shutdown();
    await running;
    await temporal.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
  return {
    benchmark: 'slurm-overhead',
    machine: {
      cpus: os.availableParallelism(),
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    },
    measures: {
      harmonise:
        'Temporal history of each probe workflow: ActivityTaskScheduled of runStep → the event that closed it (ActivityTaskCompleted/Failed/TimedOut/Canceled)',
      slurm: 'slurmctld SubmitTime → EndTime (squeue; the accounting record once squeue forgot)',
      slurmctldStatusRpcTypes: STATUS_RPC_TYPES,
      slurmctldSubmitRpcType: SUBMIT_RPC_TYPE,
      slurmctldExcludedRpcTypes: EXCLUDED_RPC_TYPES,
    },
    statusIntervalMs: config.slurm.statusIntervalMs,
    submitRatePerSecond: config.slurm.submitRatePerSecond,
    submitBurst: config.slurm.submitBurst,
    overheadMedianSeconds: median(all.map((t) => t.overheadSeconds)),
    overheadP95Seconds: p95(all.map((t) => t.overheadSeconds)),
    statusCallsPerInterval: at100.statusCallsPerInterval ?? Number.NaN,
    slurmctldRpcsPerInterval: at100.slurmctldRpcsPerInterval ?? Number.NaN,
    slurmctldRpcs: at100.slurmctldRpcs ?? null,
    slurmctldRpcsTotal: at100.slurmctldRpcsTotal ?? null,
    overheadMedianSecondsAt100: at100.overheadMedianSeconds ?? Number.NaN,
    forgottenJobs: forgottenJobIds.length,
    forgottenJobIds,
    /** Jobs left out of the figures for any reason (each listed in its run). */
    unmeasuredJobs: runs.reduce((sum, run) => sum + Number(run.jobs) - Number(run.measured), 0),
    runs,
  };
}
