/** Runs the HTTP API in the foreground until SIGTERM or SIGINT (the `harmonise api` command). */
import { HarmoniseClient } from '../client.ts';
import { apiUrl, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { tokenFiles, TokenRegistry } from './auth.ts';
import { buildApi } from './server.ts';

export async function runApi(config: Config, logger: Logger): Promise<void> {
  const tokens = await TokenRegistry.load(tokenFiles(config.dataRoot).hashesFile);
  const client = await HarmoniseClient.connect(config, 30_000);
  const app = await buildApi({ client, tokens, logger });
  await app.listen({ host: config.api.host, port: config.api.port });
  logger.info({ url: apiUrl(config) }, 'API listening');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await app.close();
  await client.close();
}
