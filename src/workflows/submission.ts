/**
 * submissionWorkflow (`submission:<region>:<submissionId>`), started by signal-with-start of
 * `submissionComplete`: checks the submission as a whole (intake writes its sample list to disk),
 * rejects it with reasons or runs one sampleWorkflow per accepted sample in a sliding window,
 * and records the outcome. Repeated signals start nothing new.
 *
 * Whatever the number of samples, history holds only counters, the window and a page of the
 * list: the list is read from disk a page at a time, outcomes go to disk in batches, and the
 * workflow continues as new (after its window has drained) long before history limits.
 */
import {
  ApplicationFailure,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IntakePageEntry } from '../domain/intake-list.ts';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
import { boundIssues } from '../domain/issues.ts';
import {
  emptyCounts,
  finalStatusFromCounts,
  type SubmissionProgress,
  type SubmissionSampleStatus,
} from '../domain/status.ts';
import { SearchAttribute, sampleWorkflowId } from '../shared.ts';
import { fileActivities, quickActivities, submissionActivities } from './activities.ts';
import {
  submissionCompleteSignal,
  submissionStatusQuery,
  type SubmissionCompleteRequest,
} from './messages.ts';
import { sampleStartAttributes, sampleWorkflow } from './sample.ts';
import { ended, sampleFailure } from './submission-outcomes.ts';

export interface SubmissionWorkflowInput {
  region: string;
  submissionId: string;
  /** Continue-as-new once history has this many events (tests lower it). */
  continueAsNewAfterEvents?: number;
  /** At most this many samples in flight at once (tests lower it). */
  window?: number;
  carried?: SubmissionCarry;
}

/** What crosses continue-as-new: plain JSON, small whatever the number of samples. */
export interface SubmissionCarry {
  progress: SubmissionProgress;
  request: SubmissionCompleteRequest;
  intakeFile: string;
  /** The intake list's next page starts at this byte. */
  nextByte: number;
  /** Intake entries read so far (of progress.counts.total). */
  read: number;
  outcomeSeq: number;
}

const DEFAULT_CONTINUE_AS_NEW_AFTER = 4000;
/** Samples in flight at once: far below Temporal's 2,000 pending children per run. */
const DEFAULT_WINDOW = 100;
const PAGE_SIZE = 100;
/** Outcomes are written to disk in batches of this size (and always before continue-as-new). */
const FLUSH_EVERY = 100;
/** Errors kept per sample outcome. */
const MAX_OUTCOME_ERRORS = 10;

function now(): string {
  return new Date(Date.now()).toISOString();
}

export async function submissionWorkflow(
  input: SubmissionWorkflowInput,
): Promise<SubmissionProgress> {
  const invalid = firstIdProblem({ region: input.region, submissionId: input.submissionId });
  if (invalid !== null) throw ApplicationFailure.nonRetryable(invalid.problem, INVALID_ID);
  const info = workflowInfo();
  const canAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  const window = input.window ?? DEFAULT_WINDOW;
  const progress: SubmissionProgress = input.carried?.progress ?? {
    region: input.region,
    submissionId: input.submissionId,
    workflowId: info.workflowId,
    status: 'received',
    mode: null,
    modeSource: null,
    modeDecidedBy: null,
    pipelineVersion: null,
    errors: [],
    signals: 0,
    receivedAt: now(),
    updatedAt: now(),
    counts: emptyCounts(),
    runDir: null,
    running: [],
    recent: [],
  };
  let request: SubmissionCompleteRequest | null = input.carried?.request ?? null;
  setHandler(submissionCompleteSignal, (req) => {
    progress.signals += 1;
    request ??= req;
    progress.updatedAt = now();
  });
  setHandler(submissionStatusQuery, () => progress);
  const setStatus = (status: SubmissionProgress['status']) => {
    progress.status = status;
    progress.updatedAt = now();
    upsertSearchAttributes([{ key: SearchAttribute.Stage, value: status }]);
  };

  let carry = input.carried;
  if (carry === undefined) {
    upsertSearchAttributes([{ key: SearchAttribute.Region, value: input.region }]);
    await condition(() => request !== null);
    // The signal handler set it (TypeScript cannot see that `condition` waited for it).
    const accepted: SubmissionCompleteRequest | null = request;
    if (accepted === null) throw new Error('unreachable: no submissionComplete request');

    // The policy comes first: its pipeline names the reference the files are checked against.
    const policy = await quickActivities.resolvePolicy({ region: input.region });
    progress.mode = accepted.mode ?? policy.mode;
    progress.modeSource = accepted.mode ? 'operator' : 'policy';
    progress.modeDecidedBy = accepted.mode ? accepted.requestedBy : 'policy';
    progress.pipelineVersion = policy.pipelineVersion;
    upsertSearchAttributes([
      { key: SearchAttribute.HarmonisationMode, value: progress.mode },
      { key: SearchAttribute.PipelineVersion, value: policy.pipelineVersion },
    ]);

    setStatus('validating');
    const intake = await fileActivities.validateSubmission({
      region: input.region,
      submissionId: input.submissionId,
      pipelineVersion: policy.pipelineVersion,
      workflowId: info.workflowId,
      runId: info.firstExecutionRunId,
    });
    if (intake.issues.length > 0 || intake.intakeFile === null) {
      progress.errors = intake.issues;
      setStatus('rejected');
      await submissionActivities.recordSubmission(progress);
      return progress;
    }
    progress.runDir = intake.runDir;
    progress.counts = intake.counts;
    setStatus('running');
    carry = {
      progress,
      request: accepted,
      intakeFile: intake.intakeFile,
      nextByte: 0,
      read: 0,
      outcomeSeq: 1,
    };
  }
  const state = carry;
  const mode = progress.mode!;
  const pipelineVersion = progress.pipelineVersion!;
  const runDir = progress.runDir!;
  // Read from the list, not yet started.
  const queued: IntakePageEntry[] = [];
  let draining = false;

  const flush = async () => {
    if (progress.recent.length === 0) return;
    // Kept in `recent` until written, so a status read meanwhile still sees them.
    const outcomes = progress.recent.slice();
    await submissionActivities.recordSubmissionOutcomes({
      region: input.region,
      submissionId: input.submissionId,
      runDir,
      seq: state.outcomeSeq,
      outcomes,
    });
    state.outcomeSeq += 1;
    progress.recent.splice(0, outcomes.length);
  };

  const runSample = async (entry: IntakePageEntry) => {
    const childId = sampleWorkflowId(entry.sampleId, pipelineVersion);
    progress.running.push({ sampleId: entry.sampleId, workflowId: childId });
    progress.counts.pending -= 1;
    progress.counts.running += 1;
    let outcome: SubmissionSampleStatus;
    try {
      const result = await executeChild(sampleWorkflow, {
        workflowId: childId,
        // Only this submission holds the sample's claim: an earlier run that ended (rejected,
        // failed) may be run again; one still running elsewhere refuses the start.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: sampleStartAttributes({
          region: input.region,
          pipelineVersion,
          mode,
          stage: 'preparing',
        }),
        args: [
          {
            intake: {
              sampleId: entry.sampleId,
              region: input.region,
              submissionId: input.submissionId,
              mode,
              pipelineVersion,
              ref: entry.ref,
            },
          },
        ],
      });
      outcome = {
        sampleId: entry.sampleId,
        status: result.status,
        mode,
        errors: result.errors,
        workflowId: childId,
      };
    } catch (error) {
      outcome = await sampleFailure(error, entry, pipelineVersion, input.submissionId);
      outcome.mode = mode;
    }
    progress.running = progress.running.filter((r) => r.sampleId !== entry.sampleId);
    progress.counts.running -= 1;
    progress.counts[ended(outcome.status)] += 1;
    // What the query answers stays small: a sample's first errors (all are in its own status).
    progress.recent.push({ ...outcome, errors: boundIssues(outcome.errors, MAX_OUTCOME_ERRORS) });
    progress.updatedAt = now();
  };

  const moreToRead = () => state.read < progress.counts.total;
  const canStart = () =>
    !draining && progress.running.length < window && (queued.length > 0 || moreToRead());
  const allDone = () => !moreToRead() && queued.length === 0 && progress.running.length === 0;
  const historyFull = () =>
    workflowInfo().historyLength >= canAfter || workflowInfo().continueAsNewSuggested;

  const startMore = async () => {
    if (queued.length === 0) {
      const page = await submissionActivities.readSubmissionPage({
        intakeFile: state.intakeFile,
        from: state.nextByte,
        limit: PAGE_SIZE,
      });
      if (page.entries.length === 0)
        throw new Error(`${state.intakeFile} ended early at ${state.read}`);
      state.nextByte = page.next;
      state.read += page.entries.length;
      // Rejected and done samples were settled by intake: their outcome is already on disk.
      queued.push(...page.entries.filter((entry) => entry.status === 'pending'));
    }
    while (queued.length > 0 && progress.running.length < window) void runSample(queued.shift()!);
  };

  for (;;) {
    await condition(
      () =>
        canStart() ||
        allDone() ||
        progress.recent.length >= FLUSH_EVERY ||
        (!draining && historyFull()) ||
        (draining && progress.running.length === 0),
    );
    if (progress.recent.length >= FLUSH_EVERY) await flush();
    if (allDone()) break;
    if (!draining && historyFull()) draining = true;
    if (draining) {
      if (progress.running.length > 0) continue;
      // The window is empty: what was read but not started is read again by the next run.
      // (Its `index` is its line in the list: that many entries stand before it.)
      const first = queued[0];
      if (first !== undefined) {
        state.nextByte = first.ref.offset;
        state.read = first.index;
        queued.length = 0;
      }
      await flush();
      await condition(allHandlersFinished);
      return continueAsNew<typeof submissionWorkflow>({ ...input, carried: state });
    }
    if (canStart()) await startMore();
  }

  setStatus(finalStatusFromCounts(progress.counts));
  await flush();
  await submissionActivities.recordSubmission(progress);
  return progress;
}
