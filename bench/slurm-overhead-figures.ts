/**
 * The slurm-overhead benchmark's figures from what it measured, per run and over all runs (no
 * I/O; the machine's description comes from node:os). Each figure is in docs/benchmarks.md.
 */
import os from 'node:os';
import type { Config } from '../src/config.ts';
import type { SlurmTimesResult } from './slurm-times.ts';

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

export interface JobTiming {
  jobId: string;
  slurmSeconds: number;
  harmoniseSeconds: number;
  overheadSeconds: number;
  /** Step scheduled → sbatch returned (the worker's clock). */
  submitWaitSeconds: number;
  /** Step scheduled → Temporal handed it to a worker (ActivityTaskStarted). */
  dispatchSeconds: number;
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/** Figures are given to the millisecond. */
export const round = (value: number) => Math.round(value * 1000) / 1000;
const median = (values: number[]) => round(quantile(values, 0.5));
const p95 = (values: number[]) => round(quantile(values, 0.95));

function sumOf(rpcs: Record<string, number>, types: readonly string[]): number {
  return types.reduce((sum, type) => sum + (rpcs[type] ?? 0), 0);
}

export type RunFigures = ReturnType<typeof runFigures>;

/** One run's figures (docs/benchmarks.md). */
export function runFigures(m: {
  size: number;
  loadAverage1m: number;
  wallSeconds: number;
  intervals: number;
  calls: { status: number; lookup: number; sbatch: number };
  rpcs: Record<string, number> | null;
  timings: readonly JobTiming[];
  slurm: SlurmTimesResult;
  noHistory: string[];
  failedProbes: { probeId: string; error: string }[];
}) {
  const { size, rpcs, timings, intervals } = m;
  const statusRpcs = rpcs && sumOf(rpcs, STATUS_RPC_TYPES);
  const submitRpcs = rpcs && (rpcs[SUBMIT_RPC_TYPE] ?? 0);
  return {
    jobs: size,
    loadAverage1m: m.loadAverage1m,
    measured: timings.length,
    wallSeconds: round(m.wallSeconds),
    slurmMedianSeconds: median(timings.map((t) => t.slurmSeconds)),
    harmoniseMedianSeconds: median(timings.map((t) => t.harmoniseSeconds)),
    overheadMedianSeconds: median(timings.map((t) => t.overheadSeconds)),
    overheadP95Seconds: p95(timings.map((t) => t.overheadSeconds)),
    submitWaitMedianSeconds: median(timings.map((t) => t.submitWaitSeconds)),
    submitWaitP95Seconds: p95(timings.map((t) => t.submitWaitSeconds)),
    dispatchMedianSeconds: median(timings.map((t) => t.dispatchSeconds)),
    forgottenJobs: m.slurm.forgotten.length,
    forgottenJobIds: m.slurm.forgotten,
    unendedJobIds: m.slurm.unended,
    noHistoryJobIds: m.noHistory,
    failedProbes: m.failedProbes,
    slurmTimesFromAccounting: [...m.slurm.times.values()].filter((t) => t.from === 'accounting')
      .length,
    slurmStatusCalls: m.calls.status,
    lookupCalls: m.calls.lookup,
    sbatchCalls: m.calls.sbatch,
    statusIntervals: round(intervals),
    statusCallsPerInterval: round(m.calls.status / intervals),
    slurmctldRpcs: rpcs,
    slurmctldRpcsTotal: rpcs && Object.values(rpcs).reduce((a, b) => a + b, 0),
    slurmctldStatusRpcs: statusRpcs,
    slurmctldRpcsPerInterval: statusRpcs === null ? null : round(statusRpcs / intervals),
    slurmctldSubmitRpcs: submitRpcs,
    slurmctldSubmitRpcsPerJob: submitRpcs === null ? null : round(submitRpcs / size),
  };
}

/** The benchmark's figures: every run, and the headline ones (medians over all jobs, at 100). */
export function overheadResult(
  config: Config,
  runs: readonly RunFigures[],
  all: readonly JobTiming[],
): Record<string, unknown> {
  const at100: Partial<RunFigures> = runs.find((run) => run.jobs === 100) ?? {};
  const forgottenJobIds = runs.flatMap((run) => run.forgottenJobIds);
  return {
    benchmark: 'slurm-overhead',
    machine: {
      cpus: os.availableParallelism(),
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    },
    measures: {
      harmonise:
        'Temporal history of each probe workflow: ActivityTaskScheduled of submitStep → the event that closed finishStep (ActivityTaskCompleted/Failed/TimedOut/Canceled)',
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
