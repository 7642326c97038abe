/** The embedded Temporal dev server of a benchmark, on free loopback ports under its data root. */
import path from 'node:path';
import { ensureDevServer, stopDevServer } from '../src/cli/temporal-dev-server.ts';
import { PROJECT_ROOT } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import { freePort } from '../test/helpers/ports.ts';

export async function startBenchTemporal(
  root: string,
  logger: Logger,
  options: { metricsPort?: number } = {},
) {
  const address = `127.0.0.1:${await freePort()}`;
  const dir = path.join(root, 'temporal');
  const server = await ensureDevServer(
    {
      cli: path.join(PROJECT_ROOT, '.tools/temporal/bin/temporal'),
      address,
      uiPort: await freePort(),
      namespace: 'default',
      dir,
      ...(options.metricsPort ? { metricsPort: options.metricsPort } : {}),
    },
    logger,
  );
  return { address, pid: server.pid, stop: () => stopDevServer(dir) };
}
