/**
 * Slurm's own SubmitTime and EndTime of finished jobs: from squeue while slurmctld remembers
 * them (MinJobAge), else from the accounting record (`sacct`, `-c` for the jobcomp file). A job
 * found in neither, or under another job's name, is returned as forgotten: the benchmark lists
 * it instead of measuring without it.
 */
import { execa } from 'execa';
import { isTerminal } from '../src/domain/job-state.ts';
import type { AccountingSource } from '../src/executors/slurm/commands.ts';
import { parseSlurmTime } from '../src/executors/slurm/parsers.ts';
import { mapSlurmState } from '../src/executors/slurm/states.ts';

export interface SlurmJobTimes {
  submit: number;
  end: number;
  from: 'squeue' | 'accounting';
}

export interface SlurmTimesResult {
  times: Map<string, SlurmJobTimes>;
  /** Jobs Slurm no longer knows under the expected name (neither squeue nor accounting). */
  forgotten: string[];
  /** Jobs squeue still showed as not ended when the deadline passed. */
  unended: string[];
}

interface Row {
  id: string;
  name: string;
  state: string;
  submit: number | null;
  end: number | null;
}

/** `id|name|state|submit|end` lines; names may hold `|`, so they are the middle fields. */
function parseRows(stdout: string): Row[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = line.split('|');
      return {
        id: fields[0]!.trim(),
        name: fields.slice(1, -3).join('|'),
        state: fields.at(-3)!.trim(),
        submit: parseSlurmTime(fields.at(-2)?.trim()),
        end: parseSlurmTime(fields.at(-1)?.trim()),
      };
    });
}

/**
 * Times of the jobs, each given with the prefix its name must have. A job that squeue still
 * shows as running (its script ended, slurmctld has not yet recorded it) is asked about again
 * until `deadlineMs`.
 */
export async function slurmTimes(
  conf: string,
  accounting: AccountingSource,
  jobs: ReadonlyMap<string, string>,
  deadlineMs = 60_000,
): Promise<SlurmTimesResult> {
  const env = { SLURM_CONF: conf };
  const times = new Map<string, SlurmJobTimes>();
  const belongs = (row: Row) => row.name.startsWith(jobs.get(row.id) ?? '\0');
  let unended: string[] = [];
  const deadline = Date.now() + deadlineMs;
  let ask = [...jobs.keys()];
  const gone: string[] = [];
  while (ask.length > 0) {
    const queue = await execa(
      'squeue',
      ['-h', '-t', 'all', '-j', ask.join(','), '-o', '%i|%j|%T|%V|%e'],
      { env, reject: false },
    );
    // Every id unknown: squeue exits 1 ("Invalid job id specified"); that is an empty answer.
    if (queue.exitCode !== 0 && !/invalid job id/i.test(queue.stderr)) {
      throw new Error(`squeue failed: ${queue.stderr.trim()}`);
    }
    const rows = new Map(
      parseRows(queue.stdout)
        .filter(belongs)
        .map((row) => [row.id, row]),
    );
    unended = [];
    for (const id of ask) {
      const row = rows.get(id);
      const state = row && mapSlurmState(row.state);
      if (!row) gone.push(id);
      else if (state && isTerminal(state) && row.submit !== null && row.end !== null) {
        times.set(id, { submit: row.submit, end: row.end, from: 'squeue' });
      } else unended.push(id);
    }
    if (unended.length === 0 || Date.now() > deadline) break;
    ask = unended;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (gone.length > 0 && accounting !== 'none') {
    const { stdout } = await execa(
      'sacct',
      [
        ...(accounting === 'jobcomp' ? ['-c'] : []),
        '-X',
        '-n',
        '-P',
        '-o',
        'JobID,JobName,State,Submit,End',
        '-j',
        gone.join(','),
      ],
      { env },
    );
    // One line per attempt of a requeued job: the last one is its end.
    for (const row of parseRows(stdout).filter(belongs)) {
      if (row.submit !== null && row.end !== null) {
        times.set(row.id, { submit: row.submit, end: row.end, from: 'accounting' });
      }
    }
  }
  const forgotten = gone.filter((id) => !times.has(id));
  return { times, forgotten, unended };
}
