/**
 * A step's job on the executor port: submitting it (refusals retrying cannot fix become final
 * failures) and waiting for it through the worker's one poller, cancelling it with its activity.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType } from '../errors.ts';
import type { TerminalJobStatus } from '../executors/poller.ts';
import { JobRejectedError, type JobRef, type JobSpec } from '../executors/port.ts';
import type { ActivityHandle } from './context.ts';
import type { ActivityDeps } from './deps.ts';

/** Submits, turning refusals that retrying cannot fix (bad partition, account...) into final failures. */
export async function submitJob(deps: ActivityDeps, spec: JobSpec): Promise<JobRef> {
  try {
    return await deps.executor.submit(spec);
  } catch (error) {
    if (error instanceof JobRejectedError) {
      throw ApplicationFailure.nonRetryable(error.message, FailureType.ConfigInvalid);
    }
    throw error;
  }
}

/** Waits through the worker's one poller, heartbeating; cancelling the activity cancels the job. */
export async function waitForJob(
  deps: ActivityDeps,
  ref: JobRef,
  activity: ActivityHandle,
): Promise<TerminalJobStatus> {
  const signal = activity.cancellationSignal;
  try {
    return await deps.poller.wait(ref, {
      ...(signal ? { signal } : {}),
      onPoll: (status) =>
        activity.heartbeat({ jobId: ref.jobId, key: ref.key, state: status?.state ?? 'UNKNOWN' }),
    });
  } catch (error) {
    if (signal?.aborted) {
      if (activity.cancellationMeansStop()) {
        await deps.executor.cancel(ref);
        deps.logger.info({ jobId: ref.jobId, key: ref.key }, 'job cancelled with its activity');
      } else {
        // Worker shutdown or heartbeat timeout: the job keeps running and a retry re-attaches.
        deps.logger.info(
          { jobId: ref.jobId, key: ref.key },
          'activity interrupted; job left running',
        );
      }
      throw error instanceof CancelledFailure ? error : new CancelledFailure('step cancelled');
    }
    throw error;
  }
}
