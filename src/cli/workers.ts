/**
 * The background workers of `harmonise up --workers N`: worker 1 keeps the file names of the
 * single-worker days (`run/worker.pid`, `logs/worker.log`), worker n is `worker-<n>`. Each is
 * started detached, awaited until it polls the task queue, and stopped by its pid.
 */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.ts';
import { HarmoniseError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import {
  isProcessAlive,
  livePid,
  logTail,
  processStartTime,
  stopByPidFile,
  type PidRecord,
} from '../platform/process.ts';
import { createLayout } from '../store/layout.ts';
import { temporalConnectionOptions } from '../temporal-connection.ts';
import { startInBackground } from './background.ts';

function workerFiles(config: Config, n: number) {
  const layout = createLayout(config.dataRoot);
  const name = n === 1 ? 'worker' : `worker-${n}`;
  return {
    pid: path.join(layout.runDir, `${name}.pid`),
    log: path.join(layout.logsDir, `${name}.log`),
  };
}

export interface WorkerProcess {
  pid: number;
  started: boolean;
  log: string;
}

/**
 * Starts `config.workers` background workers unless those recorded in their pid files are
 * alive. With the local executor, each worker runs jobs within its share of the machine's CPUs
 * and memory, so that N workers never run more than the machine holds.
 */
export async function ensureWorkers(config: Config, logger: Logger): Promise<WorkerProcess[]> {
  const started: WorkerProcess[] = [];
  for (let n = 1; n <= config.workers; n++) started.push(await ensureWorker(config, logger, n));
  return started;
}

/** Starts background worker `n` unless the one recorded in its pid file is alive. */
export async function ensureWorker(config: Config, logger: Logger, n = 1): Promise<WorkerProcess> {
  const { pid: pidFile, log: logFile } = workerFiles(config, n);
  const running = await livePid(pidFile);
  if (running) {
    const executor = running.meta?.executor ?? 'local';
    if (executor !== config.executor.kind) {
      throw new HarmoniseError(
        'WORKER_MISMATCH',
        `a worker with the ${executor} executor is running (pid ${running.pid}); ` +
          'stop it with "harmonise down" before starting one for another executor',
      );
    }
    return { pid: running.pid, started: false, log: logFile };
  }
  const { cpus, memMiB } = config.executor.local;
  const share = config.workers;
  const pid = await startInBackground('worker', {
    logFile,
    pidFile,
    env: {
      HARMONISE_DATA: config.dataRoot,
      HARMONISE_EXECUTOR: config.executor.kind,
      HARMONISE_TEMPORAL_SERVER: config.temporal.server,
      ...(config.executor.kind === 'local' && share > 1
        ? {
            HARMONISE_LOCAL_CPUS: String(Math.max(1, Math.floor(cpus / share))),
            HARMONISE_LOCAL_MEM_MIB: String(Math.max(256, Math.floor(memMiB / share))),
          }
        : {}),
    },
    meta: { executor: config.executor.kind },
  });
  await waitForWorker(config, pid, logFile);
  logger.info({ pid, log: logFile, worker: n }, 'worker started');
  return { pid, started: true, log: logFile };
}

/** Waits until a worker with this pid polls the task queue (its identity is `<pid>@<host>`). */
async function waitForWorker(config: Config, pid: number, logFile: string): Promise<void> {
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  const started = processStartTime(pid) ?? '';
  try {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      // A server that has just started may answer UNAVAILABLE (its matching hosts not joined
      // yet): ask again until the deadline.
      const response = await connection.workflowService
        .describeTaskQueue({
          namespace: config.temporal.namespace,
          taskQueue: { name: config.temporal.taskQueue },
          taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        })
        .catch(() => null);
      if ((response?.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`))) return;
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

/** Stops every worker recorded in the run folder (`worker.pid`, `worker-<n>.pid`), at once. */
export async function stopWorkers(runDir: string): Promise<PidRecord[]> {
  const names = await fs.readdir(runDir).catch(() => [] as string[]);
  const pidFiles = names
    .filter((name) => /^worker(-\d+)?\.pid$/.test(name))
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
  const stopped = await Promise.all(
    pidFiles.map((name) => stopByPidFile(path.join(runDir, name), 20_000)),
  );
  return stopped.filter((record): record is PidRecord => record !== null);
}
