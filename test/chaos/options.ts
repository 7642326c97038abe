/**
 * The fault suite's command line (`npm run chaos -- …`), parsed strictly with node:util's
 * parseArgs, as the benchmarks' are: an unknown option, a missing value or a count that is not a
 * positive whole number is refused by name before anything starts.
 */
import { parseArgs } from 'node:util';

export const CHAOS_USAGE =
  'usage: npm run chaos -- [--samples 50] [--worker-kills 20] [--fault-concurrency 2] ' +
  '[--max-concurrent 8] [--timeout-minutes 90] [--keep] [--json]';

export interface ChaosOptions {
  samples: number;
  workerKills: number;
  faultConcurrency: number;
  maxConcurrent: number;
  timeoutMinutes: number;
  keep: boolean;
  json: boolean;
  help: boolean;
}

const COUNTS = {
  samples: ['samples', 50],
  workerKills: ['worker-kills', 20],
  faultConcurrency: ['fault-concurrency', 2],
  maxConcurrent: ['max-concurrent', 8],
  timeoutMinutes: ['timeout-minutes', 90],
} as const;

/** Throws an Error naming what is wrong; the caller prints it with CHAOS_USAGE. */
export function parseChaosOptions(argv: readonly string[]): ChaosOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      samples: { type: 'string' },
      'worker-kills': { type: 'string' },
      'fault-concurrency': { type: 'string' },
      'max-concurrent': { type: 'string' },
      'timeout-minutes': { type: 'string' },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const count = ([flag, fallback]: (typeof COUNTS)[keyof typeof COUNTS]): number => {
    const text = values[flag];
    if (text === undefined) return fallback;
    const value = typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`--${flag} needs a positive whole number, not "${String(text)}"`);
    return value;
  };
  return {
    samples: count(COUNTS.samples),
    workerKills: count(COUNTS.workerKills),
    faultConcurrency: count(COUNTS.faultConcurrency),
    maxConcurrent: count(COUNTS.maxConcurrent),
    timeoutMinutes: count(COUNTS.timeoutMinutes),
    keep: values.keep === true,
    json: values.json === true,
    help: values.help === true,
  };
}
