/**
 * What each `HARMONISE_*` environment variable means: the table docs/configuration.md is
 * generated from (`npm run docs:generate`). config.ts reads the variables and validates them;
 * this file only describes them, so that the reference is written once, beside the code it
 * describes. test/unit/docs-generated.test.ts checks the table against the code: every variable
 * src/ names is here, every setting of `configSchema` has its variable, and every fixed default
 * is what `loadConfig` gives.
 */
import { ALLOWED_EXTRA_OPTIONS } from './executors/slurm/sbatch-args.ts';
import type { Config } from './config.ts';

/** `temporal.address`: the dotted path of one setting of the validated configuration. */
type SettingPath<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string | number | boolean | null | readonly unknown[]
    ? `${Prefix}${K}`
    : SettingPath<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
export type ConfigSetting = SettingPath<Config>;

/**
 * A default is either a fixed value (which the test compares with `loadConfig({})`) or, where
 * it depends on the machine, the checkout or another variable, words that say what it is.
 */
export type VariableDefault =
  { value: string | number | boolean | null | readonly string[] } | { computed: string };

export interface ConfigVariable {
  name: `HARMONISE_${string}`;
  /** The setting it fills; null for the few that config.ts reads outside `loadConfig`. */
  setting: ConfigSetting | null;
  /** How its text is read, where the setting's type alone would mislead (lists, paths). */
  format?: string;
  default: VariableDefault;
  meaning: string;
}

export interface ConfigSection {
  title: string;
  variables: readonly ConfigVariable[];
}

const NONE = { value: null } as const;

export const CONFIG_SECTIONS: readonly ConfigSection[] = [
  {
    title: 'Data, pipelines and policy',
    variables: [
      {
        name: 'HARMONISE_DATA',
        setting: 'dataRoot',
        format: 'path',
        default: { computed: '`var/` under the working directory' },
        meaning: 'the data root: inbox, catalogue, samples, releases and the embedded stack',
      },
      {
        name: 'HARMONISE_REGIONS',
        setting: 'regions',
        format: 'comma-separated region names (lower-case words)',
        default: {
          value: ['nordjylland', 'midtjylland', 'syddanmark', 'sjaelland', 'hovedstaden'],
        },
        meaning: 'the regions that submit; each has an inbox folder and a submitter role',
      },
      {
        name: 'HARMONISE_PIPELINES',
        setting: 'pipelinesDir',
        format: 'path',
        default: { computed: '`pipelines/` of this checkout' },
        meaning: 'the folder of national pipeline specs (`harmonise.pipeline/v1`)',
      },
      {
        name: 'HARMONISE_POLICY',
        setting: 'policyFile',
        format: 'path',
        default: { computed: '`policy.json` in the data root' },
        meaning:
          "NGC's harmonisation policy (`harmonise.policy/v1`); absent: every region `full`, the newest pipeline",
      },
      {
        name: 'HARMONISE_SPRING_BIN',
        setting: 'springBin',
        format: 'path',
        default: NONE,
        meaning:
          "the site's SPRING decompressor (not in Debian); without it SPRING input is refused",
      },
      {
        name: 'HARMONISE_DEMO_CACHE',
        setting: 'demoCache',
        format: 'path',
        default: NONE,
        meaning: 'a folder where `harmonise demo` keeps its generated submissions for other runs',
      },
      {
        name: 'HARMONISE_LOG_LEVEL',
        setting: 'logLevel',
        default: { value: 'info' },
        meaning: 'the level of the JSON log (pino)',
      },
    ],
  },
  {
    title: 'Temporal',
    variables: [
      {
        name: 'HARMONISE_TEMPORAL_ADDRESS',
        setting: 'temporal.address',
        format: '`host:port`',
        default: { value: '127.0.0.1:7233' },
        meaning: "Temporal's frontend; the embedded dev server listens here",
      },
      {
        name: 'HARMONISE_TEMPORAL_NAMESPACE',
        setting: 'temporal.namespace',
        default: { value: 'default' },
        meaning: 'the Temporal namespace of every workflow',
      },
      {
        name: 'HARMONISE_TASK_QUEUE',
        setting: 'temporal.taskQueue',
        default: { value: 'harmonise' },
        meaning: 'the task queue workers poll and workflows are started on',
      },
      {
        name: 'HARMONISE_TEMPORAL_UI_PORT',
        setting: 'temporal.uiPort',
        default: { computed: 'the port of `HARMONISE_TEMPORAL_ADDRESS` + 1000' },
        meaning: "the embedded dev server's Web UI",
      },
      {
        name: 'HARMONISE_TEMPORAL_CLI',
        setting: 'temporal.cli',
        format: 'path',
        default: { computed: '`.tools/temporal/bin/temporal` of this checkout' },
        meaning: 'the Temporal CLI that runs the embedded dev server',
      },
    ],
  },
  {
    title: 'Executor',
    variables: [
      {
        name: 'HARMONISE_EXECUTOR',
        setting: 'executor.kind',
        default: { value: 'local' },
        meaning: 'where jobs run: on this machine, or through Slurm',
      },
      {
        name: 'HARMONISE_LOCAL_CPUS',
        setting: 'executor.local.cpus',
        default: { computed: "every core (Node's `os.availableParallelism()`)" },
        meaning: "the local executor's CPU budget, shared by the jobs it runs at once",
      },
      {
        name: 'HARMONISE_LOCAL_MEM_MIB',
        setting: 'executor.local.memMiB',
        default: { computed: "75% of the machine's memory" },
        meaning: "the local executor's memory budget in MiB, shared by the jobs it runs at once",
      },
      {
        name: 'HARMONISE_POLL_INTERVAL_MS',
        setting: 'executor.pollIntervalMs',
        default: { value: 1000 },
        meaning:
          "how often the worker's one poller looks at the local executor's jobs (under Slurm: every 250 ms, or the status interval if shorter)",
      },
      {
        name: 'HARMONISE_MISSING_GRACE_MS',
        setting: 'executor.missingGraceMs',
        default: { value: 120_000 },
        meaning: 'how long a job may be missing from status polls before it counts as lost',
      },
    ],
  },
  {
    title: 'Slurm',
    variables: [
      {
        name: 'HARMONISE_SLURM_CONF',
        setting: 'slurm.conf',
        format: 'path, or `system`',
        default: {
          computed: "this checkout's single-node cluster (`etc/slurm.conf` in its runtime folder)",
        },
        meaning: "the `slurm.conf` of every Slurm command; `system`: Slurm's own default",
      },
      {
        name: 'HARMONISE_SLURM_START_LOCAL',
        setting: 'slurm.startLocal',
        format: '`false`, or anything else for true',
        default: { value: true },
        meaning: "start the project's single-node cluster (infra/slurm) when no controller answers",
      },
      {
        name: 'HARMONISE_SLURM_BASE',
        setting: null,
        format: 'path',
        default: { computed: '`/var/lib/harmonise/slurm`' },
        meaning: "where each checkout's single-node cluster keeps its runtime folder",
      },
      {
        name: 'HARMONISE_SLURM_DIR',
        setting: null,
        format: 'path',
        default: {
          computed:
            "a folder in `HARMONISE_SLURM_BASE` named by a digest of the checkout's real path",
        },
        meaning: "this checkout's runtime folder itself",
      },
      {
        name: 'HARMONISE_SLURM_PARTITION',
        setting: 'slurm.partition',
        default: NONE,
        meaning: 'the partition of every job',
      },
      {
        name: 'HARMONISE_SLURM_ACCOUNT',
        setting: 'slurm.account',
        default: NONE,
        meaning: 'the account of every job',
      },
      {
        name: 'HARMONISE_SLURM_QOS',
        setting: 'slurm.qos',
        default: NONE,
        meaning: "the QoS of every job (NGC's reruns, so that they never starve clinical work)",
      },
      {
        name: 'HARMONISE_SLURM_EXTRA_ARGS',
        setting: 'slurm.extraArgs',
        format: 'whitespace-separated `--option=value`',
        default: { value: [] },
        meaning: `site options added to every sbatch; allowed: ${ALLOWED_EXTRA_OPTIONS.map((o) => `\`${o}\``).join(', ')}`,
      },
      {
        name: 'HARMONISE_SLURM_ACCOUNTING',
        setting: 'slurm.accounting',
        default: { computed: '`jobcomp` while `HARMONISE_SLURM_CONF` is unset, else `db`' },
        meaning:
          'where ended jobs are found once squeue forgets them: slurmdbd, the jobcomp file, or nowhere',
      },
      {
        name: 'HARMONISE_SLURM_STATUS_INTERVAL_MS',
        setting: 'slurm.statusIntervalMs',
        default: { value: 1000 },
        meaning: 'Slurm is asked about the jobs in flight at most this often (one squeue for all)',
      },
      {
        name: 'HARMONISE_SLURM_SUBMIT_RATE',
        setting: 'slurm.submitRatePerSecond',
        default: { value: 20 },
        meaning: 'sbatch calls per second at most, sustained',
      },
      {
        name: 'HARMONISE_SLURM_SUBMIT_BURST',
        setting: 'slurm.submitBurst',
        default: { value: 100 },
        meaning:
          "sbatch calls that may go at once before the rate applies (a campaign's first window)",
      },
    ],
  },
  {
    title: 'HTTP API',
    variables: [
      {
        name: 'HARMONISE_API_HOST',
        setting: 'api.host',
        default: { value: '127.0.0.1' },
        meaning: 'the address the HTTP API listens on (loopback unless a proxy stands in front)',
      },
      {
        name: 'HARMONISE_API_PORT',
        setting: 'api.port',
        default: { value: 8080 },
        meaning: "the HTTP API's port",
      },
    ],
  },
  {
    title: 'Intake limits',
    variables: [
      {
        name: 'HARMONISE_INTAKE_MAX_SAMPLES',
        setting: 'intake.maxSamples',
        default: { value: 5000 },
        meaning: 'samples one manifest may list (`SUBMISSION_TOO_LARGE` beyond)',
      },
      {
        name: 'HARMONISE_INTAKE_MAX_MANIFEST_MIB',
        setting: 'intake.maxManifestMiB',
        default: { value: 64 },
        meaning: 'the size of `manifest.json` in MiB (`MANIFEST_TOO_LARGE` beyond)',
      },
      {
        name: 'HARMONISE_INTAKE_MAX_LINE_KIB',
        setting: 'intake.maxLineKiB',
        default: { value: 16 * 1024 },
        meaning: 'the length of one FASTQ or VCF line in KiB (`FILE_LINE_TOO_LONG` beyond)',
      },
      {
        name: 'HARMONISE_INTAKE_MAX_GZIP_RATIO',
        setting: 'intake.maxGzipRatio',
        default: { value: 100 },
        meaning:
          'decompressed bytes per compressed byte of a gzip file, after its first 16 MiB; 0 turns the check off',
      },
      {
        name: 'HARMONISE_INTAKE_MAX_DECOMPRESSED_GIB',
        setting: 'intake.maxDecompressedGiB',
        default: { value: 1024 },
        meaning: 'the decompressed size of one file in GiB (`FILE_DECOMPRESSES_TOO_LARGE` beyond)',
      },
      {
        name: 'HARMONISE_INTAKE_SECONDS',
        setting: 'intake.secondsPerFile',
        default: { value: 600 },
        meaning:
          'seconds of time, and of CPU, that checking one file may take (plus `HARMONISE_INTAKE_SECONDS_PER_GIB` per GiB of it)',
      },
      {
        name: 'HARMONISE_INTAKE_SECONDS_PER_GIB',
        setting: 'intake.secondsPerGiB',
        default: { value: 300 },
        meaning: "seconds added to a file's budget per GiB of it",
      },
    ],
  },
  {
    title: 'Frequency releases',
    variables: [
      {
        name: 'HARMONISE_FREQUENCY_SHARD_BASES',
        setting: 'frequency.shardBases',
        default: { value: 50_000_000 },
        meaning: 'the length of the genomic shards a release is aggregated in, one job each',
      },
      {
        name: 'HARMONISE_FREQUENCY_BATCH_SIZE',
        setting: 'frequency.batchSize',
        default: { value: 500 },
        meaning:
          "genomes per batch of the frequency database (new batches only): a batch's partial is rebuilt when one of them leaves or changes",
      },
      {
        name: 'HARMONISE_FREQUENCY_CONTRIBUTIONS_PER_JOB',
        setting: 'frequency.contributionsPerJob',
        default: { value: 100 },
        meaning: 'gVCFs one contribution job reads',
      },
      {
        name: 'HARMONISE_FREQUENCY_NODE',
        setting: 'frequency.engineNode',
        format: 'path',
        default: { computed: 'the `node` that runs the worker' },
        meaning:
          'the node binary frequency jobs run the engine with (on Slurm: a path every node has)',
      },
    ],
  },
];

/** A variable that code outside config.ts reads, and where. */
export interface VariableReadElsewhere {
  name: `HARMONISE_${string}`;
  /** The files that read it, from the repository root (each names it). */
  readIn: readonly string[];
  meaning: string;
}

export const VARIABLES_READ_ELSEWHERE: readonly VariableReadElsewhere[] = [
  {
    name: 'HARMONISE_TOKEN',
    readIn: ['src/cli/context.ts'],
    meaning:
      "the CLI's API token: an operator override the CLI makes itself (`--mode`) needs an operator token; `harmonise up` writes development tokens to `api-tokens.json` in the data root",
  },
  {
    name: 'HARMONISE_EXECUTOR',
    readIn: ['src/cli/context.ts'],
    meaning:
      'besides the setting above: whether it is set at all, which tells the CLI that the executor was chosen rather than defaulted',
  },
  {
    name: 'HARMONISE_JOB_ID',
    readIn: ['src/executors/local-job-file.ts'],
    meaning:
      "set by the local executor (`JOB_ID_ENV`, src/executors/local.ts) in every job's environment, never by hand: a restarted worker finds a job it lost track of by looking for it in running processes",
  },
];
