/**
 * The benchmarks' command lines (`npm run bench -- <name> [options] [--json]`), parsed strictly
 * with node:util's parseArgs before anything starts: an unknown option, a missing value or a
 * number that is not one is refused by name, with the benchmark's usage line (bench/run.ts exits
 * 2). Defaults are those of docs/benchmarks.md.
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_COHORT_CACHE } from './cohort/generate.ts';
import { DEFAULT_LOOKUP_CACHE } from './lookup-model.ts';

/** A command line the benchmarks refuse; `usage` is the line to print with it. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BENCH_USAGE';
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

export interface SlurmOverheadOptions {
  /** 1 and 10 jobs only, not 1, 10 and 100. */
  quick: boolean;
}

export interface JobsInFlightOptions {
  /** No-op jobs held in flight at once on one worker: one run per size. */
  jobs: number[];
  /** Seconds the load of holding them is measured over. */
  window: number;
}

export interface CampaignBenchOptions {
  samples: number;
  maxConcurrent: number;
  /**
   * The server and worker count of each run, in turn: every `--temporal` with every `--workers`,
   * or the list `--setups cluster:2,cluster:1,dev:1`.
   */
  setups: { temporal: 'dev' | 'cluster'; workers: number }[];
  /** The data root of an interrupted run to carry on (absolute), or null for a new run. */
  resume: string | null;
  /** Where V8 CPU profiles of the worker go (absolute), or null for none. */
  profile: string | null;
  /** Keep the data root after a completed run. */
  keep: boolean;
}

export interface FrequencyBenchOptions {
  cohort: 'distinct';
  /** Ascending, distinct numbers of genomes, each at least 2. */
  samples: number[];
  peerMax: number;
  seed: number;
  /** The cohort cache (absolute). */
  dir: string;
  /** Null: the genome's length over the CPUs. */
  shardBases: number | null;
  clean: boolean;
}

export interface LookupBenchOptions {
  /** Records in the release. */
  sites: number;
  /** Lookups one at a time (a fifth as many more run `concurrency` at a time). */
  lookups: number;
  concurrency: number;
  /** Variant lookups the peer (`tabix`, `bcftools view`) answers, a process each. */
  peerLookups: number;
  seed: number;
  /** The release cache (absolute). */
  dir: string;
  /** Keep the data root (its access log, the API's log). */
  keep: boolean;
}

export interface ReuseBenchOptions {
  /** Seed of the demo's synthetic genomes. */
  seed: number;
  /** Keep the data root. */
  keep: boolean;
}

export type BenchCommand =
  | { name: 'slurm-overhead'; json: boolean; help: boolean; options: SlurmOverheadOptions }
  | { name: 'in-flight'; json: boolean; help: boolean; options: JobsInFlightOptions }
  | { name: 'campaign'; json: boolean; help: boolean; options: CampaignBenchOptions }
  | { name: 'frequency'; json: boolean; help: boolean; options: FrequencyBenchOptions }
  | { name: 'lookup'; json: boolean; help: boolean; options: LookupBenchOptions }
  | { name: 'reuse'; json: boolean; help: boolean; options: ReuseBenchOptions };

export type BenchName = BenchCommand['name'];

export const BENCH_NAMES: readonly BenchName[] = [
  'slurm-overhead',
  'in-flight',
  'campaign',
  'frequency',
  'lookup',
  'reuse',
];

export const GENERAL_USAGE = `usage: npm run bench -- <${BENCH_NAMES.join('|')}> [--json]`;

export const BENCH_USAGE: Record<BenchName, string> = {
  'slurm-overhead': 'usage: npm run bench -- slurm-overhead [--quick] [--json]',
  'in-flight': 'usage: npm run bench -- in-flight [--jobs 200,2000] [--window 60] [--json]',
  campaign: [
    'usage: npm run bench -- campaign [--samples N] [--temporal dev,cluster] [--workers 1,2] [--setups cluster:2,dev:1] [--max-concurrent M] [--profile DIR] [--keep] [--json]',
    '       npm run bench -- campaign --resume DIR [--profile DIR] [--keep] [--json]',
  ].join('\n'),
  frequency:
    'usage: npm run bench -- frequency [--cohort distinct] [--samples 400,800,1600,3200] ' +
    '[--peer-max 800] [--seed 1] [--dir DIR] [--shard-bases B] [--clean] [--json]',
  lookup:
    'usage: npm run bench -- lookup [--sites 100000] [--lookups 10000] [--concurrency 8] ' +
    '[--peer-lookups 1000] [--seed 1] [--dir DIR] [--keep] [--json]',
  reuse: 'usage: npm run bench -- reuse [--seed 1] [--keep] [--json]',
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** Every benchmark takes these. */
const COMMON = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

const SLURM_OVERHEAD = { ...COMMON, quick: { type: 'boolean', default: false } } as const;

const IN_FLIGHT = {
  ...COMMON,
  jobs: { type: 'string', default: '200,2000' },
  window: { type: 'string', default: '60' },
} as const satisfies Options;

const CAMPAIGN = {
  ...COMMON,
  samples: { type: 'string', default: '1000' },
  'max-concurrent': { type: 'string', default: '200' },
  temporal: { type: 'string', default: 'dev' },
  workers: { type: 'string', default: '1' },
  setups: { type: 'string' },
  resume: { type: 'string' },
  profile: { type: 'string' },
  keep: { type: 'boolean', default: false },
} as const satisfies Options;

const FREQUENCY = {
  ...COMMON,
  cohort: { type: 'string', default: 'distinct' },
  samples: { type: 'string', default: '400' },
  'peer-max': { type: 'string', default: '800' },
  seed: { type: 'string', default: '1' },
  dir: { type: 'string', default: DEFAULT_COHORT_CACHE },
  'shard-bases': { type: 'string' },
  clean: { type: 'boolean', default: false },
} as const satisfies Options;

const LOOKUP = {
  ...COMMON,
  sites: { type: 'string', default: '100000' },
  lookups: { type: 'string', default: '10000' },
  concurrency: { type: 'string', default: '8' },
  'peer-lookups': { type: 'string', default: '1000' },
  seed: { type: 'string', default: '1' },
  dir: { type: 'string', default: DEFAULT_LOOKUP_CACHE },
  keep: { type: 'boolean', default: false },
} as const satisfies Options;

const REUSE = {
  ...COMMON,
  seed: { type: 'string', default: '1' },
  keep: { type: 'boolean', default: false },
} as const satisfies Options;

/** `<name> [options]` → the benchmark and its options, or a BenchUsageError. */
export function parseBenchCommand(argv: readonly string[]): BenchCommand {
  const [name, ...args] = argv;
  switch (name) {
    case 'slurm-overhead': {
      const { json, help, quick } = strict(name, args, SLURM_OVERHEAD);
      return { name, json, help, options: { quick } };
    }
    case 'in-flight': {
      const values = strict(name, args, IN_FLIGHT);
      const usage = BENCH_USAGE[name];
      return {
        name,
        json: values.json,
        help: values.help,
        options: {
          jobs: values.jobs.split(',').map((n) => positiveInteger('--jobs', n, usage)),
          window: positiveInteger('--window', values.window, usage),
        },
      };
    }
    case 'campaign': {
      const values = strict(name, args, CAMPAIGN);
      return { name, json: values.json, help: values.help, options: campaignOptions(values) };
    }
    case 'frequency': {
      const values = strict(name, args, FREQUENCY);
      return { name, json: values.json, help: values.help, options: frequencyOptions(values) };
    }
    case 'lookup': {
      const values = strict(name, args, LOOKUP);
      return { name, json: values.json, help: values.help, options: lookupOptions(values) };
    }
    case 'reuse': {
      const values = strict(name, args, REUSE);
      return {
        name,
        json: values.json,
        help: values.help,
        options: {
          seed: positiveInteger('--seed', values.seed, BENCH_USAGE.reuse),
          keep: values.keep,
        },
      };
    }
    default:
      throw new BenchUsageError(
        name === undefined ? 'which benchmark?' : `no benchmark "${name}"`,
        GENERAL_USAGE,
      );
  }
}

function strict<T extends Options>(name: BenchName, args: readonly string[], options: T) {
  return parseStrictly(args, options, BENCH_USAGE[name]);
}

/**
 * parseArgs with `strict`, no positionals: its refusals (which name the option: "Unknown option
 * '--x'", "Option '--samples <value>' argument missing") become a BenchUsageError with `usage`.
 * The fault suite's command line (test/chaos/options.ts) is parsed with it too.
 */
export function parseStrictly<T extends Options>(
  args: readonly string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      throw new BenchUsageError(error.message, usage);
    }
    throw error;
  }
}

function campaignOptions(values: ReturnType<typeof strict<typeof CAMPAIGN>>): CampaignBenchOptions {
  const usage = BENCH_USAGE.campaign;
  return {
    samples: positiveInteger('--samples', values.samples, usage),
    maxConcurrent: positiveInteger('--max-concurrent', values['max-concurrent'], usage),
    setups: campaignSetups(values, usage),
    resume: values.resume === undefined ? null : path.resolve(values.resume),
    profile: values.profile === undefined ? null : path.resolve(values.profile),
    keep: values.keep,
  };
}

function frequencyOptions(
  values: ReturnType<typeof strict<typeof FREQUENCY>>,
): FrequencyBenchOptions {
  const usage = BENCH_USAGE.frequency;
  if (values.cohort !== 'distinct') {
    throw new BenchUsageError(
      `--cohort ${values.cohort}: only "distinct" is supported (copies of a few genomes hide what merging costs)`,
      usage,
    );
  }
  const seed = wholeNumber(values.seed);
  if (seed === null || seed < 0) {
    throw new BenchUsageError(
      `--seed needs a non-negative whole number, not "${values.seed}"`,
      usage,
    );
  }
  const shardBases = values['shard-bases'];
  return {
    cohort: 'distinct',
    samples: sampleSizes(values.samples, usage),
    peerMax: positiveInteger('--peer-max', values['peer-max'], usage),
    seed,
    dir: path.resolve(values.dir),
    shardBases:
      shardBases === undefined ? null : positiveInteger('--shard-bases', shardBases, usage),
    clean: values.clean,
  };
}

function lookupOptions(values: ReturnType<typeof strict<typeof LOOKUP>>): LookupBenchOptions {
  const usage = BENCH_USAGE.lookup;
  const seed = wholeNumber(values.seed);
  if (seed === null || seed < 0)
    throw new BenchUsageError(
      `--seed needs a non-negative whole number, not "${values.seed}"`,
      usage,
    );
  return {
    sites: positiveInteger('--sites', values.sites, usage),
    lookups: positiveInteger('--lookups', values.lookups, usage),
    concurrency: positiveInteger('--concurrency', values.concurrency, usage),
    peerLookups: positiveInteger('--peer-lookups', values['peer-lookups'], usage),
    seed,
    dir: path.resolve(values.dir),
    keep: values.keep,
  };
}

/** The whole number a text says, or null (a blank text is not 0). */
function wholeNumber(text: string): number | null {
  const n = text.trim() === '' ? Number.NaN : Number(text);
  return Number.isInteger(n) ? n : null;
}

export function positiveInteger(name: string, text: string, usage: string): number {
  const n = wholeNumber(text);
  if (n === null || n < 1)
    throw new BenchUsageError(`${name} needs a positive integer, not "${text}"`, usage);
  return n;
}

function campaignSetups(
  values: ReturnType<typeof strict<typeof CAMPAIGN>>,
  usage: string,
): CampaignBenchOptions['setups'] {
  if (values.setups !== undefined) {
    return values.setups.split(',').map((setup) => {
      const [temporal = '', workers = ''] = setup.split(':');
      return {
        temporal: temporalKinds(temporal, usage)[0]!,
        workers: positiveInteger('--setups workers', workers, usage),
      };
    });
  }
  const counts = [
    ...new Set(values.workers.split(',').map((w) => positiveInteger('--workers', w, usage))),
  ];
  return temporalKinds(values.temporal, usage).flatMap((temporal) =>
    counts.map((workers) => ({ temporal, workers })),
  );
}

/** `--temporal dev,cluster`: each once, in the order given. */
function temporalKinds(text: string, usage: string): ('dev' | 'cluster')[] {
  const kinds = [...new Set(text.split(','))];
  for (const kind of kinds) {
    if (kind !== 'dev' && kind !== 'cluster')
      throw new BenchUsageError(`--temporal takes dev and cluster, not "${kind}"`, usage);
  }
  return kinds as ('dev' | 'cluster')[];
}

/** `--samples 400,800`: whole numbers of at least 2, comma-separated; ascending, each once. */
function sampleSizes(text: string, usage: string): number[] {
  const sizes = text.split(',').map((s) => wholeNumber(s));
  if (sizes.some((n) => n === null || n < 2)) {
    throw new BenchUsageError(
      `--samples needs whole numbers of at least 2, comma-separated, not "${text}"`,
      usage,
    );
  }
  return [...new Set(sizes as number[])].sort((a, b) => a - b);
}
