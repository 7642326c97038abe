/**
 * The JobExecutor port (docs/executors.md). A job is identified by a deterministic key
 * (`<workflowId>/<runId>/<step>/<attempt>`); `submit` is idempotent on that key, `status`
 * answers for many jobs in one call, and `cancel` stops a job and everything it started.
 */
import type { JobResources } from '../domain/pipeline.ts';
import type { JobState } from '../domain/job-state.ts';

export type ExecutorKind = 'local' | 'slurm';

export interface JobSpec {
  key: string;
  /** Absolute; holds job.sh, the logs, the markers and the outputs. */
  workDir: string;
  /** The job script's text (written to `<workDir>/job.sh` by the executor). */
  script: string;
  resources: JobResources;
}

export interface JobRef {
  executor: ExecutorKind;
  jobId: string;
  key: string;
  workDir: string;
}

export interface JobStatus {
  state: JobState;
  /** The script's exit code when it wrote its marker. */
  exitCode: number | null;
  /** Why the executor chose this state, for people. */
  reason?: string;
}

/**
 * The executor refused the job for a reason retrying will not change (Slurm rejected the
 * partition or account, or an sbatch value failed its check). The message is the executor's own;
 * the step fails at once. Any other error from `submit` is retried like any activity failure.
 */
export class JobRejectedError extends Error {
  override readonly name = 'JobRejectedError';
}

export interface JobExecutor {
  readonly kind: ExecutorKind;
  /**
   * Starts the job, or returns the existing job with the same key (live or finished). Throws
   * JobRejectedError when the executor refuses the job for good.
   */
  submit(spec: JobSpec): Promise<JobRef>;
  /**
   * The states of many jobs in one call. A job the executor cannot see is absent from the map:
   * absence is not a failure by itself (the poller applies a grace period).
   */
  status(jobs: readonly JobRef[]): Promise<Map<string, JobStatus>>;
  /**
   * Takes charge of a job another worker process submitted (its watch was handed over): the
   * local executor starts it if it never started and watches it if it runs; Slurm, which owns
   * its jobs, needs nothing. A finished or unknown job is left as it is.
   */
  adopt(job: JobRef): Promise<void>;
  /** Stops the job and its children; a no-op for a finished job. */
  cancel(job: JobRef): Promise<void>;
  /** Releases timers and watchers; running jobs keep running. */
  close(): Promise<void>;
}
