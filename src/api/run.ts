/** Runs the HTTP API in the foreground until SIGTERM or SIGINT (the `harmonise api` command). */
import { HarmoniseClient } from '../client.ts';
import { apiUrl, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { tokenFiles, TokenRegistry } from './auth.ts';
import { AccessLog, RateLimiter } from './lookup-guard.ts';
import { buildApi } from './server.ts';

export async function runApi(config: Config, logger: Logger): Promise<void> {
  const files = tokenFiles(config.dataRoot);
  const tokens = await TokenRegistry.load(files.hashesFile, files.namedFile);
  const client = await HarmoniseClient.connect(config, 30_000);
  // A token change whose process died before its audit line gets it now.
  const settled = await client.tokens.settleAudits();
  if (settled > 0)
    logger.info({ lines: settled }, 'wrote the audit lines of earlier token changes');
  const limiter = new RateLimiter(config.api.readerRatePerSecond, config.api.readerBurst);
  const accessLog = new AccessLog(client.layout.logsDir);
  const app = await buildApi({ client, tokens, logger, lookup: client.lookup, limiter, accessLog });
  await app.listen({ host: config.api.host, port: config.api.port });
  logger.info({ url: apiUrl(config) }, 'API listening');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await app.close();
  await accessLog.close();
  await client.close();
}
