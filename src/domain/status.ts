/**
 * Status shapes answered by workflow queries and printed by `--json` commands (DESIGN §8).
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

export type SampleOutcome = 'pending' | 'running' | 'done' | 'rejected' | 'failed';

export interface SubmissionSampleStatus {
  sampleId: string;
  status: SampleOutcome;
  mode: HarmonisationMode | null;
  errors: InputIssue[];
  workflowId: string | null;
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
  status: 'pending' | 'running' | 'done' | 'failed';
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
