/**
 * buildSbatchArgs: the argv of one `sbatch` (never a shell string). The job key becomes the job
 * name, so a job can always be found again by its key; everything else comes from the job spec
 * and from site configuration validated at start-up. Nothing from a submission reaches sbatch:
 * the key is made of validated ids, and the values here are checked once more.
 */
import type { JobResources } from '../../domain/pipeline.ts';

export interface SlurmSiteOptions {
  partition: string | null;
  account: string | null;
  qos: string | null;
  /** Extra `--option=value` arguments from configuration, each on the allow-list. */
  extraArgs: readonly string[];
}

export interface SbatchJob {
  key: string;
  workDir: string;
  scriptPath: string;
  stdoutPath: string;
  stderrPath: string;
  resources: JobResources;
}

/** Options a site may add to every sbatch; anything else is refused at start-up. */
export const ALLOWED_EXTRA_OPTIONS = [
  '--constraint',
  '--reservation',
  '--exclude',
  '--nodelist',
  '--gres',
  '--licenses',
  '--nice',
  '--comment',
  '--clusters',
  '--wckey',
] as const;

const KEY = /^[A-Za-z0-9][A-Za-z0-9:._/-]{0,199}$/;
const SITE_VALUE = /^[A-Za-z0-9][A-Za-z0-9_.,:=+@%/-]{0,127}$/;
const SAFE_PATH = /^\/[^\0\n]*$/;

export class SbatchArgsError extends Error {
  override readonly name = 'SbatchArgsError';
}

/** Checks one configured extra option; returns it unchanged or throws. */
export function checkExtraArg(arg: string): string {
  const match = /^(--[a-z-]+)=(.+)$/.exec(arg);
  if (!match || !(ALLOWED_EXTRA_OPTIONS as readonly string[]).includes(match[1]!)) {
    throw new SbatchArgsError(
      `sbatch option "${arg}" is not allowed; allowed: ${ALLOWED_EXTRA_OPTIONS.join(', ')} (as --option=value)`,
    );
  }
  if (!SITE_VALUE.test(match[2]!))
    throw new SbatchArgsError(`sbatch option "${arg}" has an unsafe value`);
  return arg;
}

function checked(pattern: RegExp, value: string, what: string): string {
  if (!pattern.test(value))
    throw new SbatchArgsError(`${what} "${value}" is not acceptable to sbatch`);
  return value;
}

export function buildSbatchArgs(job: SbatchJob, site: SlurmSiteOptions): string[] {
  const { cpus, memMiB, timeMinutes } = job.resources;
  for (const [name, value] of Object.entries({ cpus, memMiB, timeMinutes })) {
    if (!Number.isInteger(value) || value < 1)
      throw new SbatchArgsError(`${name} must be a positive integer`);
  }
  const args = [
    '--parsable',
    `--job-name=${checked(KEY, job.key, 'job key')}`,
    `--chdir=${checked(SAFE_PATH, job.workDir, 'work directory')}`,
    `--output=${checked(SAFE_PATH, job.stdoutPath, 'stdout path')}`,
    `--error=${checked(SAFE_PATH, job.stderrPath, 'stderr path')}`,
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${cpus}`,
    `--mem=${memMiB}M`,
    `--time=${timeMinutes}`,
    '--no-requeue',
    '--export=ALL',
  ];
  if (site.partition) args.push(`--partition=${checked(SITE_VALUE, site.partition, 'partition')}`);
  if (site.account) args.push(`--account=${checked(SITE_VALUE, site.account, 'account')}`);
  if (site.qos) args.push(`--qos=${checked(SITE_VALUE, site.qos, 'QoS')}`);
  for (const extra of site.extraArgs) args.push(checkExtraArg(extra));
  args.push(checked(SAFE_PATH, job.scriptPath, 'script path'));
  return args;
}
