/**
 * Signals, queries and updates, shared by workflows and clients. Each constant's name ends in
 * Signal, Query or Update.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignProgress, SampleFinished } from '../domain/campaign.ts';
import type { JobEnded } from '../domain/job-state.ts';
import type { HarmonisationMode } from '../domain/policy.ts';
import type {
  ReleaseWorkflowStatus,
  SampleWorkflowStatus,
  StepStatus,
  SubmissionProgress,
} from '../domain/status.ts';

export interface SubmissionCompleteRequest {
  /** Who signalled: a region's pipeline or an operator (pseudonymous, no personal data). */
  requestedBy: string;
  /** An operator's override of the policy's mode, for this submission only. */
  mode?: HarmonisationMode;
}

/** A consent withdrawal asked for (by an operator, the CLI or the API). */
export interface ConsentWithdrawalRequest {
  requestedBy: string;
  /** Cut a release without the sample (unless one already was, for this withdrawal). */
  release: boolean;
}
/** Delivered by signal-with-start: a repeated request joins the withdrawal under way. */
export const withdrawConsentSignal = defineSignal<[ConsentWithdrawalRequest]>('withdrawConsent');

/**
 * The worker's job watcher tells the workflow that one of its jobs ended (by the job's key): the
 * workflow holds no activity slot while the job queues and runs (run-step.ts).
 */
export const jobEndedSignal = defineSignal<[JobEnded]>('jobEnded');

export const submissionCompleteSignal =
  defineSignal<[SubmissionCompleteRequest]>('submissionComplete');
/** The workflow's own small record; clients compose the full status with the run's files. */
export const submissionStatusQuery = defineQuery<SubmissionProgress>('submissionStatus');
export const sampleStatusQuery = defineQuery<SampleWorkflowStatus>('sampleStatus');
export const releaseStatusQuery = defineQuery<ReleaseWorkflowStatus>('releaseStatus');
export const probeStatusQuery = defineQuery<StepStatus>('probeStatus');

/** A campaign's sample child reports its end (children outlive the campaign run that started them). */
export const sampleFinishedSignal = defineSignal<[SampleFinished]>('sampleFinished');
export const campaignProgressQuery = defineQuery<CampaignProgress>('campaignProgress');

/** Who asked, for the campaign's record of operator actions. */
export interface CampaignControlRequest {
  requestedBy: string;
}
export const pauseCampaignUpdate = defineUpdate<CampaignProgress, [CampaignControlRequest]>(
  'pauseCampaign',
);
export const resumeCampaignUpdate = defineUpdate<CampaignProgress, [CampaignControlRequest]>(
  'resumeCampaign',
);
export const cancelCampaignUpdate = defineUpdate<CampaignProgress, [CampaignControlRequest]>(
  'cancelCampaign',
);
export const setConcurrencyUpdate = defineUpdate<
  CampaignProgress,
  [CampaignControlRequest & { maxConcurrent: number }]
>('setConcurrency');
