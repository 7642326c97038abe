/**
 * Activity proxies with their timeouts, taken once at module top level (STYLE: explicit
 * timeouts). Step jobs can queue for days on a busy cluster, so runStep has a long
 * start-to-close but a short heartbeat timeout: a dead worker is noticed in seconds and the
 * retry re-attaches to the running job by its key.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

const transientRetry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

export const jobActivities = proxyActivities<Pick<Activities, 'runStep'>>({
  startToCloseTimeout: '7 days',
  heartbeatTimeout: '20 seconds',
  retry: transientRetry,
});

export const fileActivities = proxyActivities<
  Pick<
    Activities,
    | 'validateSubmission'
    | 'registerSample'
    | 'publishRelease'
    | 'snapshotRelease'
    | 'removeWorkDir'
    | 'recordSubmission'
  >
>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: transientRetry,
});

export const quickActivities = proxyActivities<
  Pick<Activities, 'resolvePolicy' | 'planSampleWork' | 'findHarmonised'>
>({
  startToCloseTimeout: '2 minutes',
  retry: transientRetry,
});
