/**
 * The Temporal server behind `harmonise up` and `down`: the dev server (SQLite, one process), the
 * data root's local cluster (temporal-cluster.ts), or an external server harmonise only checks.
 */
import { Connection } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config, TemporalServerKind } from '../config.ts';
import { temporalRecordFile } from '../config-temporal.ts';
import { HarmoniseError, ServiceUnreachableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { SEARCH_ATTRIBUTE_TYPES } from '../shared.ts';
import { readJsonIfExists } from '../store/atomic.ts';
import { describeTemporalSecurity, temporalConnectionOptions } from '../temporal-connection.ts';
import { ensureClusterServer, stopClusterServer } from './temporal-cluster.ts';
import { ensureDevServer, isServing, stopDevServer } from './temporal-dev-server.ts';

export interface TemporalService {
  pid: number | null;
  started: boolean;
  /** dev, cluster or external (harmonise started nothing). */
  server: TemporalServerKind;
  /** plaintext, TLS, mTLS, with "+ API key" when one is sent. */
  security: string;
  /** The server's history shards, where known (the dev server has 1). */
  historyShards: number | null;
}

/** Starts the Temporal server `up` is configured to use, or checks that an external one serves. */
export async function ensureTemporal(
  config: Config,
  devDir: string,
  logger: Logger,
): Promise<TemporalService> {
  const security = describeTemporalSecurity(config.temporal);
  const kind = config.temporal.server;
  if (kind === 'cluster') {
    const cluster = await ensureClusterServer(config, logger);
    return {
      pid: cluster.pid,
      started: cluster.started,
      server: kind,
      security,
      historyShards: cluster.historyShards,
    };
  }
  if (kind === 'external') {
    await checkExternalServer(config);
    return { pid: null, started: false, server: kind, security, historyShards: null };
  }
  const dev = await ensureDevServer(
    {
      cli: config.temporal.cli,
      address: config.temporal.address,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      dir: devDir,
    },
    logger,
  );
  return { pid: dev.pid, started: dev.started, server: kind, security, historyShards: 1 };
}

/**
 * A server harmonise did not start must serve, and must already have harmonise's search
 * attributes: adding them is its operators' decision (docs/operations.md says how).
 */
async function checkExternalServer(config: Config): Promise<void> {
  const options = temporalConnectionOptions(config.temporal);
  const where = `${config.temporal.address} (${describeTemporalSecurity(config.temporal)})`;
  if (!(await isServing(options, 10_000))) {
    throw new ServiceUnreachableError(
      `no Temporal server answers at ${where}: check HARMONISE_TEMPORAL_ADDRESS and the TLS settings`,
    );
  }
  const connection = await Connection.connect(options);
  try {
    const { namespace } = config.temporal;
    const known = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.keys(SEARCH_ATTRIBUTE_TYPES).filter(
      (name) => !(name in (known.customAttributes ?? {})),
    );
    if (missing.length > 0) {
      throw new HarmoniseError(
        'TEMPORAL_SEARCH_ATTRIBUTES',
        `the namespace ${namespace} at ${where} lacks harmonise's search attributes ${missing.join(', ')}: ` +
          'add them as Keyword attributes (temporal operator search-attribute create, docs/operations.md)',
      );
    }
  } finally {
    await connection.close();
  }
}

/** Stops the dev server, or the local cluster, that this data root's `up` started. */
export async function stopTemporal(config: Config, devDir: string): Promise<number | null> {
  const recorded = (await readJsonIfExists(temporalRecordFile(config.dataRoot))) as
    { server?: string; clusterDir?: string } | undefined;
  const devPid = await stopDevServer(devDir);
  // The SQLite database must be closed before the next start; give the server a moment.
  if (devPid !== null) await sleep(200);
  if (recorded?.server !== 'cluster') return devPid;
  const clusterDir = recorded.clusterDir ?? config.temporal.clusterDir;
  const clusterPid = await stopClusterServer({
    ...config,
    temporal: { ...config.temporal, clusterDir },
  });
  return devPid ?? clusterPid;
}
