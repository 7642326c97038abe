/**
 * The Temporal server of a benchmark, on free loopback ports under its data root: the embedded
 * dev server (SQLite), or a local cluster (PostgreSQL, mTLS; infra/temporal/cluster) started by
 * the same code as `harmonise up --temporal cluster`. Both serve their Prometheus metrics, so a
 * benchmark reads the server's load from its own counters.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  clusterFiles,
  ensureClusterServer,
  stopClusterServer,
} from '../src/cli/temporal-cluster.ts';
import { ensureDevServer, stopDevServer } from '../src/cli/temporal-dev-server.ts';
import { PROJECT_ROOT, loadConfig } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import { freePort } from '../test/helpers/ports.ts';

export interface BenchTemporal {
  kind: 'dev' | 'cluster';
  address: string;
  /** The server process. */
  pid: number | null;
  /** PostgreSQL's postmaster (cluster only): its backends are its children. */
  databasePid: number | null;
  historyShards: number;
  /** What a harmonise process needs to reach the server. */
  env: Record<string, string>;
  metricsUrl: string;
  stop(): Promise<void>;
}

export async function startBenchTemporal(
  root: string,
  logger: Logger,
  options: { metricsPort?: number; kind?: 'dev' | 'cluster' } = {},
): Promise<BenchTemporal> {
  const address = `127.0.0.1:${await freePort()}`;
  if (options.kind === 'cluster') return startBenchCluster(root, address, logger);
  const dir = path.join(root, 'temporal');
  const metricsPort = options.metricsPort ?? (await freePort());
  const server = await ensureDevServer(
    {
      cli: path.join(PROJECT_ROOT, '.tools/temporal/bin/temporal'),
      address,
      uiPort: await freePort(),
      namespace: 'default',
      dir,
      metricsPort,
    },
    logger,
  );
  return {
    kind: 'dev',
    address,
    pid: server.pid,
    databasePid: null,
    historyShards: 1,
    env: { HARMONISE_TEMPORAL_ADDRESS: address, HARMONISE_TEMPORAL_SERVER: 'dev' },
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    stop: async () => {
      await stopDevServer(dir);
    },
  };
}

async function startBenchCluster(
  root: string,
  address: string,
  logger: Logger,
): Promise<BenchTemporal> {
  // As root, PostgreSQL runs as the postgres user, which must reach its folder.
  await fs.chmod(root, 0o711);
  const env = {
    HARMONISE_DATA: root,
    HARMONISE_TEMPORAL_SERVER: 'cluster',
    HARMONISE_TEMPORAL_CLUSTER_DIR: path.join(root, 'temporal-cluster'),
    HARMONISE_TEMPORAL_ADDRESS: address,
  };
  const config = loadConfig(env);
  const cluster = await ensureClusterServer(config, logger);
  const dir = config.temporal.clusterDir;
  const ports = await fs.readFile(clusterFiles(dir).ports, 'utf8');
  const metricsPort = /^metrics=(\d+)$/m.exec(ports)?.[1];
  const postmaster = await fs.readFile(path.join(dir, 'pg', 'postmaster.pid'), 'utf8');
  return {
    kind: 'cluster',
    address,
    pid: cluster.pid,
    databasePid: Number(postmaster.split('\n')[0]),
    historyShards: cluster.historyShards,
    env,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    stop: async () => {
      await stopClusterServer(config);
    },
  };
}
