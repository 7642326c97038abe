/**
 * Configuration, read once at start-up from the environment and validated with zod.
 * Every setting has a default that gives the embedded stack on one machine: a Temporal dev
 * server on SQLite, one worker, the local executor. What each variable means, and its default,
 * is in config-variables.ts (docs/configuration.md is generated from it): a variable added here
 * is added there too, or the docs test fails.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { temporalServerSettings } from './config-temporal.ts';
import { ID_RULES } from './domain/id-rules.ts';
import { DEFAULT_TASK_QUEUE } from './shared.ts';
import { HarmoniseError, errorMessage } from './errors.ts';
import { checkExtraArg } from './executors/slurm/sbatch-args.ts';

/** The repository root: pipelines/, infra/ and .tools/ are found from here. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_REGIONS = [
  'nordjylland',
  'midtjylland',
  'syddanmark',
  'sjaelland',
  'hovedstaden',
] as const;

export const TEMPORAL_SERVERS = ['dev', 'cluster', 'external'] as const;

const regionName = z.string().regex(ID_RULES.region.pattern, 'region names are lower-case words');
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

export const configSchema = z.strictObject({
  dataRoot: z.string().refine((p) => path.isAbsolute(p), 'dataRoot must be absolute'),
  regions: z.array(regionName).min(1),
  pipelinesDir: z.string(),
  policyFile: z.string(),
  temporal: z.strictObject({
    address: z.string().regex(/^[^:]+:\d+$/, 'expected host:port'),
    namespace: z.string().min(1),
    taskQueue: z.string().min(1),
    uiPort: port,
    /** The CLI binary used to run the embedded dev server. */
    cli: z.string(),
    /**
     * What `harmonise up` starts: the dev server (`dev`), this data root's local cluster
     * (`cluster`: PostgreSQL-backed, mTLS, infra/temporal/cluster), or nothing (`external`).
     */
    server: z.enum(TEMPORAL_SERVERS),
    /** The local cluster's folder (PostgreSQL data, certificates, config, logs). */
    clusterDir: z.string(),
    /** History shards of a local cluster created from now on (fixed once it exists). */
    historyShards: positiveInt.nullable(),
    /** TLS to the frontend: on when a CA, a client certificate or an API key is given. */
    tls: z.strictObject({
      enabled: z.boolean(),
      /** The CA that signed the frontend's certificate; null: the system's CAs. */
      ca: z.string().nullable(),
      /** The client's certificate and key, for mTLS. */
      cert: z.string().nullable(),
      key: z.string().nullable(),
      /** The name the frontend's certificate is checked against; null: the address's host. */
      serverName: z.string().nullable(),
    }),
    /** A file holding an API key (Temporal Cloud), read at each connect; or the key itself. */
    apiKeyFile: z.string().nullable(),
    apiKey: z.string().nullable(),
  }),
  /** Worker processes `harmonise up` starts on the task queue. */
  workers: positiveInt,
  executor: z.strictObject({
    kind: z.enum(['local', 'slurm']),
    local: z.strictObject({
      cpus: positiveInt,
      memMiB: positiveInt,
    }),
    pollIntervalMs: positiveInt,
    /** How long a job may be missing from status polls before it counts as lost. */
    missingGraceMs: positiveInt,
    /** When a waiting step first asks again about a job whose end was not signalled (doubling). */
    jobRecheckSeconds: positiveInt,
    jobRecheckMaxSeconds: positiveInt,
  }),
  slurm: z.strictObject({
    /** slurm.conf for every Slurm command; null: the system's default (a real HPC). */
    conf: z.string().nullable(),
    partition: z.string().nullable(),
    account: z.string().nullable(),
    qos: z.string().nullable(),
    /** Site options added to every sbatch, from an allow-list (--constraint=..., --reservation=...). */
    extraArgs: z.array(z.string()).superRefine((args, ctx) => {
      for (const arg of args) {
        try {
          checkExtraArg(arg);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: errorMessage(error) });
        }
      }
    }),
    /** Where finished jobs are found once squeue forgets them. */
    accounting: z.enum(['db', 'jobcomp', 'none']),
    /** Slurm is asked about jobs in flight at most this often (one squeue for all of them). */
    statusIntervalMs: positiveInt,
    submitRatePerSecond: z.coerce.number().positive(),
    /** sbatch calls that may go at once before the rate applies (a campaign's first window). */
    submitBurst: positiveInt,
    /** Start the project's single-node cluster (infra/slurm) when no controller answers. */
    startLocal: z.boolean(),
  }),
  /** The site's SPRING decompressor (not in Debian: Debian's `spring` is a game). */
  springBin: z.string().nullable(),
  api: z.strictObject({
    /** The address the HTTP API listens on (loopback unless the site puts it behind a proxy). */
    host: z.string().min(1),
    port,
    /** Requests per second one frequency-reader token may make (a token bucket). */
    readerRatePerSecond: z.coerce.number().positive(),
    /** Requests a frequency-reader token may make at once before the rate applies. */
    readerBurst: positiveInt,
  }),
  /** Limits of intake (docs/intake.md, "Limits"): what one submission and one submitted file may cost. */
  intake: z.strictObject({
    /** Samples one manifest may list (SUBMISSION_TOO_LARGE beyond). */
    maxSamples: positiveInt,
    /** Size of manifest.json (MANIFEST_TOO_LARGE beyond). */
    maxManifestMiB: positiveInt,
    /** Length of one FASTQ or VCF line (FILE_LINE_TOO_LONG beyond). */
    maxLineKiB: positiveInt,
    /** Decompressed bytes per compressed byte of a gzip file; 0 turns the check off. */
    maxGzipRatio: z.coerce.number().min(0),
    /** Decompressed size of one file (FILE_DECOMPRESSES_TOO_LARGE beyond). */
    maxDecompressedGiB: positiveInt,
    /** Time (and CPU) to read one file: this, plus secondsPerGiB per GiB of it. */
    secondsPerFile: positiveInt,
    secondsPerGiB: positiveInt,
  }),
  frequency: z.strictObject({
    /** Length of the genomic shards a release is aggregated in, one job each. */
    shardBases: positiveInt,
    /** Genomes per batch: a batch's partial is rebuilt when one of them leaves or changes. */
    batchSize: positiveInt,
    /** gVCFs one contribution job reads (one job per genome would cost a job's overhead each). */
    contributionsPerJob: positiveInt,
    /** The node binary frequency jobs run the engine with (on Slurm: a path every node has). */
    engineNode: z.string().min(1),
    /** Readers see no count with 0 < AC < floor (recorded in each release's summary.json). */
    floor: positiveInt,
    /** flag: "present, below the reporting floor"; hide: such a variant is not reported. */
    belowFloor: z.enum(['flag', 'hide']),
  }),
  /** Where `harmonise demo` keeps its generated submissions for other data roots; null: nowhere. */
  demoCache: z.string().nullable(),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
});
export type Config = z.infer<typeof configSchema>;
export type TemporalServerKind = (typeof TEMPORAL_SERVERS)[number];

type Env = Readonly<Record<string, string | undefined>>;

/** Builds the configuration from `HARMONISE_*` environment variables (docs/configuration.md). */
export function loadConfig(env: Env = process.env): Config {
  const dataRoot = path.resolve(env.HARMONISE_DATA ?? path.join(process.cwd(), 'var'));
  const totalMiB = Math.floor(os.totalmem() / 2 ** 20);
  const candidate = {
    dataRoot,
    regions: env.HARMONISE_REGIONS?.split(',').map((r) => r.trim()) ?? [...DEFAULT_REGIONS],
    pipelinesDir: path.resolve(env.HARMONISE_PIPELINES ?? path.join(PROJECT_ROOT, 'pipelines')),
    policyFile: path.resolve(env.HARMONISE_POLICY ?? path.join(dataRoot, 'policy.json')),
    temporal: {
      address: env.HARMONISE_TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      namespace: env.HARMONISE_TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: env.HARMONISE_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
      uiPort: env.HARMONISE_TEMPORAL_UI_PORT ?? defaultUiPort(env.HARMONISE_TEMPORAL_ADDRESS),
      cli: env.HARMONISE_TEMPORAL_CLI ?? path.join(PROJECT_ROOT, '.tools/temporal/bin/temporal'),
      ...temporalServerSettings(env, dataRoot),
    },
    workers: env.HARMONISE_WORKERS ?? 1,
    executor: {
      kind: env.HARMONISE_EXECUTOR ?? 'local',
      local: {
        cpus: env.HARMONISE_LOCAL_CPUS ?? os.availableParallelism(),
        memMiB: env.HARMONISE_LOCAL_MEM_MIB ?? Math.floor(totalMiB * 0.75),
      },
      pollIntervalMs: env.HARMONISE_POLL_INTERVAL_MS ?? 1000,
      missingGraceMs: env.HARMONISE_MISSING_GRACE_MS ?? 120_000,
      jobRecheckSeconds: env.HARMONISE_JOB_RECHECK_SECONDS ?? 300,
      jobRecheckMaxSeconds: env.HARMONISE_JOB_RECHECK_MAX_SECONDS ?? 1800,
    },
    slurm: {
      conf: slurmConf(env.HARMONISE_SLURM_CONF),
      partition: env.HARMONISE_SLURM_PARTITION || null,
      account: env.HARMONISE_SLURM_ACCOUNT || null,
      qos: env.HARMONISE_SLURM_QOS || null,
      extraArgs: env.HARMONISE_SLURM_EXTRA_ARGS?.split(/\s+/).filter(Boolean) ?? [],
      accounting:
        env.HARMONISE_SLURM_ACCOUNTING ??
        (env.HARMONISE_SLURM_CONF === undefined ? 'jobcomp' : 'db'),
      statusIntervalMs: env.HARMONISE_SLURM_STATUS_INTERVAL_MS ?? 1000,
      submitRatePerSecond: env.HARMONISE_SLURM_SUBMIT_RATE ?? 20,
      submitBurst: env.HARMONISE_SLURM_SUBMIT_BURST ?? 100,
      startLocal: env.HARMONISE_SLURM_START_LOCAL !== 'false',
    },
    springBin: env.HARMONISE_SPRING_BIN ? path.resolve(env.HARMONISE_SPRING_BIN) : null,
    api: {
      host: env.HARMONISE_API_HOST ?? '127.0.0.1',
      port: env.HARMONISE_API_PORT ?? 8080,
      readerRatePerSecond: env.HARMONISE_API_READER_RATE ?? 20,
      readerBurst: env.HARMONISE_API_READER_BURST ?? 100,
    },
    intake: {
      maxSamples: env.HARMONISE_INTAKE_MAX_SAMPLES ?? 5000,
      maxManifestMiB: env.HARMONISE_INTAKE_MAX_MANIFEST_MIB ?? 64,
      maxLineKiB: env.HARMONISE_INTAKE_MAX_LINE_KIB ?? 16 * 1024,
      maxGzipRatio: env.HARMONISE_INTAKE_MAX_GZIP_RATIO ?? 100,
      maxDecompressedGiB: env.HARMONISE_INTAKE_MAX_DECOMPRESSED_GIB ?? 1024,
      secondsPerFile: env.HARMONISE_INTAKE_SECONDS ?? 600,
      secondsPerGiB: env.HARMONISE_INTAKE_SECONDS_PER_GIB ?? 300,
    },
    frequency: {
      shardBases: env.HARMONISE_FREQUENCY_SHARD_BASES ?? 50_000_000,
      batchSize: env.HARMONISE_FREQUENCY_BATCH_SIZE ?? 500,
      contributionsPerJob: env.HARMONISE_FREQUENCY_CONTRIBUTIONS_PER_JOB ?? 100,
      engineNode: env.HARMONISE_FREQUENCY_NODE ?? process.execPath,
      floor: env.HARMONISE_FREQUENCY_FLOOR ?? 5,
      belowFloor: env.HARMONISE_FREQUENCY_BELOW_FLOOR ?? 'flag',
    },
    demoCache: env.HARMONISE_DEMO_CACHE ? path.resolve(env.HARMONISE_DEMO_CACHE) : null,
    logLevel: env.HARMONISE_LOG_LEVEL ?? 'info',
  };
  const parsed = configSchema.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new HarmoniseError('CONFIG_INVALID', `invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/**
 * The runtime folder of this checkout's own single-node cluster (infra/slurm/up.sh): outside
 * the checkout, since munged refuses a socket under a folder that is not world-traversable (a
 * home folder, a `mktemp -d` folder), and named by a digest of the checkout's real path, so
 * that two checkouts never share daemons. infra/slurm/runtime.sh computes the same path.
 */
export function localSlurmDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HARMONISE_SLURM_DIR) return path.resolve(env.HARMONISE_SLURM_DIR);
  const base = env.HARMONISE_SLURM_BASE || '/var/lib/harmonise/slurm';
  const digest = createHash('sha256').update(realpathSync(PROJECT_ROOT)).digest('hex');
  return path.join(path.resolve(base), digest.slice(0, 16));
}

/** The slurm.conf of this checkout's single-node cluster. */
export const LOCAL_SLURM_CONF = path.join(localSlurmDir(), 'etc', 'slurm.conf');

/** Unset: the project's single-node cluster; `system`: Slurm's own default; else a path. */
function slurmConf(value: string | undefined): string | null {
  if (value === undefined || value === '') return LOCAL_SLURM_CONF;
  if (value === 'system') return null;
  return path.resolve(value);
}

/** The dev server's convention: the Web UI listens on the gRPC port + 1000. */
function defaultUiPort(address: string | undefined): number {
  const grpcPort = Number(address?.split(':')[1] ?? 7233);
  return grpcPort + 1000;
}

/** The dev server's Web UI; null for a cluster or an external server (no UI of harmonise's). */
export function temporalUiUrl(config: Config): string | null {
  if (config.temporal.server !== 'dev') return null;
  const host = config.temporal.address.split(':')[0] ?? '127.0.0.1';
  return `http://${host}:${config.temporal.uiPort}`;
}

/** The HTTP API's base URL (loopback when it listens on every address). */
export function apiUrl(config: Config): string {
  const host = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.api.port}`;
}
