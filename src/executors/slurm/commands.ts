/**
 * The one place that runs Slurm's commands: argv arrays (never shell strings), `SLURM_CONF`
 * when configured, a timeout on every call, and a count of status calls for the benchmark and
 * metrics. Transient controller trouble is reported as SlurmUnavailableError.
 */
import { execa } from 'execa';
import {
  parseSacct,
  parseSbatchParsable,
  parseSqueue,
  SACCT_FIELDS,
  SQUEUE_FORMAT,
} from './parsers.ts';
import type { SacctRow, SlurmJobRow } from './parsers.ts';

export type AccountingSource = 'db' | 'jobcomp' | 'none';

export interface SlurmCommandOptions {
  /** Path of slurm.conf, or null for the system default. */
  conf: string | null;
  /** How finished jobs are found once squeue forgets them: slurmdbd, the jobcomp file, or not at all. */
  accounting: AccountingSource;
  timeoutMs?: number;
}

/** The controller is busy, down or unreachable: worth retrying later. */
export class SlurmUnavailableError extends Error {
  override readonly name = 'SlurmUnavailableError';
}

/** Slurm refused the request for a reason retrying will not change (bad partition, account...). */
export class SlurmRejectedError extends Error {
  override readonly name = 'SlurmRejectedError';
}

const TRANSIENT = [
  /unable to contact slurm controller/i,
  /socket timed out/i,
  /resource temporarily unavailable/i,
  /connection refused/i,
  /slurm_receive_msg/i,
  /temporarily unable to accept job/i,
  /try again/i,
  /communications? (connection )?failure/i,
  /zero bytes were transmitted/i,
  /timed out after/i,
];

export class SlurmCommands {
  /** squeue / sacct calls that ask about jobs in flight: the poller's "status calls". */
  statusCalls = 0;
  /** Look-ups of job keys before their sbatch (one call covers every key asked at once). */
  lookupCalls = 0;
  sbatchCalls = 0;

  constructor(private readonly options: SlurmCommandOptions) {}

  private async run(
    command: string,
    args: string[],
  ): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const env = this.options.conf ? { SLURM_CONF: this.options.conf } : {};
    const result = await execa(command, args, {
      env,
      reject: false,
      timeout: this.options.timeoutMs ?? 30_000,
      stdin: 'ignore',
    });
    if (result.failed && result.exitCode === undefined) {
      const why = result.timedOut
        ? `timed out after ${this.options.timeoutMs ?? 30_000} ms`
        : result.shortMessage;
      throw new SlurmUnavailableError(`${command}: ${why}`);
    }
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? 1 };
  }

  private fail(command: string, stderr: string): never {
    const message = `${command}: ${stderr.trim() || 'failed without a message'}`;
    if (TRANSIENT.some((pattern) => pattern.test(stderr))) throw new SlurmUnavailableError(message);
    throw new SlurmRejectedError(message);
  }

  async sbatch(args: string[]): Promise<string> {
    this.sbatchCalls += 1;
    const { stdout, stderr, exitCode } = await this.run('sbatch', args);
    if (exitCode !== 0) this.fail('sbatch', stderr);
    return parseSbatchParsable(stdout);
  }

  /** Live and recently finished jobs (within MinJobAge) by id, in one call. */
  async squeueByIds(jobIds: readonly string[]): Promise<SlurmJobRow[]> {
    if (jobIds.length === 0) return [];
    this.statusCalls += 1;
    const { stdout, stderr, exitCode } = await this.run('squeue', [
      '-h',
      '-t',
      'all',
      '-j',
      jobIds.join(','),
      '-o',
      SQUEUE_FORMAT,
    ]);
    // Every id unknown: squeue exits 1 with "Invalid job id specified"; that is an empty answer.
    if (exitCode !== 0 && /invalid job id/i.test(stderr)) return [];
    if (exitCode !== 0) this.fail('squeue', stderr);
    return parseSqueue(stdout);
  }

  /** Jobs with this exact name (the job key), live or recently finished. */
  squeueByName(name: string): Promise<SlurmJobRow[]> {
    return this.squeueByNames([name]);
  }

  /**
   * Jobs with any of these exact names (job keys), live or recently finished, in one call: the
   * look-ups of many submissions at once cost one squeue, not one each.
   */
  async squeueByNames(names: readonly string[]): Promise<SlurmJobRow[]> {
    if (names.length === 0) return [];
    this.lookupCalls += 1;
    const { stdout, stderr, exitCode } = await this.run('squeue', [
      '-h',
      '-t',
      'all',
      `--name=${names.join(',')}`,
      '-o',
      SQUEUE_FORMAT,
    ]);
    if (exitCode !== 0) this.fail('squeue', stderr);
    const wanted = new Set(names);
    return parseSqueue(stdout).filter((row) => wanted.has(row.name));
  }

  /** Finished jobs from accounting (slurmdbd or the jobcomp file), by ids or by names. */
  async sacct(
    filter: { jobIds: readonly string[] } | { name: string } | { names: readonly string[] },
  ): Promise<SacctRow[]> {
    if (this.options.accounting === 'none') return [];
    if ('jobIds' in filter) {
      if (filter.jobIds.length === 0) return [];
      this.statusCalls += 1;
      return this.accounting(['-j', filter.jobIds.join(',')]);
    }
    const names = 'name' in filter ? [filter.name] : filter.names;
    if (names.length === 0) return [];
    this.lookupCalls += 1;
    const wanted = new Set(names);
    const rows = await this.accounting([`--name=${names.join(',')}`, '-S', 'now-30days']);
    return rows.filter((row) => wanted.has(row.name));
  }

  private async accounting(selection: string[]): Promise<SacctRow[]> {
    const args = [
      ...(this.options.accounting === 'jobcomp' ? ['-c'] : []),
      '-X',
      '-n',
      '-P',
      '-o',
      SACCT_FIELDS,
      ...selection,
    ];
    const { stdout, stderr, exitCode } = await this.run('sacct', args);
    if (exitCode !== 0) this.fail('sacct', stderr);
    return parseSacct(stdout);
  }

  /** Cancels a job only if it still carries the expected name (job ids can be reused). */
  async scancel(jobId: string, name: string): Promise<void> {
    const { stderr, exitCode } = await this.run('scancel', [`--name=${name}`, jobId]);
    if (
      exitCode !== 0 &&
      !/invalid job id|already completing|job has already finished/i.test(stderr)
    ) {
      this.fail('scancel', stderr);
    }
  }

  /** `scontrol ping`: is the controller answering? */
  async ping(): Promise<boolean> {
    const result = await this.run('scontrol', ['ping']).catch(() => null);
    return result !== null && result.exitCode === 0 && /\bUP\b/.test(result.stdout);
  }
}
