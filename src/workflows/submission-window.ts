/**
 * A submission's sliding window: the accepted samples run as sampleWorkflow children, at most
 * `size` at once, read from the intake list on disk a page at a time; each outcome is counted,
 * kept (bounded) for the status query and written to disk in batches.
 */
import { WorkflowIdReusePolicy, executeChild, workflowInfo } from '@temporalio/workflow';
import type { IntakePageEntry } from '../domain/intake-list.ts';
import { boundIssues } from '../domain/issues.ts';
import type { HarmonisationMode } from '../domain/policy.ts';
import type { SubmissionProgress, SubmissionSampleStatus } from '../domain/status.ts';
import { sampleWorkflowId } from '../shared.ts';
import { submissionActivities } from './activities.ts';
import { sampleWorkflow } from './sample.ts';
import { sampleStartAttributes } from './sample-status.ts';
import { ended, sampleFailure } from './submission-outcomes.ts';
import { now, type SubmissionCarry, type SubmissionWorkflowInput } from './submission-run.ts';

const DEFAULT_CONTINUE_AS_NEW_AFTER = 4000;
/** Samples in flight at once: far below Temporal's 2,000 pending children per run. */
const DEFAULT_WINDOW = 100;
const PAGE_SIZE = 100;
/** Errors kept per sample outcome. */
const MAX_OUTCOME_ERRORS = 10;

export interface SubmissionWindow {
  readonly input: SubmissionWorkflowInput;
  readonly progress: SubmissionProgress;
  readonly state: SubmissionCarry;
  readonly size: number;
  /** Continue-as-new once history has this many events. */
  readonly canAfter: number;
  readonly mode: HarmonisationMode;
  readonly pipelineVersion: string;
  readonly runDir: string;
  /** Read from the list, not yet started. */
  readonly queued: IntakePageEntry[];
  /** Starting no more: the window drains before continue-as-new. */
  draining: boolean;
}

export function openWindow(
  input: SubmissionWorkflowInput,
  state: SubmissionCarry,
): SubmissionWindow {
  const { progress } = state;
  return {
    input,
    progress,
    state,
    size: input.window ?? DEFAULT_WINDOW,
    canAfter: input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER,
    mode: progress.mode!,
    pipelineVersion: progress.pipelineVersion!,
    runDir: progress.runDir!,
    queued: [],
    draining: false,
  };
}

const moreToRead = (w: SubmissionWindow) => w.state.read < w.progress.counts.total;

export function canStart(w: SubmissionWindow): boolean {
  return (
    !w.draining && w.progress.running.length < w.size && (w.queued.length > 0 || moreToRead(w))
  );
}

export function allDone(w: SubmissionWindow): boolean {
  return !moreToRead(w) && w.queued.length === 0 && w.progress.running.length === 0;
}

export function historyFull(w: SubmissionWindow): boolean {
  return workflowInfo().historyLength >= w.canAfter || workflowInfo().continueAsNewSuggested;
}

/** Writes the outcomes not yet on disk, as the next batch. */
export async function flush(w: SubmissionWindow): Promise<void> {
  const { progress, state } = w;
  if (progress.recent.length === 0) return;
  // Kept in `recent` until written, so a status read meanwhile still sees them.
  const outcomes = progress.recent.slice();
  await submissionActivities.recordSubmissionOutcomes({
    region: w.input.region,
    submissionId: w.input.submissionId,
    runDir: w.runDir,
    seq: state.outcomeSeq,
    outcomes,
  });
  state.outcomeSeq += 1;
  progress.recent.splice(0, outcomes.length);
}

/** Fills the window, reading the next page of the list when nothing read is left to start. */
export async function startMore(w: SubmissionWindow): Promise<void> {
  const { progress, state, queued } = w;
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
  while (queued.length > 0 && progress.running.length < w.size) void runSample(w, queued.shift()!);
}

/** Runs one sample to its end and counts its outcome. */
async function runSample(w: SubmissionWindow, entry: IntakePageEntry): Promise<void> {
  const { input, progress, mode, pipelineVersion } = w;
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
}
