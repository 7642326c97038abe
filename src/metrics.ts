/**
 * Prometheus metrics (prom-client, every name `harmonise_*`). A worker counts its jobs, step
 * durations and status polls, and writes a snapshot to `run/metrics/worker-<pid>.json` every few
 * seconds (the way node_exporter's textfile collector works); the API's `/metrics` adds those of
 * every worker to its own (campaign progress, submissions by outcome). A dead worker's counters
 * stay in the sums; its gauges are left out.
 */
import { Counter, Gauge, Histogram, Registry, type MetricObjectWithValues } from 'prom-client';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive, processStartTime } from './platform/process.ts';
import { writeFileAtomic } from './store/atomic.ts';

export interface WorkerMetrics {
  registry: Registry;
  jobsSubmitted: Counter<'executor' | 'kind'>;
  jobsEnded: Counter<'executor' | 'state'>;
  stepDuration: Histogram<'kind' | 'state'>;
}

export function createWorkerMetrics(
  executor: string,
  poller: { statusCalls: number; inFlight(): number },
  watcher: { delivered: number; gone: number; claimed: number },
): WorkerMetrics {
  const registry = new Registry();
  let counted = 0;
  const signalled = { delivered: 0, gone: 0 };
  let claimed = 0;
  new Counter({
    name: 'harmonise_poller_calls_total',
    help: 'Status calls to the executor (one per interval for every job in flight)',
    labelNames: ['executor'],
    registers: [registry],
    collect() {
      this.inc({ executor }, poller.statusCalls - counted);
      counted = poller.statusCalls;
    },
  });
  new Counter({
    name: 'harmonise_job_end_signals_total',
    help: "Job ends the job watcher told a step's workflow (delivered), or whose workflow had gone (gone)",
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      for (const outcome of ['delivered', 'gone'] as const) {
        this.inc({ outcome }, watcher[outcome] - signalled[outcome]);
        signalled[outcome] = watcher[outcome];
      }
    },
  });
  new Counter({
    name: 'harmonise_job_watches_claimed_total',
    help: 'Job watches taken over from workers that were gone (or from the previous release)',
    registers: [registry],
    collect() {
      this.inc(watcher.claimed - claimed);
      claimed = watcher.claimed;
    },
  });
  new Gauge({
    name: 'harmonise_jobs_running',
    help: 'Jobs in flight (submitted, not yet ended) that workers wait on',
    labelNames: ['executor'],
    registers: [registry],
    collect() {
      this.set({ executor }, poller.inFlight());
    },
  });
  return {
    registry,
    jobsSubmitted: new Counter({
      name: 'harmonise_jobs_submitted_total',
      help: 'Jobs submitted to (or re-attached on) the executor, by step kind',
      labelNames: ['executor', 'kind'],
      registers: [registry],
    }),
    jobsEnded: new Counter({
      name: 'harmonise_jobs_ended_total',
      help: 'Jobs that ended, by final state (COMPLETED, FAILED, OUT_OF_MEMORY, TIMEOUT, ...)',
      labelNames: ['executor', 'state'],
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'harmonise_step_duration_seconds',
      help: 'Time from a job submission to its end, by step kind and final state',
      labelNames: ['kind', 'state'],
      buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 48 * 3600],
      registers: [registry],
    }),
  };
}

interface Snapshot {
  pid: number;
  startTime: string;
  metrics: MetricObjectWithValues<never>[];
}

export function metricsDir(runDir: string): string {
  return path.join(runDir, 'metrics');
}

/** Writes this worker's snapshot now and every `intervalMs`; returns a stop function. */
export function publishWorkerMetrics(
  metrics: WorkerMetrics,
  runDir: string,
  intervalMs = 5000,
): () => void {
  const file = path.join(metricsDir(runDir), `worker-${process.pid}.json`);
  const startTime = processStartTime(process.pid) ?? '';
  const write = async () => {
    const snapshot: Snapshot = {
      pid: process.pid,
      startTime,
      metrics: (await metrics.registry.getMetricsAsJSON()) as MetricObjectWithValues<never>[],
    };
    await writeFileAtomic(file, JSON.stringify(snapshot));
  };
  void write().catch(() => undefined);
  const timer = setInterval(() => void write().catch(() => undefined), intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    void write().catch(() => undefined);
  };
}

/** Every worker's metrics: counters of all snapshots, gauges of live workers only. */
export async function workerSnapshots(runDir: string): Promise<MetricObjectWithValues<never>[][]> {
  const dir = metricsDir(runDir);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const all: MetricObjectWithValues<never>[][] = [];
  for (const name of names.filter((n) => /^worker-\d+\.json$/.test(n))) {
    try {
      const snapshot = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as Snapshot;
      const alive = isProcessAlive(snapshot.pid, snapshot.startTime);
      all.push(snapshot.metrics.filter((m) => alive || String(m.type) !== 'gauge'));
    } catch {
      // Being replaced right now, or not a snapshot: the next scrape reads it.
    }
  }
  return all;
}
