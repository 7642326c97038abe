/**
 * The one root logger: pino JSON on stderr, so that `--json` CLI output owns stdout.
 * Modules receive child loggers bound to workflowId / sampleId / jobId; none creates its own.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination: number = 2): Logger {
  return pino(
    { level, base: { service: 'harmonise' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: destination, sync: true }),
  );
}
