/**
 * `harmonise up` / `down`: the embedded stack in the background. Installs what is missing
 * (infra/bootstrap.sh), starts the Temporal dev server, one worker and the HTTP API, each
 * recorded in a pid file under the data root, and stops them by those pids.
 */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDevServer, stopDevServer } from './temporal-dev-server.ts';
import {
  isProcessAlive,
  livePid,
  logTail,
  processStartTime,
  stopByPidFile,
} from '../platform/process.ts';
import { PROJECT_ROOT, temporalUiUrl, type Config } from '../config.ts';
import { HarmoniseError, MissingDependencyError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { ensureApi, stopApi } from './api-service.ts';
import { startInBackground } from './background.ts';
import {
  ensureSlurmCluster,
  stopSlurmCluster,
  type SlurmClusterState,
  type SlurmClusterStop,
} from './slurm-cluster.ts';
import { pathExists, readJsonIfExists, writeJsonAtomic } from '../store/atomic.ts';
import { createLayout } from '../store/layout.ts';

export interface UpResult {
  dataRoot: string;
  /** The HTTP API's base URL. */
  api: string;
  temporalUi: string;
  /** Development tokens for the HTTP API, role → token (mode 0600). */
  tokensFile: string;
  temporalAddress: string;
  temporal: { pid: number | null; started: boolean };
  executor: 'local' | 'slurm';
  /** The Slurm cluster the worker submits to (executor slurm only). */
  slurm: SlurmClusterState | null;
  worker: { pid: number; started: boolean; log: string };
  apiProcess: { pid: number; started: boolean; log: string };
}

function files(config: Config) {
  const layout = createLayout(config.dataRoot);
  return {
    workerPid: path.join(layout.runDir, 'worker.pid'),
    /** The executor this data root's workers use, kept across `down` and crashes. */
    executorChoice: path.join(layout.runDir, 'executor.json'),
    /** Present while this checkout's single-node cluster runs because this data root's `up` started it. */
    slurmStarted: path.join(layout.runDir, 'slurm-started.json'),
    workerLog: path.join(layout.logsDir, 'worker.log'),
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
  const server = await ensureDevServer(
    {
      cli: config.temporal.cli,
      address: config.temporal.address,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      dir: paths.temporalDir,
    },
    logger,
  );
  const slurm = config.executor.kind === 'slurm' ? await ensureSlurmCluster(config) : null;
  if (slurm?.started) {
    await writeJsonAtomic(paths.slurmStarted, {
      conf: slurm.conf,
      startedAt: new Date().toISOString(),
    });
  }
  const worker = await ensureWorker(config, logger);
  await writeJsonAtomic(paths.executorChoice, { executor: config.executor.kind });
  const api = await ensureApi(config);
  return {
    dataRoot: config.dataRoot,
    api: api.url,
    temporalUi: temporalUiUrl(config),
    tokensFile: api.tokensFile,
    temporalAddress: config.temporal.address,
    temporal: { pid: server.pid, started: server.started },
    executor: config.executor.kind,
    slurm,
    worker,
    apiProcess: { pid: api.pid, started: api.started, log: api.log },
  };
}

/** Starts a background worker unless one recorded in the pid file is alive. */
export async function ensureWorker(
  config: Config,
  logger: Logger,
): Promise<{ pid: number; started: boolean; log: string }> {
  const paths = files(config);
  const running = await livePid(paths.workerPid);
  if (running) {
    const executor = running.meta?.executor ?? 'local';
    if (executor !== config.executor.kind) {
      throw new HarmoniseError(
        'WORKER_MISMATCH',
        `a worker with the ${executor} executor is running (pid ${running.pid}); ` +
          'stop it with "harmonise down" before starting one for another executor',
      );
    }
    return { pid: running.pid, started: false, log: paths.workerLog };
  }
  const pid = await startInBackground('worker', {
    logFile: paths.workerLog,
    pidFile: paths.workerPid,
    env: { HARMONISE_DATA: config.dataRoot, HARMONISE_EXECUTOR: config.executor.kind },
    meta: { executor: config.executor.kind },
  });
  await waitForWorker(config, pid, paths.workerLog);
  logger.info({ pid, log: paths.workerLog }, 'worker started');
  return { pid, started: true, log: paths.workerLog };
}

/** Waits until a worker with this pid polls the task queue (its identity is `<pid>@<host>`). */
async function waitForWorker(config: Config, pid: number, logFile: string): Promise<void> {
  const connection = await Connection.connect({ address: config.temporal.address });
  const started = processStartTime(pid) ?? '';
  try {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const response = await connection.workflowService.describeTaskQueue({
        namespace: config.temporal.namespace,
        taskQueue: { name: config.temporal.taskQueue },
        taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((response.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`))) return;
      if (!isProcessAlive(pid, started)) break;
      await sleep(250);
    }
  } finally {
    await connection.close();
  }
  const tail = await logTail(logFile, 20);
  throw new HarmoniseError(
    'WORKER_START',
    `the worker (pid ${pid}) did not start polling; its log ends:\n${tail}`,
  );
}

export interface DownResult {
  dataRoot: string;
  api: number | null;
  worker: number | null;
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
  const worker = await stopByPidFile(paths.workerPid, 20_000);
  const temporalPid = await stopDevServer(paths.temporalDir);
  // The SQLite database must be closed before the next start; give the server a moment.
  if (temporalPid !== null) await sleep(200);
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
    temporal: temporalPid,
    slurm,
    nothingFound: api === null && worker === null && temporalPid === null && !slurm?.stopped,
  };
}
