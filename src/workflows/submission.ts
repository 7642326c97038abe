/**
 * submissionWorkflow (`submission:<region>:<submissionId>`), started by signal-with-start of
 * `submissionComplete`: checks the submission as a whole (intake writes its sample list to disk),
 * rejects it with reasons or runs one sampleWorkflow per accepted sample in a sliding window,
 * and records the outcome. Repeated signals start nothing new.
 *
 * Whatever the number of samples, history holds only counters, the window and a page of the
 * list: the list is read from disk a page at a time, outcomes go to disk in batches, and the
 * workflow continues as new (after its window has drained) long before history limits.
 *
 * This file is the main loop; the run's state is in submission-run.ts, the checks before any
 * sample runs in submission-intake.ts, and the window in submission-window.ts.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
import { finalStatusFromCounts, type SubmissionProgress } from '../domain/status.ts';
import { submissionActivities } from './activities.ts';
import { submissionCompleteSignal, submissionStatusQuery } from './messages.ts';
import { acceptSubmission } from './submission-intake.ts';
import {
  newProgress,
  now,
  setStatus,
  type SubmissionRun,
  type SubmissionWorkflowInput,
} from './submission-run.ts';
import {
  allDone,
  canStart,
  flush,
  historyFull,
  openWindow,
  startMore,
} from './submission-window.ts';

export type { SubmissionCarry, SubmissionWorkflowInput } from './submission-run.ts';

/** Outcomes are written to disk in batches of this size (and always before continue-as-new). */
const FLUSH_EVERY = 100;

export async function submissionWorkflow(
  input: SubmissionWorkflowInput,
): Promise<SubmissionProgress> {
  const invalid = firstIdProblem({ region: input.region, submissionId: input.submissionId });
  if (invalid !== null) throw ApplicationFailure.nonRetryable(invalid.problem, INVALID_ID);
  const progress = input.carried?.progress ?? newProgress(input, workflowInfo().workflowId);
  const run: SubmissionRun = { input, progress, request: input.carried?.request ?? null };
  setHandler(submissionCompleteSignal, (req) => {
    progress.signals += 1;
    run.request ??= req;
    progress.updatedAt = now();
  });
  setHandler(submissionStatusQuery, () => progress);

  const state = input.carried ?? (await acceptSubmission(run));
  if (state === null) return progress;
  const w = openWindow(input, state);
  const { queued } = w;

  for (;;) {
    await condition(
      () =>
        canStart(w) ||
        allDone(w) ||
        progress.recent.length >= FLUSH_EVERY ||
        (!w.draining && historyFull(w)) ||
        (w.draining && progress.running.length === 0),
    );
    if (progress.recent.length >= FLUSH_EVERY) await flush(w);
    if (allDone(w)) break;
    if (!w.draining && historyFull(w)) w.draining = true;
    if (w.draining) {
      if (progress.running.length > 0) continue;
      // The window is empty: what was read but not started is read again by the next run.
      // (Its `index` is its line in the list: that many entries stand before it.)
      const first = queued[0];
      if (first !== undefined) {
        state.nextByte = first.ref.offset;
        state.read = first.index;
        queued.length = 0;
      }
      await flush(w);
      await condition(allHandlersFinished);
      return continueAsNew<typeof submissionWorkflow>({ ...input, carried: state });
    }
    if (canStart(w)) await startMore(w);
  }

  setStatus(progress, finalStatusFromCounts(progress.counts));
  await flush(w);
  await submissionActivities.recordSubmission(progress);
  return progress;
}
