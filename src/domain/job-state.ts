/**
 * The closed set of job states every executor maps onto (Slurm's many raw states included),
 * and the decision each terminal state leads to (docs/executors.md).
 */
export const JOB_STATES = [
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'OUT_OF_MEMORY',
  'TIMEOUT',
  'CANCELLED',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export type TerminalJobState = Exclude<JobState, 'PENDING' | 'RUNNING'>;

export function isTerminal(state: JobState): state is TerminalJobState {
  return state !== 'PENDING' && state !== 'RUNNING';
}

/** A job's end as the worker's poller saw it, sent to the job's workflow (the jobEnded signal). */
export interface JobEnded {
  /** The job key (`<workflowId>/<runId>/<step>/<attempt>`). */
  key: string;
  state: TerminalJobState;
  exitCode: number | null;
  reason?: string;
}
