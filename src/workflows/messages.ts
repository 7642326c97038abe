/** Signals and queries, shared by workflows and clients (STYLE §2: names end in Signal / Query). */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { HarmonisationMode } from '../domain/policy.ts';
import type {
  ReleaseWorkflowStatus,
  SampleWorkflowStatus,
  StepStatus,
  SubmissionStatus,
} from '../domain/status.ts';

export interface SubmissionCompleteRequest {
  /** Who signalled: a region's pipeline or an operator (pseudonymous, no personal data). */
  requestedBy: string;
  /** An operator's override of the policy's mode, for this submission only. */
  mode?: HarmonisationMode;
}

export const submissionCompleteSignal =
  defineSignal<[SubmissionCompleteRequest]>('submissionComplete');
export const submissionStatusQuery = defineQuery<SubmissionStatus>('submissionStatus');
export const sampleStatusQuery = defineQuery<SampleWorkflowStatus>('sampleStatus');
export const releaseStatusQuery = defineQuery<ReleaseWorkflowStatus>('releaseStatus');
export const probeStatusQuery = defineQuery<StepStatus>('probeStatus');
