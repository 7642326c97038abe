/** What every command needs: configuration, the root logger, and a connected client. */
import { Option } from 'commander';
import { HarmoniseClient } from '../client.ts';
import { loadConfig, type Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';

export interface Context {
  config: Config;
  logger: Logger;
}

export function context(overrides: Record<string, string | undefined> = {}): Context {
  const config = loadConfig({ ...process.env, ...overrides });
  return { config, logger: createLogger(config.logLevel) };
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

export function parseInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`${name} must be an integer, not "${value}"`);
  return n;
}
