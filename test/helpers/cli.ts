/** Runs the `harmonise` command as a user would, against its own data root and ports. */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { UpResult } from '../../src/cli/services.ts';
import { PROJECT_ROOT, loadConfig } from '../../src/config.ts';
import {
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from '../../src/temporal-connection.ts';
import { testTemporalKind } from './temporal.ts';
import { freePort } from './ports.ts';

export const BIN = path.join(PROJECT_ROOT, 'bin', 'harmonise.js');

export interface CliEnv {
  dataRoot: string;
  env: Record<string, string>;
}

/**
 * A data root's settings on free ports. With HARMONISE_TEST_TEMPORAL=cluster, `up` starts the
 * data root's own local cluster inside it (which is why the data root is then made traversable:
 * as root, PostgreSQL runs as the postgres user), and removing the data root removes it.
 */
export async function cliEnv(
  dataRoot: string,
  options: { temporal?: 'dev' | 'cluster' } = {},
): Promise<CliEnv> {
  const port = await freePort();
  const uiPort = await freePort();
  const cluster = (options.temporal ?? testTemporalKind()) === 'cluster';
  if (cluster) await fs.chmod(dataRoot, 0o711);
  return {
    dataRoot,
    env: {
      HARMONISE_DATA: dataRoot,
      HARMONISE_TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      HARMONISE_TEMPORAL_UI_PORT: String(uiPort),
      HARMONISE_API_PORT: String(await freePort()),
      HARMONISE_LOG_LEVEL: 'info',
      ...(cluster
        ? {
            HARMONISE_TEMPORAL_SERVER: 'cluster',
            HARMONISE_TEMPORAL_CLUSTER_DIR: path.join(dataRoot, 'temporal-cluster'),
          }
        : {}),
    },
  };
}

/** How a test's own SDK connection reaches the server of a data root's `up`. */
export function cliTemporalConnection(cli: CliEnv): TemporalConnectionOptions {
  return temporalConnectionOptions(loadConfig(cli.env).temporal);
}

export function harmonise(cli: CliEnv, args: string[], extraEnv: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    env: { ...cli.env, ...extraEnv },
  });
}

/** What a test needs from `harmonise up --json`: where the API is, its tokens, the worker. */
export interface StartedStack {
  api: string;
  tokensFile: string;
  tokens: Record<string, string>;
  workerPid: number;
}

/** Runs `harmonise up --json` (it must succeed) and reads the API's tokens file. */
export async function startStack(cli: CliEnv): Promise<StartedStack> {
  const up = await harmonise(cli, ['up', '--json']);
  if (up.exitCode !== 0) throw new Error(`harmonise up failed (${up.exitCode}):\n${up.stderr}`);
  const result = JSON.parse(up.stdout) as UpResult;
  const tokens = JSON.parse(await fs.readFile(result.tokensFile, 'utf8')) as Record<string, string>;
  return { api: result.api, tokensFile: result.tokensFile, tokens, workerPid: result.worker.pid };
}
