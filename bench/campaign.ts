/**
 * campaign: a rerun campaign over a seeded national catalogue with the `noop` pipeline (the same
 * workflows, activities, intake and job scripts as a real rerun, but jobs that only exit), on a
 * Temporal dev server (SQLite) or a local cluster (PostgreSQL, mTLS), with K `harmonise worker`
 * processes and the local executor. Measures wall time, throughput, the largest history of any
 * run it started, CPU and peak RSS of the workers, the Temporal server and its database (from
 * /proc), and the server's persistence requests by operation (from its own metrics).
 *
 * `npm run bench -- campaign [--samples N] [--temporal dev,cluster] [--workers 1,2]
 * [--max-concurrent N] [--profile DIR] [--keep] --json` (bench/options.ts) runs every
 * combination in turn, each on a freshly seeded catalogue, and reports them side by side; or
 * `npm run bench -- campaign --resume DIR --json` after an interrupted single run (SIGINT / SIGTERM).
 */
import { Client, Connection } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedCatalogue } from '../src/demo/seed-catalogue.ts';
import { HarmoniseClient } from '../src/client.ts';
import { writeJsonAtomic } from '../src/store/atomic.ts';
import { DEFAULT_REGIONS, loadConfig } from '../src/config.ts';
import { WorkflowBusyError } from '../src/errors.ts';
import type { CampaignProgress } from '../src/domain/campaign.ts';
import { createLogger } from '../src/logger.ts';
import { round } from './args.ts';
import type { CampaignBenchOptions } from './options.ts';
import { cpuSeconds, memoryMiB, sampleRss, treeCpuSeconds } from './process-usage.ts';
import { persistenceSummary, readPersistenceUse } from './server-metrics.ts';
import {
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from '../src/temporal-connection.ts';
import { startStack, stopStack, type BenchStack } from './campaign-stack.ts';

/** One stretch of the benchmark between a start of the stack and its end (or interruption). */
interface Segment {
  startedAt: string;
  endedAt: string;
  /** Samples finished (done, failed or rejected) when the segment ended. */
  finished: number;
  /** Null when not measured (a segment whose benchmark process died before it could). */
  workerCpuSeconds: number | null;
  serverCpuSeconds: number | null;
  /** PostgreSQL's postmaster and backends (cluster only). */
  databaseCpuSeconds?: number | null;
  workerPeakRssMB: number;
  serverPeakRssMB: number;
  persistence?: ReturnType<typeof persistenceSummary>;
}

/** `<root>/bench-campaign.json`: what a resumed run needs to report the whole campaign. */
interface BenchState {
  schema: 'harmonise.bench-campaign/v1';
  samples: number;
  maxConcurrent: number;
  temporal?: 'dev' | 'cluster';
  workers?: number;
  seedSeconds: number;
  campaignId: string | null;
  segments: Segment[];
}

const STATE_FILE = 'bench-campaign.json';
/** How long the progress query may keep failing before the benchmark gives up. */
const QUERY_PATIENCE_MS = 10 * 60_000;

async function prepare(
  opts: CampaignBenchOptions,
  setup: { temporal: 'dev' | 'cluster'; workers: number },
  progress: (text: string) => void,
) {
  if (opts.resume !== null) {
    const root = opts.resume;
    const text = await fsp.readFile(path.join(root, STATE_FILE), 'utf8').catch(() => null);
    if (text === null) throw new Error(`--resume: ${root} has no ${STATE_FILE} of an earlier run`);
    const state = JSON.parse(text) as BenchState;
    progress(`resuming campaign ${state.campaignId} under ${root}`);
    return { root, state };
  }
  const samples = opts.samples;
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-campaign-'));
  const seedStart = Date.now();
  await seedCatalogue({ dataRoot: root, samples, regions: DEFAULT_REGIONS });
  const seedSeconds = (Date.now() - seedStart) / 1000;
  progress(`seeded ${samples} samples in ${round(seedSeconds)} s under ${root}`);
  const state: BenchState = {
    schema: 'harmonise.bench-campaign/v1',
    samples,
    maxConcurrent: opts.maxConcurrent,
    ...setup,
    seedSeconds,
    campaignId: null,
    segments: [],
  };
  return { root, state };
}

/**
 * Runs (or, with `--resume DIR`, continues) the campaign to its end. SIGINT or SIGTERM ends a
 * segment: the stack is stopped, the data root kept, and `--resume` carries on later; the
 * result then covers every segment (their times added, the stops between them left out).
 */
export async function runCampaignBench(
  opts: CampaignBenchOptions,
): Promise<Record<string, unknown>> {
  const { setups } = opts;
  if (setups.length === 1) return runOne(opts, setups[0]!);
  const runs: Record<string, unknown>[] = [];
  for (const setup of setups) {
    const run = await runOne(opts, setup);
    runs.push(run);
    // Each run's figures as soon as it ends: a long series can be read while the next one runs.
    process.stderr.write(`bench campaign: run ended: ${JSON.stringify(run)}\n`);
    // SIGINT / SIGTERM: this run's data root is kept for --resume, and no later run starts.
    if (run.interrupted === true) break;
  }
  return {
    benchmark: 'campaign',
    machine: { cpus: os.availableParallelism(), memGiB: Math.round(os.totalmem() / 2 ** 30) },
    samples: opts.samples,
    runs,
    // So that the series exits 3 like a single interrupted run (bench/run.ts).
    ...(runs.at(-1)?.interrupted === true ? { interrupted: true } : {}),
  };
}

async function runOne(
  opts: CampaignBenchOptions,
  setup: { temporal: 'dev' | 'cluster'; workers: number },
): Promise<Record<string, unknown>> {
  const logger = createLogger(process.env.HARMONISE_LOG_LEVEL ?? 'warn');
  const label = `${setup.temporal}, ${setup.workers} worker${setup.workers > 1 ? 's' : ''}`;
  const progress = (text: string) => process.stderr.write(`bench campaign (${label}): ${text}\n`);
  const { root, state } = await prepare(opts, setup, progress);
  const saveState = () => writeJsonAtomic(path.join(root, STATE_FILE), state);
  const stack = await startStack(
    root,
    {
      maxConcurrent: state.maxConcurrent,
      profileDir: opts.profile,
      temporal: state.temporal ?? 'dev',
      workers: state.workers ?? 1,
    },
    logger,
  );
  const rss = sampleRss(stack.pids);
  let interrupted = false;
  const interrupt = () => (interrupted = true);
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const config = loadConfig(stack.env);
  const client = await HarmoniseClient.connect(config);
  let completed = false;
  try {
    const segment = await startSegment(stack, rss);
    if (state.campaignId === null) {
      const started = await client.startCampaign({
        name: 'bench',
        pipelineVersion: 'noop',
        selection: { expression: 'pipelineVersion!=noop' },
        maxConcurrent: state.maxConcurrent,
        requestedBy: 'bench',
      });
      state.campaignId = started.campaignId;
      await saveState();
    }
    const campaignId = state.campaignId;
    const finished = await followCampaign(client, campaignId, {
      workers: stack.workers,
      interrupted: () => interrupted,
      progress,
    });
    state.segments.push(await segment.end(finished));
    await saveState();
    if (interrupted) {
      progress(
        `interrupted at ${finished}/${state.samples}; continue with: npm run bench -- campaign --resume ${root} --json`,
      );
      return {
        benchmark: 'campaign',
        interrupted: true,
        resume: root,
        finished,
        samples: state.samples,
      };
    }
    const final = await client.waitForCampaign(campaignId);
    const histories = await historyLengths(temporalConnectionOptions(config.temporal), campaignId);
    completed = true;
    return {
      ...campaignResult(state, campaignId, final, histories, root),
      temporal: stack.temporal.kind,
      workers: stack.workers.length,
      historyShards: stack.temporal.historyShards,
    };
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    rss.stop();
    await client.close();
    await stopStack(stack);
    if (completed && !opts.keep) await fsp.rm(root, { recursive: true, force: true });
  }
}

/** Starts measuring a segment: CPU, RSS and the server's persistence counters. */
async function startSegment(stack: BenchStack, rss: ReturnType<typeof sampleRss>) {
  const { pids } = stack;
  const workersCpu = () => pids.workers.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
  const databaseCpu = () => (pids.database === null ? null : treeCpuSeconds(pids.database));
  const before = {
    worker: workersCpu(),
    server: cpuSeconds(pids.server) ?? 0,
    database: databaseCpu(),
    persistence: await readPersistenceUse(stack.temporal.metricsUrl),
  };
  const startedAt = new Date().toISOString();
  return {
    async end(finished: number): Promise<Segment> {
      const database = databaseCpu();
      return {
        startedAt,
        endedAt: new Date().toISOString(),
        finished,
        workerCpuSeconds: round(workersCpu() - before.worker),
        serverCpuSeconds: round((cpuSeconds(pids.server) ?? 0) - before.server),
        databaseCpuSeconds:
          database === null || before.database === null ? null : round(database - before.database),
        workerPeakRssMB: round(
          Math.max(rss.peak.worker, ...pids.workers.map((pid) => memoryMiB(pid, 'VmHWM') ?? 0)),
        ),
        serverPeakRssMB: round(Math.max(rss.peak.server, memoryMiB(pids.server, 'VmHWM') ?? 0)),
        persistence: persistenceSummary(
          before.persistence,
          await readPersistenceUse(stack.temporal.metricsUrl),
        ),
      };
    },
  };
}

/**
 * Polls the campaign's progress every 5 s until it ends or the benchmark is interrupted, and
 * returns the samples finished by then.
 */
async function followCampaign(
  client: HarmoniseClient,
  campaignId: string,
  watch: { workers: ChildProcess[]; interrupted: () => boolean; progress: (text: string) => void },
): Promise<number> {
  const { workers, progress } = watch;
  let last = '';
  let finished = 0;
  let answeredAt = Date.now();
  for (;;) {
    // A query times out when the campaign's workflow task is slow (a busy worker near a
    // continue-as-new): the campaign goes on regardless, so ask again at the next poll.
    const p = await client.campaignProgress(campaignId).catch((error: unknown) => {
      if (!(error instanceof WorkflowBusyError)) throw error;
      if (Date.now() - answeredAt > QUERY_PATIENCE_MS) throw error;
      progress(`progress query failed (${String(error)}); asking again`);
      return undefined;
    });
    if (p !== undefined) answeredAt = Date.now();
    if (p) finished = p.counts.done + p.counts.failed + p.counts.rejected;
    if (p?.state === 'completed' || p?.state === 'cancelled') break;
    if (watch.interrupted()) break;
    const exited = workers.find((w) => w.exitCode !== null);
    if (exited) throw new Error(`a worker (pid ${exited.pid}) exited (${exited.exitCode})`);
    // Unanswered (undefined): nothing new to print.
    if (p !== undefined) {
      const line = p
        ? `${finished}/${p.counts.total} ${p.samplesPerSecond?.toFixed(1) ?? '-'}/s run ${p.run}`
        : 'starting';
      if (line !== last) progress(line);
      last = line;
    }
    await sleep(5000);
  }
  return finished;
}

/** The whole campaign's figures, over every segment. */
function campaignResult(
  state: BenchState,
  campaignId: string,
  final: CampaignProgress,
  histories: Awaited<ReturnType<typeof historyLengths>>,
  root: string,
): Record<string, unknown> {
  const segments = state.segments;
  const wallSeconds = segments.reduce(
    (sum, s) => sum + (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000,
    0,
  );
  const stoppedSeconds =
    (Date.parse(segments.at(-1)!.endedAt) - Date.parse(segments[0]!.startedAt)) / 1000 -
    wallSeconds;
  const sum = (key: 'workerCpuSeconds' | 'serverCpuSeconds' | 'databaseCpuSeconds') =>
    segments.some((s) => s[key] === null || s[key] === undefined)
      ? null
      : round(segments.reduce((total, s) => total + s[key]!, 0));
  return {
    benchmark: 'campaign',
    machine: { cpus: os.availableParallelism(), memGiB: Math.round(os.totalmem() / 2 ** 30) },
    samples: state.samples,
    succeeded: final.counts.done,
    failed: final.counts.failed + final.counts.rejected,
    wallSeconds: round(wallSeconds),
    samplesPerSecond: round(final.counts.done / wallSeconds, 2),
    maxHistoryEvents: histories.max,
    workerRssMB: Math.max(...segments.map((s) => s.workerPeakRssMB)),
    serverRssMB: Math.max(...segments.map((s) => s.serverPeakRssMB)),
    maxConcurrent: state.maxConcurrent,
    campaignRuns: histories.campaignRuns,
    campaignMaxHistoryEvents: histories.campaignMax,
    sampleWorkflows: histories.samples,
    cpu: {
      workerSeconds: sum('workerCpuSeconds'),
      serverSeconds: sum('serverCpuSeconds'),
      // PostgreSQL (the cluster's database); null for the dev server, whose SQLite is inside it.
      databaseSeconds: sum('databaseCpuSeconds'),
    },
    // The server's own counters over the last segment: where its time went.
    persistence: segments.at(-1)!.persistence ?? null,
    seedSeconds: round(state.seedSeconds),
    // More than one when the run was interrupted and resumed: the stack was stopped and
    // started again in between (its stop is not counted in wallSeconds).
    segments: segments.length,
    stoppedSeconds: round(stoppedSeconds),
    campaignId,
    dataRoot: root,
  };
}

/** History lengths of every run the campaign started (its own runs and its children). */
async function historyLengths(server: TemporalConnectionOptions, campaignId: string) {
  const connection = await Connection.connect(server);
  try {
    const client = new Client({ connection });
    let max = 0;
    let campaignMax = 0;
    let campaignRuns = 0;
    let samples = 0;
    for await (const run of client.workflow.list({ query: `CampaignId='${campaignId}'` })) {
      const length = run.historyLength;
      max = Math.max(max, length);
      if (run.type === 'campaignWorkflow') {
        campaignRuns += 1;
        campaignMax = Math.max(campaignMax, length);
      } else samples += 1;
    }
    return { max, campaignMax, campaignRuns, samples };
  } finally {
    await connection.close();
  }
}
