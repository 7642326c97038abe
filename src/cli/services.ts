/**
 * `harmonise up` / `down`: the embedded stack in the background. Installs what is missing
 * (infra/bootstrap.sh), starts the Temporal server (the dev server, or the data root's local
 * cluster; nothing for an external one), the workers and the HTTP API, each recorded in a pid
 * file under the data root, and stops them by those pids.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT, temporalUiUrl, type Config } from '../config.ts';
import { temporalRecordFile } from '../config-temporal.ts';
import { MissingDependencyError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { ensureApi, stopApi } from './api-service.ts';
import {
  ensureSlurmCluster,
  stopSlurmCluster,
  type SlurmClusterState,
  type SlurmClusterStop,
} from './slurm-cluster.ts';
import { ensureTemporal, stopTemporal, type TemporalService } from './temporal-server.ts';
import { ensureWorkers, stopWorkers, type WorkerProcess } from './workers.ts';
import { pathExists, readJsonIfExists, writeJsonAtomic } from '../store/atomic.ts';
import { createLayout } from '../store/layout.ts';

export interface UpResult {
  dataRoot: string;
  /** The HTTP API's base URL. */
  api: string;
  /** The Temporal Web UI; null when the server has none (a Temporal cluster). */
  temporalUi: string | null;
  /** Development tokens for the HTTP API, role → token (mode 0600). */
  tokensFile: string;
  temporalAddress: string;
  temporal: TemporalService;
  executor: 'local' | 'slurm';
  /** The Slurm cluster the worker submits to (executor slurm only). */
  slurm: SlurmClusterState | null;
  /** The first worker (see `workers` for all of them). */
  worker: WorkerProcess;
  /** Every worker process on the task queue (`--workers N`). */
  workers: WorkerProcess[];
  apiProcess: { pid: number; started: boolean; log: string };
}

function files(config: Config) {
  const layout = createLayout(config.dataRoot);
  return {
    runDir: layout.runDir,
    /** The Temporal server this data root's `up` started or connected to. */
    temporalChoice: temporalRecordFile(config.dataRoot),
    /** The executor this data root's workers use, kept across `down` and crashes. */
    executorChoice: path.join(layout.runDir, 'executor.json'),
    /** Present while this checkout's single-node cluster runs because this data root's `up` started it. */
    slurmStarted: path.join(layout.runDir, 'slurm-started.json'),
    temporalDir: layout.temporalDir,
  };
}

/** Runs infra/bootstrap.sh for the Temporal CLI and the Debian tools (npm is already there). */
export async function bootstrap(): Promise<void> {
  // Its progress goes to stderr (fd 2) so that `--json` output keeps stdout to itself.
  const result = await execa('sh', [path.join(PROJECT_ROOT, 'infra', 'bootstrap.sh'), '--no-npm'], {
    stdin: 'ignore',
    stdout: 2,
    stderr: 2,
    reject: false,
  });
  if (result.exitCode !== 0) {
    throw new MissingDependencyError(
      'bootstrap failed: see the messages above (infra/bootstrap.sh)',
    );
  }
}

export async function up(
  requested: Config,
  logger: Logger,
  options: { bootstrap: boolean; executorChosen: boolean },
): Promise<UpResult> {
  if (options.bootstrap) await bootstrap();
  const paths = files(requested);
  // Without an explicit choice, the data root keeps the executor it was last started with:
  // jobs in flight belong to that executor, and only it can re-attach to them.
  const previous = (await readJsonIfExists(paths.executorChoice)) as
    { executor?: string } | undefined;
  const kept = previous?.executor;
  const config: Config =
    !options.executorChosen && (kept === 'local' || kept === 'slurm')
      ? { ...requested, executor: { ...requested.executor, kind: kept } }
      : requested;
  const server = await ensureTemporal(config, files(config).temporalDir, logger);
  await writeJsonAtomic(paths.temporalChoice, {
    server: config.temporal.server,
    address: config.temporal.address,
    ...(config.temporal.server === 'cluster' ? { clusterDir: config.temporal.clusterDir } : {}),
  });
  const slurm = config.executor.kind === 'slurm' ? await ensureSlurmCluster(config) : null;
  if (slurm?.started) {
    await writeJsonAtomic(paths.slurmStarted, {
      conf: slurm.conf,
      startedAt: new Date().toISOString(),
    });
  }
  const workers = await ensureWorkers(config, logger);
  await writeJsonAtomic(paths.executorChoice, { executor: config.executor.kind });
  const api = await ensureApi(config);
  return {
    dataRoot: config.dataRoot,
    api: api.url,
    temporalUi: temporalUiUrl(config),
    tokensFile: api.tokensFile,
    temporalAddress: config.temporal.address,
    temporal: server,
    executor: config.executor.kind,
    slurm,
    worker: workers[0]!,
    workers,
    apiProcess: { pid: api.pid, started: api.started, log: api.log },
  };
}

export interface DownResult {
  dataRoot: string;
  api: number | null;
  /** The first worker's pid (see `workers`). */
  worker: number | null;
  workers: number[];
  temporal: number | null;
  /** The Slurm cluster this data root's workers used (executor slurm), stopped or left running. */
  slurm: SlurmClusterStop | null;
  /** True when nothing harmonise started was running under this data root. */
  nothingFound: boolean;
}

/** Stops the API, the worker, the Temporal server and a Slurm cluster `up` started, each by its recorded pid. */
export async function down(config: Config): Promise<DownResult> {
  const paths = files(config);
  const api = await stopApi(config);
  const workers = await stopWorkers(paths.runDir);
  const worker = workers[0] ?? null;
  const temporalPid = await stopTemporal(config, paths.temporalDir);
  const choice = (await readJsonIfExists(paths.executorChoice)) as
    { executor?: string } | undefined;
  const startedByUp = await pathExists(paths.slurmStarted);
  const slurm =
    choice?.executor === 'slurm' || startedByUp
      ? await stopSlurmCluster(config, startedByUp)
      : null;
  if (slurm?.stopped) await fs.rm(paths.slurmStarted, { force: true });
  return {
    dataRoot: config.dataRoot,
    api,
    worker: worker?.pid ?? null,
    workers: workers.map((w) => w.pid),
    temporal: temporalPid,
    slurm,
    nothingFound: api === null && worker === null && temporalPid === null && !slurm?.stopped,
  };
}
