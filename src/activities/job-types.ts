/** What a step's activities take and give (jobs.ts). */
import type { ExpectedInput } from '../domain/file-facts.ts';
import type { JobEnded } from '../domain/job-state.ts';
import type { JobResources, JobStepName } from '../domain/pipeline.ts';
import type { StepKind, StepSettings } from '../domain/plan.ts';
import type { ProbeSpec } from '../domain/probe.ts';
import type { JobRef } from '../executors/port.ts';
import type { JobUsage } from '../tools/usage.ts';

export interface RunStepInput {
  workflowId: string;
  /**
   * The workflow run: part of the job key, so that a later run of the same workflow id (after a
   * failure), or another deployment sharing the cluster, never takes an earlier job for its own.
   */
  runId: string;
  sampleId: string | null;
  /** The national pipeline the step belongs to; null for probes. */
  pipelineVersion: string | null;
  step: JobStepName;
  kind: StepKind;
  attempt: number;
  resources: JobResources;
  /** Resolved absolute input paths by name. */
  inputs: Record<string, string>;
  /** Output file names the job must leave in its work directory. */
  outputs: string[];
  regions?: string[];
  probe?: ProbeSpec;
  /** The plan step's own settings (reads format, long reads, what to adopt). */
  settings?: StepSettings;
  /** Submitted files among the inputs, by input name: they must still be what intake checked. */
  inputIdentities?: Record<string, ExpectedInput>;
}

export interface StepResult {
  step: JobStepName;
  attempt: number;
  key: string;
  jobId: string;
  executor: string;
  state: 'COMPLETED';
  workDir: string;
  outputs: Record<string, string>;
  resources: JobResources;
  toolVersions: Record<string, string>;
  commands: string[];
  /** When the executor accepted the job (sbatch returned, or the local queue took it). */
  submittedAt: string;
  endedAt: string;
  /** CPU time and peak memory, for jobs that measure them (frequency jobs). */
  usage?: JobUsage;
}

/**
 * A step's job once submitted: what the workflow keeps while it waits for the job's end, and when
 * it asks again if no end was signalled.
 */
export interface SubmittedJob {
  ref: JobRef;
  /** When the executor accepted the job (sbatch returned, or the local queue took it). */
  submittedAt: string;
  commands: string[];
  /** The workflow's recheck: first after `firstMs`, then doubling up to `maxMs`. */
  recheck: { firstMs: number; maxMs: number };
}

export interface FinishStepInput extends RunStepInput {
  job: SubmittedJob;
  status: JobEnded;
}

export interface WatchJobInput {
  workflowId: string;
  runId: string;
  ref: JobRef;
}
