/**
 * slurm-overhead: what harmonise adds to Slurm's own latency. For 1, 10 and 100 concurrent
 * no-op probe jobs (each through a workflow, runStep, the slurm executor and the one poller), it
 * compares Slurm's own submit → end time per job (SubmitTime/EndTime from slurmctld) with the
 * time harmonise sees (sbatch returned → the workflow knows the job ended), and counts Slurm
 * status calls per status interval. Slurm's times have one-second resolution, so single jobs are
 * noisy; medians over all jobs are what to read.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HarmoniseClient } from '../src/client.ts';
import { LOCAL_SLURM_CONF, loadConfig, PROJECT_ROOT } from '../src/config.ts';
import type { ProbeInput } from '../src/domain/probe.ts';
import { parseSlurmTime } from '../src/executors/slurm/parsers.ts';
import type { SlurmExecutor } from '../src/executors/slurm/adapter.ts';
import { createLogger } from '../src/logger.ts';
import { createHarmoniseWorker } from '../src/worker.ts';
import { startBenchTemporal } from './temporal.ts';

interface JobTiming {
  jobId: string;
  slurmSeconds: number;
  harmoniseSeconds: number;
  overheadSeconds: number;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** Slurm's own SubmitTime and EndTime for the jobs, from one squeue call. */
async function slurmTimes(jobIds: string[]): Promise<Map<string, { submit: number; end: number }>> {
  const { stdout } = await execa(
    'squeue',
    ['-h', '-t', 'all', '-j', jobIds.join(','), '-o', '%i|%V|%e'],
    {
      env: { SLURM_CONF: LOCAL_SLURM_CONF },
    },
  );
  const times = new Map<string, { submit: number; end: number }>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [id, submit, end] = line.split('|');
    const s = parseSlurmTime(submit);
    const e = parseSlurmTime(end);
    if (id && s !== null && e !== null) times.set(id, { submit: s, end: e });
  }
  return times;
}

export async function runSlurmOverhead(args: string[]): Promise<Record<string, unknown>> {
  const sizes = args.includes('--quick') ? [1, 10] : [1, 10, 100];
  const logger = createLogger(process.env.HARMONISE_LOG_LEVEL ?? 'warn');
  const up = await execa('sh', [path.join(PROJECT_ROOT, 'infra/slurm/up.sh')], {
    stderr: 'inherit',
  });
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-'));
  const temporal = await startBenchTemporal(root, logger);
  const { address } = temporal;
  const config = loadConfig({
    ...process.env,
    HARMONISE_DATA: root,
    HARMONISE_TEMPORAL_ADDRESS: address,
    HARMONISE_EXECUTOR: 'slurm',
    HARMONISE_SLURM_CONF: up.stdout.trim(),
    HARMONISE_SLURM_ACCOUNTING: 'jobcomp',
    HARMONISE_TASK_QUEUE: 'bench',
  });
  const worker = await createHarmoniseWorker(config, logger);
  const running = worker.worker.run();
  const client = await HarmoniseClient.connect(config);
  const executor = worker.executor as SlurmExecutor;
  const runs: Record<string, unknown>[] = [];
  const all: JobTiming[] = [];
  let callsPerIntervalAt100 = Number.NaN;
  try {
    for (const size of sizes) {
      const callsBefore = executor.slurmStatusCalls;
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: size }, (_, i) => {
          const input: ProbeInput = {
            probeId: `bench-${started.toString(36)}-${size}-${i}`,
            probe: { sleepSeconds: 0, allocMiB: 0, exitCode: 0 },
            resources: { cpus: 1, memMiB: 64, timeMinutes: 5 },
            retry: { maxAttempts: 1, maxMemMiB: 64, maxTimeMinutes: 5 },
          };
          return client.runProbe(input);
        }),
      );
      const wallSeconds = (Date.now() - started) / 1000;
      const calls = executor.slurmStatusCalls - callsBefore;
      const intervals = (wallSeconds * 1000) / config.slurm.statusIntervalMs;
      const times = await slurmTimes(results.map((r) => r.jobId));
      const timings: JobTiming[] = [];
      for (const result of results) {
        const slurm = times.get(result.jobId);
        if (!slurm) continue;
        const slurmSeconds = (slurm.end - slurm.submit) / 1000;
        const harmoniseSeconds =
          (Date.parse(result.knownEndedAt) - Date.parse(result.submittedAt)) / 1000;
        timings.push({
          jobId: result.jobId,
          slurmSeconds,
          harmoniseSeconds,
          overheadSeconds: harmoniseSeconds - slurmSeconds,
        });
      }
      all.push(...timings);
      const perInterval = calls / intervals;
      if (size === 100) callsPerIntervalAt100 = perInterval;
      runs.push({
        jobs: size,
        measured: timings.length,
        wallSeconds: round(wallSeconds),
        slurmMedianSeconds: round(
          quantile(
            timings.map((t) => t.slurmSeconds),
            0.5,
          ),
        ),
        harmoniseMedianSeconds: round(
          quantile(
            timings.map((t) => t.harmoniseSeconds),
            0.5,
          ),
        ),
        overheadMedianSeconds: round(
          quantile(
            timings.map((t) => t.overheadSeconds),
            0.5,
          ),
        ),
        overheadP95Seconds: round(
          quantile(
            timings.map((t) => t.overheadSeconds),
            0.95,
          ),
        ),
        slurmStatusCalls: calls,
        statusIntervals: round(intervals),
        statusCallsPerInterval: round(perInterval),
      });
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
    machine: { cpus: os.availableParallelism(), memGiB: Math.round(os.totalmem() / 2 ** 30) },
    statusIntervalMs: config.slurm.statusIntervalMs,
    overheadMedianSeconds: round(
      quantile(
        all.map((t) => t.overheadSeconds),
        0.5,
      ),
    ),
    overheadP95Seconds: round(
      quantile(
        all.map((t) => t.overheadSeconds),
        0.95,
      ),
    ),
    statusCallsPerInterval: round(callsPerIntervalAt100),
    runs,
  };
}
