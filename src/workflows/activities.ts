/** Activity proxies, taken once at module top level, each with an explicit timeout. */
import {
  ActivityCancellationType,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

const transientRetry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  // Bad ids are bad input: retrying cannot fix them (errors.ts InvalidIdError).
  nonRetryableErrorTypes: ['InvalidIdError'],
};

/**
 * A step's job: submitted by a short activity (it may wait its turn under the submit rate
 * limit, heartbeating), then waited for by signal with no activity running (run-step.ts); the
 * recheck and the cancellation of a job are quick calls.
 */
export const stepActivities = proxyActivities<Pick<Activities, 'submitStep' | 'finishStep'>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: transientRetry,
});

export const jobControlActivities = proxyActivities<Pick<Activities, 'watchJob' | 'cancelJob'>>({
  startToCloseTimeout: '2 minutes',
  retry: transientRetry,
});

/**
 * The step as one activity that waits for its job, for workflows started before steps waited by
 * signal: a long start-to-close, but a short heartbeat timeout, so that a dead worker is noticed
 * in seconds and the retry re-attaches to the running job by its key.
 */
export const jobActivities = proxyActivities<Pick<Activities, 'runStep'>>({
  startToCloseTimeout: '7 days',
  heartbeatTimeout: '20 seconds',
  retry: transientRetry,
  // A cancelled workflow ends only after its job was cancelled on the executor.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export const fileActivities = proxyActivities<
  Pick<
    Activities,
    | 'validateSubmission'
    | 'registerSample'
    | 'publishRelease'
    | 'snapshotRelease'
    | 'prepareRerun'
    | 'planContributions'
    | 'planSampleContribution'
    | 'publishContributions'
    | 'planPartials'
    | 'publishPartials'
    | 'findReuseCandidates'
    | 'reuseStep'
  >
>({
  startToCloseTimeout: '2 hours',
  // Every long read, hash, check or copy in these heartbeats at least every 5 s, so the timeout
  // can be short: a worker killed during one is replaced within half a minute, not two.
  heartbeatTimeout: '30 seconds',
  retry: transientRetry,
});

/**
 * One sample's intake (checksums and content of files up to hundreds of GB): bounded by its own
 * budget per file (config intake), heartbeating, and stopped when the sample is cancelled.
 */
export const intakeActivities = proxyActivities<Pick<Activities, 'inspectSample'>>({
  startToCloseTimeout: '2 days',
  heartbeatTimeout: '30 seconds',
  retry: transientRetry,
  // A cancelled (or terminated) sample ends only after its inspection stopped.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** A submission's bookkeeping: pages of its intake list, outcome batches, its record. */
export const submissionActivities = proxyActivities<
  Pick<Activities, 'readSubmissionPage' | 'recordSubmissionOutcomes' | 'recordSubmission'>
>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: transientRetry,
});

/** Campaign bookkeeping: the catalogue scan of a national selection can take a minute. */
export const campaignActivities = proxyActivities<
  Pick<
    Activities,
    | 'resolveCampaign'
    | 'readCampaignPage'
    | 'recordCampaignOutcomes'
    | 'writeCampaignReport'
    | 'findSilentSamples'
  >
>({
  startToCloseTimeout: '30 minutes',
  // The catalogue scan heartbeats per batch; a campaign stalls only as long as this timeout
  // when a worker dies in the middle of its bookkeeping.
  heartbeatTimeout: '30 seconds',
  retry: transientRetry,
});

export const quickActivities = proxyActivities<
  Pick<Activities, 'resolvePolicy' | 'findHarmonised'>
>({
  startToCloseTimeout: '2 minutes',
  retry: transientRetry,
});

/**
 * Quick, local work run by the worker inside the workflow task: no task-queue round trip and
 * one history event instead of a workflow task and three activity events (a campaign of 60,000
 * samples feels the difference).
 */
export const localActivities = proxyLocalActivities<
  Pick<Activities, 'planSampleWork' | 'removeWorkDir' | 'decideStepReuse'>
>({
  startToCloseTimeout: '2 minutes',
  retry: transientRetry,
});

/**
 * A consent withdrawal's two writes: the catalogue record, then the audit log. Each is a small
 * write, so a worker that died during one is noticed, and the write retried, within 30 s.
 */
export const consentActivities = proxyActivities<
  Pick<Activities, 'recordConsentWithdrawal' | 'auditConsentWithdrawal'>
>({
  startToCloseTimeout: '30 seconds',
  retry: { ...transientRetry, nonRetryableErrorTypes: ['InvalidIdError', 'SampleUnknown'] },
});
