/**
 * Runs one plan step to success through as many attempts as the pipeline spec allows; each
 * attempt is one job with its own key. Failures become decisions (domain/retry.ts), and every
 * attempt is recorded in the caller's status for queries.
 */
import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { JobFailureDetails, RunStepInput, StepResult } from '../activities/jobs.ts';
import { FailureType } from '../domain/failures.ts';
import type { JobState } from '../domain/job-state.ts';
import type { RetryCaps } from '../domain/pipeline.ts';
import type { PlanStep } from '../domain/plan.ts';
import type { ProbeSpec } from '../domain/probe.ts';
import { decideRetry, type JobFailureKind } from '../domain/retry.ts';
import type { StepAttempt, StepStatus } from '../domain/status.ts';
import { jobActivities } from './activities.ts';

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
}

function now(): string {
  return new Date(Date.now()).toISOString();
}

export async function runStepWithRetries(args: RunStepArgs): Promise<StepResult> {
  let resources = args.step.resources;
  args.status.status = 'running';
  for (let attempt = 1; ; attempt++) {
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
      const result = await jobActivities.runStep({
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
      });
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
