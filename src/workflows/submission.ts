/**
 * submissionWorkflow (`submission:<region>:<submissionId>`), started by signal-with-start of
 * `submissionComplete`: validates the in-place submission, rejects it with reasons or runs one
 * sampleWorkflow per valid sample, and records the outcome. Repeated signals start nothing new.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  WorkflowIdReusePolicy,
  condition,
  executeChild,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { InputIssue } from '../domain/issues.ts';
import { finalSubmissionStatus, type SubmissionStatus } from '../domain/status.ts';
import { SearchAttribute, sampleWorkflowId } from '../shared.ts';
import { fileActivities, quickActivities } from './activities.ts';
import {
  submissionCompleteSignal,
  submissionStatusQuery,
  type SubmissionCompleteRequest,
} from './messages.ts';
import { sampleStartAttributes, sampleWorkflow } from './sample.ts';

export interface SubmissionWorkflowInput {
  region: string;
  submissionId: string;
}

function now(): string {
  return new Date(Date.now()).toISOString();
}

export async function submissionWorkflow(
  input: SubmissionWorkflowInput,
): Promise<SubmissionStatus> {
  const state: SubmissionStatus = {
    region: input.region,
    submissionId: input.submissionId,
    workflowId: workflowInfo().workflowId,
    status: 'received',
    mode: null,
    modeSource: null,
    modeDecidedBy: null,
    pipelineVersion: null,
    errors: [],
    samples: [],
    signals: 0,
    receivedAt: now(),
    updatedAt: now(),
  };
  let request: SubmissionCompleteRequest | null = null;
  setHandler(submissionCompleteSignal, (req) => {
    state.signals += 1;
    request ??= req;
    state.updatedAt = now();
  });
  setHandler(submissionStatusQuery, () => state);
  const setStatus = (status: SubmissionStatus['status']) => {
    state.status = status;
    state.updatedAt = now();
    upsertSearchAttributes([{ key: SearchAttribute.Stage, value: status }]);
  };
  upsertSearchAttributes([{ key: SearchAttribute.Region, value: input.region }]);

  await condition(() => request !== null);
  const accepted = request as SubmissionCompleteRequest | null;
  if (accepted === null) throw new Error('unreachable: no submissionComplete request');

  // The policy comes first: its pipeline names the reference the files are checked against.
  const policy = await quickActivities.resolvePolicy({ region: input.region });
  const mode = accepted.mode ?? policy.mode;
  state.mode = mode;
  state.modeSource = accepted.mode ? 'operator' : 'policy';
  state.modeDecidedBy = accepted.mode ? accepted.requestedBy : 'policy';
  state.pipelineVersion = policy.pipelineVersion;
  upsertSearchAttributes([
    { key: SearchAttribute.HarmonisationMode, value: mode },
    { key: SearchAttribute.PipelineVersion, value: policy.pipelineVersion },
  ]);

  setStatus('validating');
  const intake = await fileActivities.validateSubmission({
    ...input,
    pipelineVersion: policy.pipelineVersion,
  });
  if (intake.issues.length > 0) {
    state.errors = intake.issues;
    setStatus('rejected');
    await fileActivities.recordSubmission(state);
    return state;
  }

  state.samples = intake.samples.map((sample) => ({
    sampleId: sample.sampleId,
    status: sample.issues.length > 0 ? 'rejected' : 'pending',
    mode,
    errors: sample.issues,
    workflowId: null,
  }));
  setStatus('running');

  await Promise.all(
    intake.samples.map(async (sample, index) => {
      const entry = state.samples[index]!;
      if (entry.status === 'rejected') return;
      const childId = sampleWorkflowId(sample.sampleId, policy.pipelineVersion);
      entry.workflowId = childId;
      entry.status = 'running';
      try {
        const result = await executeChild(sampleWorkflow, {
          workflowId: childId,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          typedSearchAttributes: sampleStartAttributes({
            region: input.region,
            pipelineVersion: policy.pipelineVersion,
            mode,
          }),
          args: [
            {
              sampleId: sample.sampleId,
              region: input.region,
              submissionId: input.submissionId,
              readType: sample.readType,
              consent: sample.consent,
              mode,
              pipelineVersion: policy.pipelineVersion,
              files: sample.files,
            },
          ],
        });
        entry.status = result.status;
        entry.errors = result.errors;
      } catch (error) {
        entry.errors = [await sampleFailure(error, sample.sampleId, policy.pipelineVersion, index)];
        entry.status = entry.errors[0]!.code === 'SAMPLE_ALREADY_HARMONISED' ? 'done' : 'failed';
        if (entry.status === 'done') entry.errors = [];
      }
      state.updatedAt = now();
    }),
  );

  setStatus(finalSubmissionStatus(state.samples));
  await fileActivities.recordSubmission(state);
  return state;
}

/** Turns a child's failure into the sample's error; an earlier harmonisation counts as done. */
async function sampleFailure(
  error: unknown,
  sampleId: string,
  pipelineVersion: string,
  index: number,
): Promise<InputIssue> {
  const path = `samples[${index}]`;
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    const existing = await quickActivities.findHarmonised({ sampleId, pipelineVersion });
    if (existing) {
      return {
        code: 'SAMPLE_ALREADY_HARMONISED',
        path,
        message: `already harmonised in ${existing.dir}`,
      };
    }
    return {
      code: 'SAMPLE_IN_PROGRESS',
      path,
      message: `${sampleWorkflowId(sampleId, pipelineVersion)} is already running for another request`,
    };
  }
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  return {
    code: cause instanceof ApplicationFailure && cause.type ? cause.type : 'SAMPLE_FAILED',
    path,
    message: cause instanceof Error ? cause.message : String(cause),
  };
}
