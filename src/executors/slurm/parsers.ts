/**
 * Pure parsers of Slurm's command output, tested on output captured from a real cluster
 * (test/fixtures/slurm). Formats are fixed by the adapter's own format strings.
 */
import type { JobState } from '../../domain/job-state.ts';
import { mapSlurmState } from './states.ts';

export class SlurmParseError extends Error {
  override readonly name = 'SlurmParseError';
}

/** `sbatch --parsable` prints `<jobid>` or `<jobid>;<cluster>`. */
export function parseSbatchParsable(stdout: string): string {
  const line = stdout.trim().split('\n').at(-1)?.trim() ?? '';
  const id = line.split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new SlurmParseError(`sbatch printed no job id: "${stdout.trim()}"`);
  return id;
}

export interface SlurmJobRow {
  jobId: string;
  name: string;
  rawState: string;
  state: JobState | null;
  reason: string;
}

/** The squeue format the adapter asks for: id, name, state, reason. */
export const SQUEUE_FORMAT = '%i|%j|%T|%r';

/** Parses `squeue -h -t all -o '%i|%j|%T|%r'`. Job names may contain `|`: the name is the middle. */
export function parseSqueue(stdout: string): SlurmJobRow[] {
  const rows: SlurmJobRow[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split('|');
    if (fields.length < 4) throw new SlurmParseError(`unexpected squeue line: "${line}"`);
    const jobId = fields[0]!.trim();
    const reason = fields.at(-1)!.trim();
    const rawState = fields.at(-2)!.trim();
    const name = fields.slice(1, -2).join('|');
    rows.push({ jobId, name, rawState, state: mapSlurmState(rawState), reason });
  }
  return rows;
}

export interface SacctRow {
  jobId: string;
  name: string;
  rawState: string;
  state: JobState | null;
  exitCode: string;
}

/** The sacct fields the adapter asks for, with `--parsable2 --noheader -X`. */
export const SACCT_FIELDS = 'JobID,JobName,State,ExitCode';

/** Parses `sacct -X -n -P -o JobID,JobName,State,ExitCode`; one line per job (and per requeue). */
export function parseSacct(stdout: string): SacctRow[] {
  const rows: SacctRow[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split('|');
    if (fields.length < 4) throw new SlurmParseError(`unexpected sacct line: "${line}"`);
    const jobId = fields[0]!.trim();
    const exitCode = fields.at(-1)!.trim();
    const rawState = fields.at(-2)!.trim();
    const name = fields.slice(1, -2).join('|');
    rows.push({ jobId, name, rawState, state: mapSlurmState(rawState), exitCode });
  }
  return rows;
}

/** Parses `scontrol show job -o` (one job per line, `Key=Value` pairs) into records. */
export function parseScontrolJobs(stdout: string): Record<string, string>[] {
  const jobs: Record<string, string>[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.includes('JobId=')) continue;
    const record: Record<string, string> = {};
    // Values have no spaces except in a few free-text fields; split on ` Key=` boundaries.
    for (const match of line
      .trim()
      .matchAll(/(?:^|\s)([A-Za-z][A-Za-z0-9:/_]*)=(\S*(?:\s(?![A-Za-z][A-Za-z0-9:/_]*=)\S+)*)/g)) {
      record[match[1]!] = match[2]!;
    }
    jobs.push(record);
  }
  return jobs;
}

/** Slurm timestamps (`2026-11-26T18:07:21`, local time) as epoch milliseconds; null for Unknown. */
export function parseSlurmTime(value: string | undefined): number | null {
  if (!value || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(value)) return null;
  return new Date(value).getTime();
}
