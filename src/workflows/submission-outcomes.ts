/** What a submission records of a sample child that ended: its count, or its failure as an outcome. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';
import type { IntakePageEntry } from '../domain/intake-list.ts';
import type { InputIssue } from '../domain/issues.ts';
import type { SubmissionSampleStatus } from '../domain/status.ts';
import { sampleWorkflowId } from '../shared.ts';
import { quickActivities } from './activities.ts';

/** The count a finished sample adds to. */
export function ended(status: SubmissionSampleStatus['status']): 'done' | 'failed' | 'rejected' {
  return status === 'done' || status === 'failed' ? status : 'rejected';
}

/** Turns a child's failure into the sample's outcome; this submission's own earlier harmonisation counts as done. */
export async function sampleFailure(
  error: unknown,
  entry: IntakePageEntry,
  pipelineVersion: string,
  submissionId: string,
): Promise<SubmissionSampleStatus> {
  const path = `samples[${entry.index}]`;
  const workflowId = sampleWorkflowId(entry.sampleId, pipelineVersion);
  const failed = (issue: InputIssue): SubmissionSampleStatus => ({
    sampleId: entry.sampleId,
    status: 'failed',
    mode: null,
    errors: [issue],
    workflowId,
  });
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    const existing = await quickActivities.findHarmonised({
      sampleId: entry.sampleId,
      pipelineVersion,
    });
    if (existing?.submissionId === submissionId) {
      return { sampleId: entry.sampleId, status: 'done', mode: null, errors: [], workflowId };
    }
    return failed({
      code: 'SAMPLE_IN_PROGRESS',
      path,
      message: `${workflowId} is already running for another request`,
    });
  }
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  return failed({
    code: cause instanceof ApplicationFailure && cause.type ? cause.type : 'SAMPLE_FAILED',
    path,
    message: cause instanceof Error ? cause.message : String(cause),
  });
}
