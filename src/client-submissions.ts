/**
 * The submission half of the typed client's reads (client.ts delegates here): a submission's
 * status from its workflow, its run's files and what Temporal's server says it waits on.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { pendingActivitiesOf } from './client-describe.ts';
import { submissionEnded, type SubmissionStatus } from './domain/status.ts';
import { submissionWorkflowId } from './shared.ts';
import type { Layout } from './store/layout.ts';
import {
  composeSubmissionStatus,
  readSubmissionRecord,
  submitterView,
} from './store/submissions.ts';
import { submissionStatusQuery } from './workflows/messages.ts';

/**
 * The live status (the workflow's progress with the per-sample list from its run's files, and
 * the activities it waits on), else the recorded outcome, else null.
 */
export async function submissionStatus(
  ctx: { layout: Layout; temporal: Client },
  region: string,
  submissionId: string,
): Promise<SubmissionStatus | null> {
  const handle = ctx.temporal.workflow.getHandle(submissionWorkflowId(region, submissionId));
  const description = await handle.describe().catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  });
  if (description === null) return readSubmissionRecord(ctx.layout, region, submissionId);
  const running = description.status.name === 'RUNNING';
  // An ended submission's record is its status: no query (it would replay the whole history).
  if (!running) {
    const record = await readSubmissionRecord(ctx.layout, region, submissionId);
    if (record !== null) return record;
  }
  const progress = await handle.query(submissionStatusQuery);
  // A run started before the per-sample list moved to disk answers the whole status.
  if ('samples' in progress) return progress as unknown as SubmissionStatus;
  if (submissionEnded(progress.status)) {
    const record = await readSubmissionRecord(ctx.layout, region, submissionId);
    if (record !== null) return record;
  }
  const status = await composeSubmissionStatus(ctx.layout, progress);
  if (!running) return status;
  const view = await submitterView(ctx.layout, region, submissionId);
  status.pendingActivities = pendingActivitiesOf(description.raw).map((a) => ({
    ...a,
    lastFailure: a.lastFailure === null ? null : view(a.lastFailure),
  }));
  return status;
}
