/**
 * A real Temporal server for tests, started by the same code as `harmonise up` on free
 * loopback ports: the dev server on a throw-away SQLite file, or, with
 * HARMONISE_TEST_TEMPORAL=cluster, a throw-away local cluster (PostgreSQL, mTLS; see
 * infra/temporal/cluster). It fails, never skips, when the server cannot start.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureClusterServer, stopClusterServer } from '../../src/cli/temporal-cluster.ts';
import { ensureDevServer, stopDevServer } from '../../src/cli/temporal-dev-server.ts';
import { PROJECT_ROOT, loadConfig } from '../../src/config.ts';
import {
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from '../../src/temporal-connection.ts';
import { testLogger } from './logger.ts';
import { freePort } from './ports.ts';

export interface TestTemporal {
  address: string;
  uiPort: number;
  dir: string;
  /** What a harmonise configuration needs to reach this server (address; TLS for a cluster). */
  env: Record<string, string>;
  /** The same for the Temporal CLI (`temporal workflow list ...`). */
  cliFlags: string[];
  /** The same for an SDK connection of the test's own. */
  connection: TemporalConnectionOptions;
  stop(): Promise<void>;
}

export const TEMPORAL_CLI = path.join(PROJECT_ROOT, '.tools/temporal/bin/temporal');

/** Which server the tests run on: `dev` (default) or `cluster`. */
export function testTemporalKind(): 'dev' | 'cluster' {
  const kind = process.env.HARMONISE_TEST_TEMPORAL ?? 'dev';
  if (kind !== 'dev' && kind !== 'cluster') {
    throw new Error(`HARMONISE_TEST_TEMPORAL must be dev or cluster, not "${kind}"`);
  }
  return kind;
}

export async function startTestTemporal(): Promise<TestTemporal> {
  try {
    await fs.access(TEMPORAL_CLI);
  } catch {
    throw new Error(
      `the Temporal CLI is missing at ${TEMPORAL_CLI}: run "npm run bootstrap" (npm test does)`,
    );
  }
  return testTemporalKind() === 'cluster' ? startTestCluster() : startTestDevServer();
}

async function startTestDevServer(): Promise<TestTemporal> {
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
    env: { HARMONISE_TEMPORAL_ADDRESS: address },
    cliFlags: ['--address', address],
    connection: { address },
    async stop() {
      await stopDevServer(dir);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

async function startTestCluster(): Promise<TestTemporal> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-temporal-cluster-'));
  // As root, PostgreSQL runs as the postgres user, which must reach its data folder.
  await fs.chmod(dir, 0o711);
  const address = `127.0.0.1:${await freePort()}`;
  const clusterDir = path.join(dir, 'cluster');
  const config = loadConfig({
    HARMONISE_DATA: path.join(dir, 'data'),
    HARMONISE_TEMPORAL_SERVER: 'cluster',
    HARMONISE_TEMPORAL_CLUSTER_DIR: clusterDir,
    HARMONISE_TEMPORAL_ADDRESS: address,
  });
  await ensureClusterServer(config, testLogger);
  const { tls } = config.temporal;
  const env = {
    HARMONISE_TEMPORAL_ADDRESS: address,
    // The test's own processes connect; they start nothing.
    HARMONISE_TEMPORAL_SERVER: 'external',
    HARMONISE_TEMPORAL_TLS_CA: tls.ca!,
    HARMONISE_TEMPORAL_TLS_CERT: tls.cert!,
    HARMONISE_TEMPORAL_TLS_KEY: tls.key!,
    HARMONISE_TEMPORAL_TLS_SERVER_NAME: tls.serverName!,
  };
  return {
    address,
    uiPort: 0,
    dir,
    env,
    cliFlags: [
      '--address',
      address,
      '--tls-ca-path',
      tls.ca!,
      '--tls-cert-path',
      tls.cert!,
      '--tls-key-path',
      tls.key!,
      '--tls-server-name',
      tls.serverName!,
    ],
    connection: temporalConnectionOptions(config.temporal),
    async stop() {
      await stopClusterServer(config);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
