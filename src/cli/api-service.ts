/**
 * The HTTP API as a background service of `harmonise up` / `down`: development tokens for every
 * role (written once, kept across restarts), one `harmonise api` process recorded in a pid file,
 * started only when none is alive, and ready once `/healthz` answers.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isProcessAlive,
  livePid,
  logTail,
  processStartTime,
  stopByPidFile,
} from '../platform/process.ts';
import { ensureDevTokens, tokenFiles } from '../api/auth.ts';
import { apiUrl, type Config } from '../config.ts';
import { startInBackground } from './background.ts';
import { HarmoniseError } from '../errors.ts';
import { createLayout } from '../store/layout.ts';

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
  const pid = await startInBackground('api', {
    logFile: files.log,
    pidFile: files.pid,
    env: {
      HARMONISE_DATA: config.dataRoot,
      HARMONISE_TEMPORAL_ADDRESS: config.temporal.address,
      HARMONISE_TEMPORAL_SERVER: config.temporal.server,
      HARMONISE_API_HOST: config.api.host,
      HARMONISE_API_PORT: String(config.api.port),
    },
  });
  await waitForHealth(config, url, pid, files.log);
  return { url, tokensFile: tokens.tokensFile, pid, started: true, log: files.log };
}

/**
 * Waits until the API process `pid` answers /healthz. Another server answering on the port (its
 * /healthz names another pid, or is not harmonise's) is an error naming the port: `up` never
 * reports success for an API that died because the port was taken.
 */
async function waitForHealth(
  config: Config,
  url: string,
  pid: number,
  logFile: string,
): Promise<void> {
  const started = processStartTime(pid) ?? '';
  const deadline = Date.now() + 60_000;
  let other: string | null = null;
  while (Date.now() < deadline) {
    const answer = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) })
      .then(async (response) => (await response.json().catch(() => ({}))) as { pid?: unknown })
      .catch(() => null);
    if (answer !== null && answer.pid === pid) return;
    if (answer !== null) {
      other =
        typeof answer.pid === 'number' ? `harmonise API pid ${answer.pid}` : 'not a harmonise API';
    }
    if (!isProcessAlive(pid, started)) break;
    await sleep(200);
  }
  const taken =
    other === null
      ? ''
      : `port ${config.api.port} is answered by another server (${other}); choose another with HARMONISE_API_PORT. `;
  throw new HarmoniseError(
    'API_START',
    `${taken}the API (pid ${pid}) did not answer at ${url}/healthz; its log ends:\n${await logTail(logFile, 20)}`,
  );
}

export async function stopApi(config: Config): Promise<number | null> {
  return (await stopByPidFile(apiFiles(config).pid, 10_000))?.pid ?? null;
}
