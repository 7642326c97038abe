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
  /**
   * sha256 of every input, by input name (submitted files as intake recorded them, earlier steps'
   * outputs as their jobs did): with it, a sample step's result carries its fingerprint.
   */
  inputSha256?: Record<string, string>;
}

/** Where a reused step's outputs came from: the published version whose step had its fingerprint. */
export interface ReusedFrom {
  version: string;
  step: string;
  fingerprint: string;
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
  /** CPU time and peak memory, for jobs that measure them (frequency and sample steps). */
  usage?: JobUsage;
  /** sha256 of each output, by name (sample steps). */
  outputSha256?: Record<string, string>;
  /** sha256 of each input, by name, as the fingerprint took them. */
  inputSha256?: Record<string, string>;
  /** The step's fingerprint (domain/step-fingerprint.ts), when it could have one. */
  fingerprint?: string;
  /**
   * Set when the step was not run: its outputs are those of an earlier version's job (whose
   * key, job id, commands, tool versions and usage the result carries).
   */
  reusedFrom?: ReusedFrom;
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
