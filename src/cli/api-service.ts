/**
 * The HTTP API as a background service of `harmonise up` / `down`: development tokens for every
 * role (written once, kept across restarts), one `harmonise api` process recorded in a pid file,
 * started only when none is alive, and ready once `/healthz` answers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { livePid, logTail, stopByPidFile, writePidFile } from '../../infra/pid-file.ts';
import { ensureDevTokens, tokenFiles } from '../api/auth.ts';
import { apiUrl, PROJECT_ROOT, type Config } from '../config.ts';
import { HarmoniseError } from '../errors.ts';
import { isProcessAlive, processStartTime } from '../executors/local-proc.ts';
import { createLayout } from '../store/layout.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'harmonise.js');

function apiFiles(config: Config) {
  const layout = createLayout(config.dataRoot);
  return {
    pid: path.join(layout.runDir, 'api.pid'),
    log: path.join(layout.logsDir, 'api.log'),
  };
}

export interface ApiState {
  url: string;
  tokensFile: string;
  pid: number;
  started: boolean;
  log: string;
}

export async function ensureApi(config: Config): Promise<ApiState> {
  const files = apiFiles(config);
  const tokens = tokenFiles(config.dataRoot);
  await ensureDevTokens(tokens, config.regions);
  const url = apiUrl(config);
  const running = await livePid(files.pid);
  if (running) {
    return { url, tokensFile: tokens.tokensFile, pid: running.pid, started: false, log: files.log };
  }
  await fsp.mkdir(path.dirname(files.log), { recursive: true });
  const log = fs.openSync(files.log, 'a');
  const child = spawn(process.execPath, [BIN, 'api'], {
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      HARMONISE_DATA: config.dataRoot,
      HARMONISE_TEMPORAL_ADDRESS: config.temporal.address,
      HARMONISE_API_HOST: config.api.host,
      HARMONISE_API_PORT: String(config.api.port),
    },
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new HarmoniseError('API_START', 'the API did not start');
  child.unref();
  await writePidFile(files.pid, child.pid, `${process.execPath} ${BIN} api`);
  await waitForHealth(url, child.pid, files.log);
  return { url, tokensFile: tokens.tokensFile, pid: child.pid, started: true, log: files.log };
}

async function waitForHealth(url: string, pid: number, logFile: string): Promise<void> {
  const started = processStartTime(pid) ?? '';
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return;
    if (!isProcessAlive(pid, started)) break;
    await sleep(200);
  }
  throw new HarmoniseError(
    'API_START',
    `the API (pid ${pid}) did not answer at ${url}/healthz; its log ends:\n${await logTail(logFile, 20)}`,
  );
}

export async function stopApi(config: Config): Promise<number | null> {
  return (await stopByPidFile(apiFiles(config).pid, 10_000))?.pid ?? null;
}
