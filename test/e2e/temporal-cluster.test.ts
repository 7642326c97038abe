/**
 * The local Temporal cluster (infra/temporal/cluster) as `harmonise up --temporal cluster`
 * starts it: PostgreSQL-backed, SQL visibility, mTLS on the frontend. A client with the
 * cluster's certificate is served; one without a certificate, or without TLS, is refused;
 * starting it again changes nothing; its history shards cannot be changed; it stops by its pids.
 */
import { Connection } from '@temporalio/client';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterServerPid,
  ensureClusterServer,
  stopClusterServer,
} from '../../src/cli/temporal-cluster.ts';
import { PROJECT_ROOT, loadConfig, type Config } from '../../src/config.ts';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/shared.ts';
import { temporalConnectionOptions } from '../../src/temporal-connection.ts';
import { testLogger } from '../helpers/logger.ts';
import { freePort } from '../helpers/ports.ts';

let dir: string;
let config: Config;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-cluster-'));
  // As root, PostgreSQL runs as the postgres user, which must reach its data folder.
  await fs.chmod(dir, 0o711);
  config = loadConfig({
    HARMONISE_DATA: path.join(dir, 'data'),
    HARMONISE_TEMPORAL_SERVER: 'cluster',
    HARMONISE_TEMPORAL_CLUSTER_DIR: path.join(dir, 'cluster'),
    HARMONISE_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
  });
});

afterAll(async () => {
  await stopClusterServer(config).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
});

/** Whether a connection with these options is served (an RPC that needs no namespace). */
async function served(options: Parameters<typeof Connection.connect>[0]): Promise<string> {
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: 5000 });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      return `served ${info.serverVersion}`;
    } finally {
      await connection.close();
    }
  } catch (error) {
    return `refused: ${String(error)}`;
  }
}

describe('the local Temporal cluster', () => {
  it('starts on PostgreSQL with mTLS, and serves only clients with its certificate', async () => {
    const cluster = await ensureClusterServer(config, testLogger);
    expect(cluster.started).toBe(true);
    expect(cluster.historyShards).toBe(512);
    expect(cluster.version).toMatch(/^v1\.29\./);
    const options = temporalConnectionOptions(config.temporal);
    expect(options.tls?.clientCertPair).toBeDefined();
    expect(await served(options)).toMatch(/^served 1\.29\./);

    const serverOnly = { ...options.tls };
    delete serverOnly.clientCertPair;
    expect(await served({ ...options, tls: serverOnly })).toMatch(/^refused/);
    expect(await served({ address: options.address })).toMatch(/^refused/);

    // The namespace and every harmonise search attribute were registered.
    const connection = await Connection.connect(options);
    try {
      const attributes = await connection.operatorService.listSearchAttributes({
        namespace: config.temporal.namespace,
      });
      expect(Object.keys(attributes.customAttributes ?? {})).toEqual(
        expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTE_TYPES)),
      );
    } finally {
      await connection.close();
    }
    // PostgreSQL holds the two databases.
    const databases = await fs.readFile(path.join(dir, 'cluster', 'logs', 'schema.log'), 'utf8');
    expect(databases).toContain('postgresql/v12/temporal');
    expect(databases).toContain('postgresql/v12/visibility');
  }, 300_000);

  it('is left as it is by a second start, and refuses another number of history shards', async () => {
    const pid = await clusterServerPid(config.temporal.clusterDir);
    const again = await ensureClusterServer(config, testLogger);
    expect(again.started).toBe(false);
    expect(again.pid).toBe(pid);

    const script = path.join(PROJECT_ROOT, 'infra', 'temporal', 'cluster', 'up.sh');
    const changed = await execa('sh', [script], {
      reject: false,
      env: {
        HARMONISE_TEMPORAL_CLUSTER_DIR: config.temporal.clusterDir,
        HARMONISE_TEMPORAL_ADDRESS: config.temporal.address,
        HARMONISE_TEMPORAL_HISTORY_SHARDS: '4',
      },
    });
    expect(changed.exitCode).toBe(1);
    expect(changed.stderr).toContain('created with 512 history shards');
    expect(await clusterServerPid(config.temporal.clusterDir)).toBe(pid);
  }, 120_000);

  it('stops its server and its PostgreSQL by their pids', async () => {
    const pid = await clusterServerPid(config.temporal.clusterDir);
    expect(pid).not.toBeNull();
    expect(await stopClusterServer(config)).toBe(pid);
    expect(await clusterServerPid(config.temporal.clusterDir)).toBeNull();
    const postmaster = await fs
      .readFile(path.join(config.temporal.clusterDir, 'pg', 'postmaster.pid'), 'utf8')
      .catch(() => null);
    expect(postmaster).toBeNull();
    expect(await served(temporalConnectionOptions(config.temporal))).toMatch(/^refused/);
  }, 120_000);
});
