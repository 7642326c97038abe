/**
 * A data root's local Temporal cluster: the Temporal server built from source on its own
 * PostgreSQL, with SQL advanced visibility and mTLS on the frontend. infra/temporal/cluster/up.sh
 * builds (once per machine), creates and starts it, idempotently; this module runs that script,
 * waits until the frontend answers over mTLS, and registers the namespace and harmonise's search
 * attributes, as `ensureDevServer` does for the dev server. `harmonise down` stops it with
 * down.sh, by its pids.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT, type Config } from '../config.ts';
import { HarmoniseError, ServiceUnreachableError, errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { SEARCH_ATTRIBUTE_TYPES } from '../shared.ts';
import {
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from '../temporal-connection.ts';
import { ensureSearchAttributes } from './search-attributes.ts';
import { waitUntilServing } from './temporal-dev-server.ts';

const SCRIPTS = path.join(PROJECT_ROOT, 'infra', 'temporal', 'cluster');
/** How long a namespace's closed workflows stay in the cluster's history. */
const RETENTION_DAYS = 30;

export interface ClusterServer {
  address: string;
  pid: number | null;
  /** False when it was already running. */
  started: boolean;
  /** go.temporal.io/server release. */
  version: string;
  historyShards: number;
  /** The cluster's folder: PostgreSQL data, certificates, config, logs. */
  dir: string;
  log: string;
}

/** What up.sh writes for clients (client.json). */
interface ClusterRecord {
  address: string;
  historyShards: number;
  version: string;
  pidFile: string;
  portsFile: string;
  log: string;
}

export function clusterFiles(dir: string) {
  return {
    client: path.join(dir, 'client.json'),
    pid: path.join(dir, 'run', 'temporal-server.pid'),
    ports: path.join(dir, 'run', 'ports.env'),
    log: path.join(dir, 'logs', 'temporal-server.log'),
  };
}

function scriptEnv(config: Config): Record<string, string> {
  return {
    HARMONISE_TEMPORAL_CLUSTER_DIR: config.temporal.clusterDir,
    HARMONISE_TEMPORAL_ADDRESS: config.temporal.address,
    ...(config.temporal.historyShards !== null
      ? { HARMONISE_TEMPORAL_HISTORY_SHARDS: String(config.temporal.historyShards) }
      : {}),
  };
}

/** The cluster's server pid, if that process is alive and is this cluster's server. */
export async function clusterServerPid(dir: string): Promise<number | null> {
  const text = await fs.readFile(clusterFiles(dir).pid, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const command = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  // Its command line is `temporal-server --root <dir> ...`, NUL-separated.
  return command.includes(`\0${dir}\0`) ? pid : null;
}

export async function ensureClusterServer(config: Config, logger: Logger): Promise<ClusterServer> {
  const files = clusterFiles(config.temporal.clusterDir);
  const before = await clusterServerPid(config.temporal.clusterDir);
  await runScript(config, 'up.sh', 'could not be started');
  const record = JSON.parse(await fs.readFile(files.client, 'utf8')) as ClusterRecord;
  const pid = await clusterServerPid(config.temporal.clusterDir);
  const server = temporalConnectionOptions(config.temporal);
  await waitUntilServing(server, pid, record.log, 120_000);
  const { namespace } = config.temporal;
  // A server that has just started answers before its history hosts have joined (UNAVAILABLE:
  // not enough hosts); a new namespace, and new search attributes, reach the frontend's caches
  // some seconds after they are written. Until then requests naming them fail.
  await untilAccepted('the cluster', () => ensureNamespace(server, namespace, logger));
  await untilAccepted(`the namespace ${namespace}`, () =>
    ensureSearchAttributes(server, namespace),
  );
  await untilAccepted(`the search attributes of ${namespace}`, () => searchable(server, namespace));
  const started = before === null || before !== pid;
  logger.info(
    { pid, address: record.address, version: record.version, shards: record.historyShards },
    started ? 'Temporal cluster started' : 'Temporal cluster already running',
  );
  return {
    address: record.address,
    pid,
    started,
    version: record.version,
    historyShards: record.historyShards,
    dir: config.temporal.clusterDir,
    log: record.log,
  };
}

/** Stops the cluster's server and PostgreSQL; returns the server's pid, null when it was not running. */
export async function stopClusterServer(config: Config): Promise<number | null> {
  const running = await clusterServerPid(config.temporal.clusterDir);
  await runScript(config, 'down.sh', 'did not stop');
  return running;
}

/** Runs one of infra/temporal/cluster's scripts; its messages go to stderr. */
async function runScript(config: Config, script: string, failure: string): Promise<void> {
  const result = await execa('sh', [path.join(SCRIPTS, script)], {
    env: scriptEnv(config),
    stdin: 'ignore',
    stderr: 2,
    reject: false,
  });
  if (result.exitCode !== 0) {
    throw new ServiceUnreachableError(
      `the local Temporal cluster ${failure} (infra/temporal/cluster/${script} exited ${result.exitCode}; see its messages above)`,
    );
  }
}

/** Registers the namespace when the cluster has none of that name (a new cluster has none). */
async function ensureNamespace(
  server: TemporalConnectionOptions,
  namespace: string,
  logger: Logger,
): Promise<void> {
  const connection = await Connection.connect(server);
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'harmonise',
      workflowExecutionRetentionPeriod: msToTs(`${RETENTION_DAYS} days`),
    });
    logger.info({ namespace, retentionDays: RETENTION_DAYS }, 'Temporal namespace registered');
  } finally {
    await connection.close();
  }
}

/** Accepted once a visibility query over every harmonise search attribute is. */
async function searchable(server: TemporalConnectionOptions, namespace: string): Promise<void> {
  const query = Object.keys(SEARCH_ATTRIBUTE_TYPES)
    .map((name) => `${name} = ''`)
    .join(' OR ');
  const connection = await Connection.connect(server);
  try {
    await connection.workflowService.countWorkflowExecutions({ namespace, query });
  } finally {
    await connection.close();
  }
}

/** Retries `attempt` until it succeeds, for up to 90 s. */
async function untilAccepted(what: string, attempt: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new HarmoniseError(
          'TEMPORAL_NOT_READY',
          `${what} is not usable on the cluster after 90 s: ${errorMessage(error)}`,
        );
      }
      await sleep(500);
    }
  }
}

function isNotFound(error: unknown): boolean {
  // gRPC status 5: NOT_FOUND.
  return (error as { code?: number } | null)?.code === 5;
}
