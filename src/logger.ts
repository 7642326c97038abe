/**
 * The one root logger: pino JSON on stderr, so that `--json` CLI output owns stdout.
 * Modules receive child loggers bound to workflowId / sampleId / jobId; none creates its own.
 * Every line is scrubbed of CPR-shaped numbers (a salted hash stands in their place), whatever
 * logged it: a refused personal number never reaches a log file.
 */
import { pino, type Logger } from 'pino';
import { personalNumberRedactor, redactDeep, type Redact } from './store/redaction.ts';

export type { Logger };

export function createLogger(
  level: string,
  options: { destination?: number; redact?: Redact } = {},
): Logger {
  const redact = options.redact ?? personalNumberRedactor();
  return pino(
    {
      level,
      base: { service: 'harmonise' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      formatters: { log: (object) => redactDeep(object, redact) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? redact(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
    },
    pino.destination({ fd: options.destination ?? 2, sync: true }),
  );
}
