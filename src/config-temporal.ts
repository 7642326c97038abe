/**
 * The Temporal settings that depend on each other: which server `up` starts, the local cluster's
 * folder, TLS and the API key (read by temporal-connection.ts). Part of loadConfig (config.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
type Env = Readonly<Record<string, string | undefined>>;

/**
 * Which Temporal server, and how to reach it. Unset, the server kind is the one the data root's
 * `up` last started (`run/temporal.json`), so that every command on a data root whose services
 * run on its local cluster connects to that cluster, with its certificates, without settings.
 */
export function temporalServerSettings(env: Env, dataRoot: string) {
  const server = env.HARMONISE_TEMPORAL_SERVER || recordedTemporalServer(dataRoot) || 'dev';
  const clusterDir = path.resolve(env.HARMONISE_TEMPORAL_CLUSTER_DIR || localClusterDir(dataRoot));
  const certs = path.join(clusterDir, 'certs');
  const local = server === 'cluster';
  const file = (value: string | undefined, fallback: string) =>
    value ? path.resolve(value) : local ? path.join(certs, fallback) : null;
  const ca = file(env.HARMONISE_TEMPORAL_TLS_CA, 'ca.pem');
  const cert = file(env.HARMONISE_TEMPORAL_TLS_CERT, 'client.pem');
  const key = file(env.HARMONISE_TEMPORAL_TLS_KEY, 'client-key.pem');
  const apiKeyFile = env.HARMONISE_TEMPORAL_API_KEY_FILE
    ? path.resolve(env.HARMONISE_TEMPORAL_API_KEY_FILE)
    : null;
  const apiKey = env.HARMONISE_TEMPORAL_API_KEY || null;
  const tlsSetting = env.HARMONISE_TEMPORAL_TLS;
  return {
    server,
    clusterDir,
    historyShards: env.HARMONISE_TEMPORAL_HISTORY_SHARDS || null,
    tls: {
      enabled:
        tlsSetting === undefined || tlsSetting === ''
          ? Boolean(ca || cert || key || apiKeyFile || apiKey)
          : tlsSetting === 'true',
      ca,
      cert,
      key,
      serverName: env.HARMONISE_TEMPORAL_TLS_SERVER_NAME || (local ? 'localhost' : null),
    },
    apiKeyFile,
    apiKey,
  };
}

/** The record `harmonise up` keeps of the Temporal server it started for a data root. */
export function temporalRecordFile(dataRoot: string): string {
  return path.join(dataRoot, 'run', 'temporal.json');
}

function recordedTemporalServer(dataRoot: string): string | undefined {
  try {
    const record = JSON.parse(readFileSync(temporalRecordFile(dataRoot), 'utf8')) as {
      server?: unknown;
    };
    return typeof record.server === 'string' ? record.server : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folder of a data root's local Temporal cluster. As root, outside the data root (under
 * /var/lib/harmonise), since PostgreSQL runs as the postgres user and must reach its data,
 * which a data root under a private home folder would not allow; named by a digest of the
 * data root's path, so that two data roots never share a cluster.
 */
function localClusterDir(dataRoot: string): string {
  if (process.getuid?.() !== 0) return path.join(dataRoot, 'temporal-cluster');
  const digest = createHash('sha256').update(dataRoot).digest('hex').slice(0, 16);
  return path.join('/var/lib/harmonise/temporal-cluster', digest);
}
