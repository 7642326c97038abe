/**
 * A real Temporal dev server for tests, started by the same code as `harmonise up` on free
 * loopback ports and a throw-away SQLite file. It fails, never skips, when the CLI is missing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDevServer, stopDevServer } from '../../src/cli/temporal-dev-server.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import { testLogger } from './logger.ts';
import { freePort } from './ports.ts';

export interface TestTemporal {
  address: string;
  uiPort: number;
  dir: string;
  stop(): Promise<void>;
}

export const TEMPORAL_CLI = path.join(PROJECT_ROOT, '.tools/temporal/bin/temporal');

export async function startTestTemporal(): Promise<TestTemporal> {
  try {
    await fs.access(TEMPORAL_CLI);
  } catch {
    throw new Error(
      `the Temporal CLI is missing at ${TEMPORAL_CLI}: run "npm run bootstrap" (npm test does)`,
    );
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-temporal-'));
  const port = await freePort();
  const uiPort = await freePort();
  const address = `127.0.0.1:${port}`;
  await ensureDevServer(
    { cli: TEMPORAL_CLI, address, uiPort, namespace: 'default', dir },
    testLogger,
  );
  return {
    address,
    uiPort,
    dir,
    async stop() {
      await stopDevServer(dir);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
