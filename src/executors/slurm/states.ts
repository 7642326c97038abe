/**
 * Slurm's job states (squeue `%T`, sacct `State`, scontrol `JobState`) mapped onto harmonise's
 * closed set. Unknown states are not guessed at: they map to null and count as "not seen".
 */
import type { JobState } from '../../domain/job-state.ts';

const STATE_MAP: Readonly<Record<string, JobState>> = {
  PENDING: 'PENDING',
  REQUEUED: 'PENDING',
  REQUEUE_FED: 'PENDING',
  REQUEUE_HOLD: 'PENDING',
  RESV_DEL_HOLD: 'PENDING',
  CONFIGURING: 'RUNNING',
  RUNNING: 'RUNNING',
  COMPLETING: 'RUNNING',
  SUSPENDED: 'RUNNING',
  STOPPED: 'RUNNING',
  SIGNALING: 'RUNNING',
  STAGE_OUT: 'RUNNING',
  RESIZING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  SPECIAL_EXIT: 'FAILED',
  OUT_OF_MEMORY: 'OUT_OF_MEMORY',
  TIMEOUT: 'TIMEOUT',
  DEADLINE: 'TIMEOUT',
  CANCELLED: 'CANCELLED',
  REVOKED: 'CANCELLED',
  NODE_FAIL: 'NODE_FAIL',
  PREEMPTED: 'PREEMPTED',
  BOOT_FAIL: 'BOOT_FAIL',
};

/** `CANCELLED by 0`, `cancelled`, `CA`-less long names: the first word, upper-cased. */
export function mapSlurmState(raw: string): JobState | null {
  const word = raw.trim().split(/\s+/)[0]?.toUpperCase().replace(/\+$/, '') ?? '';
  return STATE_MAP[word] ?? null;
}
