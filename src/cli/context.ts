/** What every command needs: configuration, the root logger, and a connected client. */
import { Option } from 'commander';
import { TokenRegistry, tokenFiles } from '../api/auth.ts';
import { HarmoniseClient } from '../client.ts';
import { TEMPORAL_SERVERS, loadConfig, type Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { loadSalt, personalNumberRedactor } from '../store/redaction.ts';

export interface Context {
  config: Config;
  logger: Logger;
}

export function context(overrides: Record<string, string | undefined> = {}): Context {
  const config = loadConfig({ ...process.env, ...overrides });
  return {
    config,
    logger: createLogger(config.logLevel, {
      redact: personalNumberRedactor(loadSalt(config.dataRoot)),
    }),
  };
}

export async function withClient<T>(
  ctx: Context,
  fn: (client: HarmoniseClient) => Promise<T>,
): Promise<T> {
  const client = await HarmoniseClient.connect(ctx.config);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export function executorOption(): Option {
  return new Option(
    '--executor <kind>',
    'where jobs run (default: local, or HARMONISE_EXECUTOR)',
  ).choices(['local', 'slurm']);
}

/** Whether the executor was chosen (option or environment) rather than defaulted. */
export function executorChosen(executor: string | undefined): boolean {
  return executor !== undefined || (process.env.HARMONISE_EXECUTOR ?? '') !== '';
}

/** Command-line choices that override the environment's configuration. */
export function executorOverride(executor: string | undefined): Record<string, string> {
  return executor ? { HARMONISE_EXECUTOR: executor } : {};
}

export function temporalOption(): Option {
  return new Option(
    '--temporal <server>',
    "the Temporal server to start: dev (the dev server on SQLite), cluster (the data root's " +
      'local cluster on PostgreSQL, with mTLS), external (none: connect to HARMONISE_TEMPORAL_ADDRESS); ' +
      'default: HARMONISE_TEMPORAL_SERVER, else what this data root last used, else dev',
  ).choices([...TEMPORAL_SERVERS]);
}

export function workersOption(): Option {
  return new Option(
    '--workers <n>',
    'worker processes to run on the task queue (default: HARMONISE_WORKERS, else 1)',
  ).argParser((value) => {
    const n = parseInteger('--workers', value);
    if (n < 1) throw new UsageError(`--workers must be at least 1, not ${n}`);
    return n;
  });
}

/** The `--temporal` and `--workers` choices as configuration overrides. */
export function serviceOverrides(opts: {
  executor?: string;
  temporal?: string;
  workers?: number;
}): Record<string, string> {
  return {
    ...executorOverride(opts.executor),
    ...(opts.temporal ? { HARMONISE_TEMPORAL_SERVER: opts.temporal } : {}),
    ...(opts.workers !== undefined ? { HARMONISE_WORKERS: String(opts.workers) } : {}),
  };
}

export function parseInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`${name} must be an integer, not "${value}"`);
  return n;
}

/**
 * Who an operator action of the CLI is recorded as: the CLI talks to Temporal directly, so an
 * override that only an operator may make needs an operator's token (HARMONISE_TOKEN), checked
 * against the same token hashes as the API's. Without one the action is refused.
 */
export async function operatorIdentity(ctx: Context, what: string): Promise<string> {
  const token = process.env.HARMONISE_TOKEN ?? '';
  const hint = `set HARMONISE_TOKEN to an operator token ("harmonise up" writes development tokens to ${tokenFiles(ctx.config.dataRoot).tokensFile})`;
  if (token === '') throw new UsageError(`${what} is an operator decision: ${hint}`);
  const files = tokenFiles(ctx.config.dataRoot);
  const registry = await TokenRegistry.load(files.hashesFile, files.namedFile).catch(
    (error: unknown) => {
      throw new UsageError(
        `${what} needs an operator token, and no token is known here (${String(error)})`,
      );
    },
  );
  const identity = await registry.identify(`Bearer ${token}`);
  const role = identity !== null && 'caller' in identity ? identity.caller.role : null;
  if (identity === null || role !== 'operator') {
    const is =
      identity === null
        ? 'not a known token'
        : 'refused' in identity
          ? `refused (${identity.refused})`
          : `a ${role} token`;
    throw new UsageError(`${what} is an operator decision: HARMONISE_TOKEN is ${is}; ${hint}`);
  }
  const name = 'caller' in identity ? identity.caller.name : 'operator';
  return name === 'operator' ? 'operator:cli' : `operator:cli:${name}`;
}
