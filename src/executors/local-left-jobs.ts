/**
 * Jobs of the local executor that this worker does not hold in memory: started (or queued) by an
 * earlier worker that died or restarted. What became of one is read from its `job.json`, the
 * process table and its markers: how to re-attach to it, its status, and how to cancel it.
 */
import type { Logger } from '../logger.ts';
import { findProcessByEnv, isProcessAlive, terminateProcessGroup } from '../platform/process.ts';
import { JOB_ID_ENV, readJobFile, type JobFile } from './local-job-file.ts';
import {
  fullDiskReason,
  readExitCode,
  readOutcome,
  statusFromMarkers,
  writeOutcome,
} from './markers.ts';
import type { JobRef, JobStatus } from './port.ts';

export type LeftJob =
  /** Its exit code or outcome marker is written. */
  | { found: 'finished' }
  | { found: 'running'; pid: number; pidStartTime: string; startedAt: number }
  /** Started, but its process is gone without a marker: its status says NODE_FAIL. */
  | { found: 'vanished' }
  /** Queued, or never really started, under a worker that is gone: to be queued again. */
  | { found: 'not-started' };

/** What became of a job left by an earlier worker, logged as this worker re-attaches to it. */
export async function findLeftJob(file: JobFile, workDir: string, log: Logger): Promise<LeftJob> {
  if ((await readExitCode(workDir)) !== null || (await readOutcome(workDir)) !== null) {
    log.info({ found: 'finished' }, 're-attached to job');
    return { found: 'finished' };
  }
  let { pid, pidStartTime } = file;
  if (file.phase === 'starting') {
    // The previous worker died between spawning and recording the pid: look for the job's shell.
    const found = findProcessByEnv(JOB_ID_ENV, file.jobId);
    if (found) ({ pid, startTime: pidStartTime } = found);
  }
  if (pid !== undefined && pidStartTime !== undefined && isProcessAlive(pid, pidStartTime)) {
    const startedAt = file.startedAt ? Date.parse(file.startedAt) : Date.now();
    log.info({ found: 'running', pid }, 're-attached to job');
    return { found: 'running', pid, pidStartTime, startedAt };
  }
  if (file.phase === 'started') {
    log.warn({ found: 'vanished' }, 're-attached to job'); // status says NODE_FAIL
    return { found: 'vanished' };
  }
  return { found: 'not-started' };
}

/** The status of a job this worker does not hold; null while it cannot be known. */
export async function statusOfLeftJob(job: JobRef): Promise<JobStatus | null> {
  const file = await readJobFile(job.workDir);
  if (file === null || file.jobId !== job.jobId) return null;
  const { pid, pidStartTime } = file;
  if (pid !== undefined && pidStartTime !== undefined && isProcessAlive(pid, pidStartTime)) {
    return { state: 'RUNNING', exitCode: null };
  }
  if (file.phase !== 'started') return null; // not (yet) started by this worker: unknown
  // The process is gone: it may have written its marker just now.
  const late = await statusFromMarkers(job.workDir);
  return (
    late ?? {
      state: 'NODE_FAIL',
      exitCode: null,
      reason:
        (await fullDiskReason(job.workDir)) ??
        'the job process vanished without writing its exit marker',
    }
  );
}

/**
 * Cancels a job this worker does not hold: started by an earlier worker (TERM, then KILL after
 * `graceMs` for whatever of its process group outlives that, as for a job of this worker), or
 * queued or being started by another worker on the data root, which sees the `CANCELLED` outcome
 * and does not start it, or stops it as soon as it has started it.
 */
export async function cancelLeftJob(job: JobRef, graceMs: number): Promise<void> {
  const file = await readJobFile(job.workDir);
  if (file?.jobId !== job.jobId || (await readExitCode(job.workDir)) !== null) return;
  let { pid, pidStartTime } = file;
  if (file.phase === 'starting' && pid === undefined) {
    const found = findProcessByEnv(JOB_ID_ENV, file.jobId);
    if (found) ({ pid, startTime: pidStartTime } = found);
  }
  const alive =
    pid !== undefined && pidStartTime !== undefined && isProcessAlive(pid, pidStartTime);
  // A job recorded as started whose process is gone ended without its marker (NODE_FAIL).
  if (file.phase === 'started' && !alive) return;
  await writeOutcome(job.workDir, { state: 'CANCELLED', reason: 'cancelled by harmonise' });
  if (alive) terminateProcessGroup(pid!, pidStartTime!, graceMs);
}
