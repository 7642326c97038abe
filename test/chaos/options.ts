/**
 * The fault suite's command line (`npm run chaos -- …`), parsed as the benchmarks' are
 * (bench/options.ts): an unknown option, a missing value or a count that is not a positive whole
 * number is refused by name, with the usage line, before anything starts.
 */
import { BenchUsageError, parseStrictly, positiveInteger } from '../../bench/options.ts';

export const CHAOS_USAGE =
  'usage: npm run chaos -- [--samples 50] [--worker-kills 20] [--fault-concurrency 2] ' +
  '[--max-concurrent 8] [--timeout-minutes 90] [--temporal dev|cluster] [--workers 1] [--keep] [--json]';

export interface ChaosOptions {
  samples: number;
  workerKills: number;
  faultConcurrency: number;
  maxConcurrent: number;
  timeoutMinutes: number;
  /** The Temporal server the stack runs on, and its worker processes. */
  temporal: 'dev' | 'cluster';
  workers: number;
  keep: boolean;
  json: boolean;
  help: boolean;
}

const OPTIONS = {
  samples: { type: 'string', default: '50' },
  'worker-kills': { type: 'string', default: '20' },
  'fault-concurrency': { type: 'string', default: '2' },
  'max-concurrent': { type: 'string', default: '8' },
  'timeout-minutes': { type: 'string', default: '90' },
  temporal: { type: 'string', default: 'dev' },
  workers: { type: 'string', default: '1' },
  keep: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Throws a BenchUsageError naming what is wrong; the caller prints it with its `usage`. */
export function parseChaosOptions(argv: readonly string[]): ChaosOptions {
  const values = parseStrictly(argv, OPTIONS, CHAOS_USAGE);
  const count = (
    flag:
      | 'samples'
      | 'worker-kills'
      | 'fault-concurrency'
      | 'max-concurrent'
      | 'timeout-minutes'
      | 'workers',
  ) => positiveInteger(`--${flag}`, values[flag], CHAOS_USAGE);
  if (values.temporal !== 'dev' && values.temporal !== 'cluster')
    throw new BenchUsageError(
      `--temporal takes dev or cluster, not "${values.temporal}"`,
      CHAOS_USAGE,
    );
  return {
    samples: count('samples'),
    workerKills: count('worker-kills'),
    faultConcurrency: count('fault-concurrency'),
    maxConcurrent: count('max-concurrent'),
    timeoutMinutes: count('timeout-minutes'),
    temporal: values.temporal,
    workers: count('workers'),
    keep: values.keep,
    json: values.json,
    help: values.help,
  };
}
