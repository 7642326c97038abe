/**
 * What the Slurm controller itself recorded (squeue while it remembers a job, then the jobcomp
 * file that `sacct -c` reads), independent of anything harmonise wrote.
 */
import { slurmCommand } from '../helpers/slurm.ts';

export interface SlurmJob {
  jobId: string;
  name: string;
  state: string;
}

/** Every job the controller knows, by id; null while it does not answer (a restart). */
export async function slurmJobs(): Promise<Map<string, SlurmJob> | null> {
  const [live, done] = await Promise.all([
    slurmCommand('squeue', ['-h', '-t', 'all', '-o', '%i|%j|%T']),
    slurmCommand('sacct', ['-c', '-X', '-n', '-P', '-o', 'JobID,JobName,State']),
  ]);
  if (live.exitCode !== 0 || done.exitCode !== 0) return null;
  return parseJobRecords(done.stdout, live.stdout);
}

/**
 * Jobs by id from `sacct -c -X -n -P -o JobID,JobName,State` and `squeue -h -t all -o %i|%j|%T`
 * output; squeue last: a job's live state wins over an older jobcomp line.
 */
export function parseJobRecords(jobcomp: string, squeue: string): Map<string, SlurmJob> {
  const jobs = new Map<string, SlurmJob>();
  for (const line of `${jobcomp}\n${squeue}`.split('\n')) {
    const [jobId, name, state] = line.split('|');
    if (jobId && name && state) jobs.set(jobId, { jobId, name, state: state.split(' ')[0]! });
  }
  return jobs;
}

/** Names with more than one job: each extra job is a duplicate submission. */
export function duplicateNames(jobs: Iterable<SlurmJob>): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const job of jobs) byName.set(job.name, [...(byName.get(job.name) ?? []), job.jobId]);
  return new Map([...byName].filter(([, ids]) => ids.length > 1));
}
