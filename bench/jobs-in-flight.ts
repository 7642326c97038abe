/**
 * in-flight: one worker with thousands of jobs in flight on the real single-node Slurm. Each job
 * is a no-op probe (a workflow, submitStep, sbatch, the job watcher, the jobEnded signal,
 * finishStep). The benchmark has its own partition, created DOWN, so Slurm queues every job and
 * runs none (as during maintenance on a real cluster), until all of them are in flight:
 *
 * 1. **In flight**: the time until the worker's own gauge (`harmonise_jobs_running`) and
 *    `squeue` both count every job.
 * 2. **Holding**: for `--window` seconds with every job in flight, the Temporal server's own
 *    request counters (`service_requests` of its frontend, by operation), slurmctld's (`sdiag`),
 *    and the worker's RSS and CPU time (/proc). The benchmark sends nothing meanwhile.
 * 3. **Draining**: the partition goes UP and Slurm runs the jobs two at a time (the node's CPUs).
 *    Per job, from its end (the mtime of the `exitcode` marker the job script writes last) to the
 *    workflow's jobEnded signal and to its next command (finishStep scheduled), from the
 *    workflow's history.
 */
import { execa, type ResultPromise } from 'execa';
import { watch } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarmoniseClient } from '../src/client.ts';
import { loadConfig, PROJECT_ROOT, type Config } from '../src/config.ts';
import type { ProbeInput } from '../src/domain/probe.ts';
import { createLogger } from '../src/logger.ts';
import { probeWorkflowId } from '../src/shared.ts';
import { createLayout } from '../src/store/layout.ts';
import { EXIT_MARKER } from '../src/tools/job-script.ts';
import { freePort } from '../test/helpers/ports.ts';
import type { JobsInFlightOptions } from './options.ts';
import { cpuSeconds, memoryMiB } from './process-usage.ts';
import { readSdiag, rpcDelta } from './sdiag.ts';
import { EXCLUDED_RPC_TYPES, quantile, round } from './slurm-overhead-figures.ts';
import { startBenchTemporal } from './temporal.ts';

const log = (text: string) => process.stderr.write(`in-flight: ${text}\n`);

interface Stack {
  root: string;
  slurmConf: string;
  slurmEnv: NodeJS.ProcessEnv;
  partition: string;
  metricsPort: number;
  worker: ResultPromise;
  client: HarmoniseClient;
  config: Config;
  stop(): Promise<void>;
}

/** Slurm with the benchmark's own partition (DOWN), a Temporal dev server, one worker. */
async function startStack(): Promise<Stack> {
  const logger = createLogger(process.env.HARMONISE_LOG_LEVEL ?? 'warn');
  const up = await execa('sh', [path.join(PROJECT_ROOT, 'infra/slurm/up.sh')], {
    stderr: 'inherit',
  });
  const slurmConf = up.stdout.trim();
  const slurmEnv = { ...process.env, SLURM_CONF: slurmConf };
  const partition = `inflight${Date.now().toString(36)}`;
  await execa(
    'scontrol',
    ['create', `PartitionName=${partition}`, 'Nodes=localhost', 'State=DOWN', 'MaxTime=INFINITE'],
    { env: slurmEnv },
  );
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-inflight-'));
  const metricsPort = await freePort();
  const temporal = await startBenchTemporal(root, logger, { metricsPort });
  const env: Record<string, string> = {
    HARMONISE_DATA: root,
    HARMONISE_TEMPORAL_ADDRESS: temporal.address,
    HARMONISE_EXECUTOR: 'slurm',
    HARMONISE_SLURM_CONF: slurmConf,
    HARMONISE_SLURM_ACCOUNTING: 'jobcomp',
    HARMONISE_SLURM_PARTITION: partition,
    HARMONISE_TASK_QUEUE: 'bench-inflight',
    HARMONISE_LOG_LEVEL: 'warn',
  };
  const worker = startWorker(root, env);
  const config = loadConfig({ ...process.env, ...env });
  const client = await HarmoniseClient.connect(config);
  return {
    root,
    slurmConf,
    slurmEnv,
    partition,
    metricsPort,
    worker,
    client,
    config,
    async stop() {
      await client.close();
      worker.kill('SIGTERM');
      await worker.catch(() => undefined);
      await temporal.stop();
      await execa('scancel', ['--partition', partition], { env: slurmEnv, reject: false });
      await execa('scontrol', ['delete', `PartitionName=${partition}`], {
        env: slurmEnv,
        reject: false,
      });
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

export async function runJobsInFlight(opts: JobsInFlightOptions): Promise<Record<string, unknown>> {
  const runs: Record<string, unknown>[] = [];
  // Each size on a fresh stack (server, worker, partition), one after the other.
  for (const jobs of opts.jobs) runs.push(await measure(jobs, opts.window));
  return {
    benchmark: 'in-flight',
    machine: { cpus: os.availableParallelism(), memGiB: round(os.totalmem() / 2 ** 30) },
    executor: 'slurm',
    temporal: 'dev',
    activitySlots: 200,
    runs,
  };
}

async function measure(jobs: number, window: number): Promise<Record<string, unknown>> {
  const stack = await startStack();
  const { root, client, slurmEnv, partition } = stack;
  try {
    const workerPid = stack.worker.pid!;
    await until('the worker to publish its metrics', () => workerGauge(root, workerPid));
    const started = Date.now();
    const probes = await startProbes(client, jobs, started);
    log(`${probes.length} probes started; waiting for all their jobs to be in flight`);
    await until(
      'every job to be in flight',
      async () =>
        (await workerGauge(root, workerPid)) === jobs &&
        (await squeueCount(slurmEnv, partition)) === jobs,
      30 * 60_000,
    );
    const inFlightSeconds = (Date.now() - started) / 1000;
    log(`all ${jobs} jobs in flight after ${round(inFlightSeconds)} s; holding`);
    const holding = await hold(window, { ...stack, workerPid });

    log('partition up: Slurm runs the jobs');
    const jobEnds = watchJobEnds(root, probes);
    const drainStart = Date.now();
    await execa('scontrol', ['update', `PartitionName=${partition}`, 'State=UP'], {
      env: slurmEnv,
    });
    await until(
      'every probe workflow to end',
      async () =>
        (await squeueCount(slurmEnv, partition)) === 0 && (await openProbes(client)) === 0,
      60 * 60_000,
    );
    const drainSeconds = (Date.now() - drainStart) / 1000;
    jobEnds.close();
    const peakRssMiB = memoryMiB(workerPid, 'VmHWM');
    return {
      jobs,
      loadAverage1m: round(os.loadavg()[0]!),
      recheck: {
        firstSeconds: stack.config.executor.jobRecheckSeconds,
        maxSeconds: stack.config.executor.jobRecheckMaxSeconds,
      },
      inFlight: {
        seconds: round(inFlightSeconds),
        jobsPerSecond: round(jobs / inFlightSeconds),
      },
      holding,
      drain: {
        seconds: round(drainSeconds),
        jobsPerSecond: round(jobs / drainSeconds),
        workerPeakRssMiB: peakRssMiB === null ? null : round(peakRssMiB),
      },
      jobEndTo: await endLatencies(client, probes, jobEnds.ends),
    };
  } finally {
    await stack.stop();
  }
}

/** The worker as operators run it: `harmonise worker`, its own process. */
function startWorker(root: string, env: Record<string, string>): ResultPromise {
  const child = execa(process.execPath, [path.join(PROJECT_ROOT, 'bin/harmonise.js'), 'worker'], {
    env,
    stdout: { file: path.join(root, 'worker.log') },
    stderr: { file: path.join(root, 'worker.log') },
  });
  child.catch(() => undefined);
  return child;
}

/** Starts the probes without waiting on them (a waiting client would add its own long polls). */
async function startProbes(client: HarmoniseClient, count: number, stamp: number) {
  const probes: Probe[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j): ProbeInput => ({
      probeId: `inflight-${stamp.toString(36)}-${i + j}`,
      probe: { sleepSeconds: 0, allocMiB: 0, exitCode: 0 },
      resources: { cpus: 1, memMiB: 64, timeMinutes: 5 },
      retry: { maxAttempts: 1, maxMemMiB: 64, maxTimeMinutes: 5 },
    }));
    const handles = await Promise.all(
      batch.map((input) =>
        client.temporal.workflow.start('jobProbeWorkflow', {
          workflowId: probeWorkflowId(input.probeId),
          taskQueue: client.config.temporal.taskQueue,
          args: [input],
        }),
      ),
    );
    probes.push(
      ...handles.map((h) => ({ workflowId: h.workflowId, runId: h.firstExecutionRunId })),
    );
  }
  return probes;
}

interface Probe {
  workflowId: string;
  runId: string;
}

/**
 * When each job ended: the mtime of the `exitcode` marker its script writes last, caught as it
 * appears (inotify on each job's folder): the probe workflow removes the folder once it is done.
 */
function watchJobEnds(root: string, probes: readonly Probe[]) {
  const layout = createLayout(root);
  const ends = new Map<string, number>();
  const watchers = probes.map(({ workflowId, runId }) => {
    const dir = layout.workDir(workflowId, runId, 'probe', '1');
    const watcher = watch(dir, (_event, name) => {
      if (name !== EXIT_MARKER || ends.has(workflowId)) return;
      ends.set(workflowId, Date.now());
      void fs.stat(path.join(dir, EXIT_MARKER)).then(
        (stat) => ends.set(workflowId, stat.mtimeMs),
        () => undefined,
      );
    });
    watcher.on('error', () => undefined);
    return watcher;
  });
  return { ends, close: () => watchers.forEach((w) => w.close()) };
}

interface HoldContext {
  root: string;
  workerPid: number;
  metricsPort: number;
  slurmConf: string;
  partition: string;
}

/** The load of keeping every job in flight for `seconds`, from each component's own counters. */
async function hold(seconds: number, ctx: HoldContext) {
  const serverBefore = await frontendRequests(ctx.metricsPort);
  const sdiagBefore = await readSdiag(ctx.slurmConf);
  const cpuBefore = cpuSeconds(ctx.workerPid) ?? Number.NaN;
  const rss: number[] = [];
  const end = Date.now() + seconds * 1000;
  const startedAt = Date.now();
  while (Date.now() < end) {
    rss.push(memoryMiB(ctx.workerPid, 'VmRSS') ?? Number.NaN);
    await sleep(1000);
  }
  const elapsed = (Date.now() - startedAt) / 1000;
  const serverAfter = await frontendRequests(ctx.metricsPort);
  const sdiagAfter = await readSdiag(ctx.slurmConf);
  const cpuAfter = cpuSeconds(ctx.workerPid) ?? Number.NaN;
  const byOperation: Record<string, number> = {};
  for (const [operation, count] of serverAfter) {
    const delta = count - (serverBefore.get(operation) ?? 0);
    if (delta > 0) byOperation[operation] = round(delta / elapsed);
  }
  const slurm = rpcDelta(sdiagBefore, sdiagAfter) ?? {};
  for (const type of EXCLUDED_RPC_TYPES) delete slurm[type];
  const slurmTotal = Object.values(slurm).reduce((a, b) => a + b, 0);
  return {
    seconds: round(elapsed),
    jobsInFlight: await workerGauge(ctx.root, ctx.workerPid),
    temporalRequestsPerSecond: round(Object.values(byOperation).reduce((a, b) => a + b, 0)),
    temporalRequestsPerSecondByOperation: byOperation,
    slurmRpcsPerSecond: round(slurmTotal / elapsed),
    workerRssMiB: { median: round(quantile(rss, 0.5)), max: round(Math.max(...rss)) },
    workerCpuPercent: round(((cpuAfter - cpuBefore) / elapsed) * 100),
  };
}

/** The frontend's `service_requests` counters by operation, from the server's /metrics. */
async function frontendRequests(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('service_requests{') || !line.includes('service_name="frontend"'))
      continue;
    const operation = /operation="([^"]+)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (operation) counts.set(operation, (counts.get(operation) ?? 0) + value);
  }
  return counts;
}

/** The worker's own count of jobs in flight (its metrics snapshot), or null before its first. */
async function workerGauge(root: string, pid: number): Promise<number | null> {
  const file = path.join(root, 'run', 'metrics', `worker-${pid}.json`);
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  const snapshot = JSON.parse(text) as {
    metrics: { name: string; values: { value: number }[] }[];
  };
  const gauge = snapshot.metrics.find((m) => m.name === 'harmonise_jobs_running');
  return gauge?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}

async function squeueCount(env: NodeJS.ProcessEnv, partition: string): Promise<number> {
  const { stdout } = await execa('squeue', ['-h', '-p', partition, '-o', '%i'], { env });
  return stdout.split('\n').filter(Boolean).length;
}

async function openProbes(client: HarmoniseClient): Promise<number> {
  const { count } = await client.temporal.workflow.count(
    `WorkflowType = 'jobProbeWorkflow' AND ExecutionStatus = 'Running'`,
  );
  return count;
}

interface Timestamp {
  seconds?: { toString(): string } | number | null;
  nanos?: number | null;
}
const epochMs = (ts: Timestamp | null | undefined) =>
  ts ? Number(ts.seconds?.toString() ?? 0) * 1000 + (ts.nanos ?? 0) / 1e6 : Number.NaN;

/** Per job: its end → the jobEnded signal, and → the workflow's next command (finishStep). */
async function endLatencies(
  client: HarmoniseClient,
  probes: readonly Probe[],
  ends: ReadonlyMap<string, number>,
) {
  const toSignal: number[] = [];
  const toNextCommand: number[] = [];
  const unmeasured: string[] = [];
  for (const { workflowId, runId } of probes) {
    const handle = client.temporal.workflow.getHandle(workflowId, runId);
    const endedAt = ends.get(workflowId);
    let signalled = Number.NaN;
    let finishScheduled = Number.NaN;
    for (const event of (await handle.fetchHistory()).events ?? []) {
      if (event.workflowExecutionSignaledEventAttributes?.signalName === 'jobEnded')
        signalled = epochMs(event.eventTime);
      if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'finishStep')
        finishScheduled = epochMs(event.eventTime);
    }
    if (endedAt === undefined || Number.isNaN(signalled) || Number.isNaN(finishScheduled)) {
      unmeasured.push(workflowId);
      continue;
    }
    toSignal.push((signalled - endedAt) / 1000);
    toNextCommand.push((finishScheduled - endedAt) / 1000);
  }
  const figures = (values: number[]) => ({
    median: round(quantile(values, 0.5)),
    p90: round(quantile(values, 0.9)),
    p99: round(quantile(values, 0.99)),
    max: round(Math.max(...values)),
  });
  return {
    measured: toSignal.length,
    unmeasured,
    signalSeconds: figures(toSignal),
    nextCommandSeconds: figures(toNextCommand),
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(1000);
  }
}
