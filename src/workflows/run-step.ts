/**
 * Runs one plan step to success through as many attempts as the pipeline spec allows; each
 * attempt is one job with its own key. Failures become decisions (domain/retry.ts), and every
 * attempt is recorded in the caller's status for queries.
 *
 * An attempt submits its job in a short activity and waits for the `jobEnded` signal of the
 * worker's job watcher, with no activity running: a worker keeps any number of jobs in flight.
 * If no signal comes (a worker died and its watch was lost), the workflow asks the current worker
 * again after `recheck.firstMs`, then after twice as long each time, up to `recheck.maxMs`.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  JobFailureDetails,
  RunStepInput,
  StepResult,
  SubmittedJob,
} from '../activities/jobs.ts';
import { FailureType } from '../domain/failures.ts';
import type { JobEnded, JobState } from '../domain/job-state.ts';
import type { RetryCaps } from '../domain/pipeline.ts';
import type { PlanStep } from '../domain/plan.ts';
import type { ProbeSpec } from '../domain/probe.ts';
import { decideRetry, type JobFailureKind } from '../domain/retry.ts';
import type { StepAttempt, StepStatus } from '../domain/status.ts';
import { jobActivities, jobControlActivities, stepActivities } from './activities.ts';
import { jobEndedSignal } from './messages.ts';

/**
 * Version marker: an attempt submits its job and waits for its end by signal, instead of one
 * activity that waits for the job (and holds a worker slot) for the job's whole life.
 */
export const JOB_END_BY_SIGNAL = 'job-end-by-signal';

/**
 * Ends signalled, by job key. A key names its workflow run and attempt, so the map is right
 * whether or not workflows share module state in the worker: a step reads only its own key,
 * which arrives with its signal (a replay delivers it again) and is removed once read. A late
 * duplicate (two workers watched the job) leaves an entry that no step reads.
 */
const endedJobs = new Map<string, JobEnded>();

/** Set again by every attempt (the same function): each workflow that runs steps listens. */
function listenForJobEnds(): void {
  setHandler(jobEndedSignal, (ended) => {
    endedJobs.set(ended.key, ended);
  });
}

const FAILURE_KINDS: Partial<Record<string, JobFailureKind>> = {
  [FailureType.JobOutOfMemory]: 'out-of-memory',
  [FailureType.JobTimeout]: 'timeout',
  [FailureType.JobInfrastructure]: 'infrastructure',
  [FailureType.JobFailed]: 'tool',
  [FailureType.JobOutputsMissing]: 'tool',
  [FailureType.JobCancelled]: 'cancelled',
};

export interface RunStepArgs {
  workflowId: string;
  sampleId: string | null;
  pipelineVersion: string | null;
  step: PlanStep;
  inputs: Record<string, string>;
  caps: RetryCaps;
  status: StepStatus;
  regions?: string[];
  probe?: ProbeSpec;
  /** The plan step's own settings (reads format, long reads, adopt). */
  settings?: RunStepInput['settings'];
  /** Submitted files among the inputs, by input name, as intake recorded them. */
  inputIdentities?: RunStepInput['inputIdentities'];
  /** Called whenever the status changed, so the caller can refresh what queries see. */
  onChange?: () => void;
  /** sha256 of every input by name, when known: the step's result then has its fingerprint. */
  inputSha256?: RunStepInput['inputSha256'];
  /**
   * The first attempt's number (default 1): a step run again in the same workflow run takes new
   * numbers, so its jobs get new keys and work folders.
   */
  firstAttempt?: number;
}

function now(): string {
  return new Date(Date.now()).toISOString();
}

export async function runStepWithRetries(args: RunStepArgs): Promise<StepResult> {
  let resources = args.step.resources;
  args.status.status = 'running';
  for (let attempt = args.firstAttempt ?? 1; ; attempt++) {
    const record: StepAttempt = {
      attempt,
      jobId: null,
      state: 'SUBMITTED',
      resources,
      startedAt: now(),
      endedAt: null,
      reason: null,
    };
    args.status.attempts.push(record);
    args.onChange?.();
    try {
      const input: RunStepInput = {
        workflowId: args.workflowId,
        runId: workflowInfo().runId,
        sampleId: args.sampleId,
        pipelineVersion: args.pipelineVersion,
        step: args.step.name,
        kind: args.step.kind,
        attempt,
        resources,
        inputs: args.inputs,
        outputs: args.step.outputs,
        ...(args.regions ? { regions: args.regions } : {}),
        ...(args.probe ? { probe: args.probe } : {}),
        ...(args.settings ? { settings: args.settings } : {}),
        ...(args.inputIdentities ? { inputIdentities: args.inputIdentities } : {}),
        ...(args.inputSha256 ? { inputSha256: args.inputSha256 } : {}),
      };
      const result = patched(JOB_END_BY_SIGNAL)
        ? await runJob(input, record, args.onChange)
        : await jobActivities.runStep(input);
      // The moment the workflow learnt of the end, not the activity's clock.
      Object.assign(record, { jobId: result.jobId, state: 'COMPLETED', endedAt: now() });
      args.status.status = 'done';
      args.onChange?.();
      return result;
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : undefined;
      const kind =
        cause instanceof ApplicationFailure ? FAILURE_KINDS[cause.type ?? ''] : undefined;
      if (!(cause instanceof ApplicationFailure) || kind === undefined) {
        record.state = 'FAILED';
        record.endedAt = now();
        record.reason = error instanceof Error ? error.message : String(error);
        args.status.status = 'failed';
        args.onChange?.();
        // A typed failure keeps its type (INPUT_CHANGED_AFTER_INTAKE, ConfigInvalid...), so the
        // sample's error says what happened rather than "the activity failed".
        if (cause instanceof ApplicationFailure && cause.type)
          throw ApplicationFailure.nonRetryable(cause.message, cause.type);
        throw error;
      }
      const details = cause.details?.[0] as JobFailureDetails | undefined;
      record.jobId = details?.jobId ?? null;
      record.state = (details?.state as JobState | undefined) ?? 'FAILED';
      record.endedAt = now();
      record.reason = cause.message;
      const decision = decideRetry(kind, resources, attempt, args.caps);
      if (!decision.retry) {
        args.status.status = 'failed';
        args.onChange?.();
        throw ApplicationFailure.nonRetryable(
          `step ${args.step.name} failed: ${cause.message} (${decision.reason})`,
          FailureType.StepFailed,
          { step: args.step.name, attempts: args.status.attempts },
        );
      }
      record.reason = `${cause.message}; ${decision.reason}`;
      resources = decision.resources;
      args.onChange?.();
    }
  }
}

/** One attempt's job: submitted, waited for by signal (or found by a recheck), then read back. */
async function runJob(
  input: RunStepInput,
  record: StepAttempt,
  onChange: (() => void) | undefined,
): Promise<StepResult> {
  listenForJobEnds();
  // Submission is not interrupted by a cancellation, so a job that was submitted is known and
  // cancelled below, never left running unknown.
  const job = await CancellationScope.nonCancellable(() => stepActivities.submitStep(input));
  record.jobId = job.ref.jobId;
  onChange?.();
  const status = await jobEnd(input, job);
  endedJobs.delete(job.ref.key);
  return stepActivities.finishStep({ ...input, job, status });
}

/** Waits for the job's end; a cancelled step cancels its job before the cancellation goes on. */
async function jobEnd(input: RunStepInput, job: SubmittedJob): Promise<JobEnded> {
  const { key } = job.ref;
  let waitMs = job.recheck.firstMs;
  try {
    for (;;) {
      if (await condition(() => endedJobs.has(key), waitMs)) return endedJobs.get(key)!;
      const found = await jobControlActivities.watchJob({
        workflowId: input.workflowId,
        runId: input.runId,
        ref: job.ref,
      });
      if (found) return found;
      waitMs = Math.min(waitMs * 2, job.recheck.maxMs);
    }
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() =>
        jobControlActivities.cancelJob({ ref: job.ref }),
      );
    }
    throw error;
  }
}
