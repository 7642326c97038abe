/**
 * Status shapes answered by workflow queries and printed by `--json` commands (docs/interfaces.md).
 * Field names here are contracts: other programs read them.
 */
import type { InputIssue } from './issues.ts';
import type { JobState } from './job-state.ts';
import type { JobResources, JobStepName } from './pipeline.ts';
import type { PlanVerdict } from './plan.ts';
import type { HarmonisationMode } from './policy.ts';

export const SUBMISSION_STATUSES = [
  'received',
  'validating',
  'running',
  'accepted',
  'partially-accepted',
  'rejected',
  'failed',
] as const;
export type SubmissionStatusName = (typeof SUBMISSION_STATUSES)[number];

/** A submission in one of these has ended: its outcome record is its status. */
export function submissionEnded(status: SubmissionStatusName): boolean {
  return ['accepted', 'partially-accepted', 'rejected', 'failed'].includes(status);
}

export type SampleOutcome = 'pending' | 'running' | 'done' | 'rejected' | 'failed';

export interface SubmissionSampleStatus {
  sampleId: string;
  status: SampleOutcome;
  mode: HarmonisationMode | null;
  errors: InputIssue[];
  workflowId: string | null;
}

/** How many of a submission's samples are where; `total` is every sample of the manifest. */
export interface SubmissionCounts {
  total: number;
  pending: number;
  running: number;
  done: number;
  rejected: number;
  failed: number;
}

export interface SubmissionStatus {
  region: string;
  submissionId: string;
  workflowId: string;
  status: SubmissionStatusName;
  mode: HarmonisationMode | null;
  /** `policy` when the mode came from NGC's policy file, `operator` for an override. */
  modeSource: 'policy' | 'operator' | null;
  /** `policy`, or who overrode it (an operator decision, recorded). */
  modeDecidedBy: string | null;
  pipelineVersion: string | null;
  errors: InputIssue[];
  samples: SubmissionSampleStatus[];
  /** How many `submissionComplete` signals arrived (repeats start nothing new). */
  signals: number;
  receivedAt: string;
  updatedAt: string;
  /** The samples' counts (absent in records written before they were kept). */
  counts?: SubmissionCounts;
  /**
   * While the workflow runs: the activities it waits on, as Temporal's server reports them (a
   * validation that keeps failing shows here, with its attempts and last failure). Absent once
   * the submission has ended, and in records.
   */
  pendingActivities?: PendingActivity[];
}

/** An activity a running workflow waits on (Temporal's pending activity; no worker needed). */
export interface PendingActivity {
  /** The activity's name: validateSubmission, resolvePolicy, recordSubmission… */
  activity: string;
  /** `scheduled`: waiting for a worker, or for its next attempt; `started`: a worker runs it. */
  state: 'scheduled' | 'started' | 'cancel-requested' | 'paused' | 'unknown';
  /** 1 on the first try; each failed attempt adds one. */
  attempt: number;
  /** Null: retried until it succeeds (or the workflow says otherwise). */
  maximumAttempts: number | null;
  /** The last attempt's failure message, or null if no attempt has failed. */
  lastFailure: string | null;
  scheduledAt: string | null;
  lastStartedAt: string | null;
  /** When the next attempt starts, while it waits for its retry. */
  nextAttemptAt: string | null;
}

/**
 * What a submission's workflow itself holds and answers: its status without the per-sample list,
 * which lives on disk (store/submissions.ts composes the full status). Everything here is small
 * whatever the number of samples: the samples in flight, and outcomes not yet written.
 */
export interface SubmissionProgress extends Omit<SubmissionStatus, 'samples' | 'counts'> {
  counts: SubmissionCounts;
  /** The run folder with the intake list and the outcome batches; null before intake. */
  runDir: string | null;
  running: { sampleId: string; workflowId: string }[];
  /** Finished samples whose outcome is not yet on disk. */
  recent: SubmissionSampleStatus[];
}

export function emptyCounts(): SubmissionCounts {
  return { total: 0, pending: 0, running: 0, done: 0, rejected: 0, failed: 0 };
}

/** The final status of a submission from its samples' counts. */
export function finalStatusFromCounts(counts: SubmissionCounts): SubmissionStatusName {
  if (counts.total > 0 && counts.done === counts.total) return 'accepted';
  if (counts.done > 0) return 'partially-accepted';
  if (counts.failed > 0) return 'failed';
  return 'rejected';
}

/** The final status of a submission from its samples' outcomes. */
export function finalSubmissionStatus(
  samples: readonly { status: SampleOutcome }[],
): SubmissionStatusName {
  const done = samples.filter((s) => s.status === 'done').length;
  const failed = samples.filter((s) => s.status === 'failed').length;
  if (samples.length > 0 && done === samples.length) return 'accepted';
  if (done > 0) return 'partially-accepted';
  if (failed > 0) return 'failed';
  return 'rejected';
}

export interface StepAttempt {
  attempt: number;
  jobId: string | null;
  /** `SUBMITTED` until the job's end is known. */
  state: JobState | 'SUBMITTED';
  resources: JobResources;
  startedAt: string;
  endedAt: string | null;
  reason: string | null;
}

export interface StepStatus {
  name: JobStepName;
  /** reused: taken from an earlier version with the same fingerprint, no job run. */
  status: 'pending' | 'running' | 'done' | 'reused' | 'failed';
  attempts: StepAttempt[];
}

export type SampleStage =
  | 'preparing'
  | 'planning'
  /** Only as the Stage search attribute: any step, or registering (the query has the detail). */
  | 'running'
  | JobStepName
  | 'registering'
  | 'done'
  | 'failed'
  | 'rejected'
  | 'cancelled';

export interface SampleWorkflowStatus {
  sampleId: string;
  /** Null until a rerun has read the sample's record. */
  region: string | null;
  pipelineVersion: string;
  mode: HarmonisationMode | null;
  /** The campaign that runs the sample, if any. */
  campaignId: string | null;
  stage: SampleStage;
  steps: StepStatus[];
  errors: InputIssue[];
  /** How the sample's alignment and variants were treated under its mode, and why. */
  verdict: PlanVerdict | null;
}

export type ReleaseStage = 'snapshot' | 'aggregating' | 'publishing' | 'done' | 'failed';

export interface ReleaseWorkflowStatus {
  releaseId: string;
  stage: ReleaseStage;
  samples: number | null;
  steps: StepStatus[];
  dir: string | null;
  sites: number | null;
  error: string | null;
}
