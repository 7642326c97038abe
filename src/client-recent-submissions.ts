/**
 * The dashboard's submissions (the typed client's `recentSubmissions`): every live one first (newest first; a submission stuck in
 * validation for hours must not scroll away behind newer finished ones), with what it waits on,
 * then the newest ended ones from their records. A live submission whose workflow does not
 * answer its query is shown from what Temporal's server says of it, with the reason.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { checkIds } from './client-checks.ts';
import { pendingActivitiesOf } from './client-describe.ts';
import { submissionStatus } from './client-submissions.ts';
import {
  SUBMISSION_STATUSES,
  submissionEnded,
  type PendingActivity,
  type SubmissionStatus,
  type SubmissionStatusName,
} from './domain/status.ts';
import type { InputIssue } from './domain/issues.ts';
import type { HarmonisationMode } from './domain/policy.ts';
import { errorMessage } from './errors.ts';
import { SearchAttribute } from './shared.ts';
import { submissionRecords } from './store/listings.ts';
import type { Layout } from './store/layout.ts';
import { submitterView } from './store/submissions.ts';

type RecentContext = { layout: Layout; temporal: Client };

/** A live submission that did not answer: what the server knows, and why the rest is missing. */
export interface UnansweredSubmission {
  region: string;
  submissionId: string;
  workflowId: string;
  status: SubmissionStatusName;
  mode: HarmonisationMode | null;
  pipelineVersion: string | null;
  errors: InputIssue[];
  /** Not known without the workflow's answer: empty. */
  samples: [];
  receivedAt: string;
  updatedAt: string;
  pendingActivities: PendingActivity[];
  statusUnavailable: string;
}

export type DashboardSubmission = SubmissionStatus | UnansweredSubmission;

/** A live submission's own answer is waited for this long, leaving time to describe it instead. */
const QUERY_WAIT_MS = 2_500;

const MODES: readonly string[] = ['full', 'partial', 'none'];

async function unanswered(
  ctx: RecentContext,
  region: string,
  submissionId: string,
  workflowId: string,
  why: unknown,
): Promise<UnansweredSubmission | null> {
  // Temporal itself not answering fails the whole answer (a 503), as it should.
  const description = await ctx.temporal.workflow
    .getHandle(workflowId)
    .describe()
    .catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    });
  if (description === null) return null;
  const attributes = description.typedSearchAttributes;
  // The workflow sets Stage to its status from validation on; before that it has received it.
  const stage = attributes.get(SearchAttribute.Stage) ?? 'received';
  const mode = attributes.get(SearchAttribute.HarmonisationMode) ?? null;
  const view = await submitterView(ctx.layout, region, submissionId);
  const receivedAt = description.startTime.toISOString();
  return {
    region,
    submissionId,
    workflowId,
    status: (SUBMISSION_STATUSES as readonly string[]).includes(stage)
      ? (stage as SubmissionStatusName)
      : 'running',
    mode: mode !== null && MODES.includes(mode) ? (mode as HarmonisationMode) : null,
    pipelineVersion: attributes.get(SearchAttribute.PipelineVersion) ?? null,
    errors: [],
    samples: [],
    receivedAt,
    updatedAt: receivedAt,
    pendingActivities: pendingActivitiesOf(description.raw).map((a) => ({
      ...a,
      lastFailure: a.lastFailure === null ? null : view(a.lastFailure),
    })),
    statusUnavailable: `the workflow did not answer (${view(errorMessage(why))}): its worker is down or busy`,
  };
}

async function live(ctx: RecentContext, workflowId: string): Promise<DashboardSubmission | null> {
  // `submission:<region>:<submissionId>`; neither part can hold a colon.
  const [, region, submissionId] = workflowId.split(':');
  if (!region || !submissionId) return null;
  try {
    return await ctx.temporal.withDeadline(Date.now() + QUERY_WAIT_MS, () => {
      checkIds({ region, submissionId });
      return submissionStatus(ctx, region, submissionId);
    });
  } catch (error) {
    return unanswered(ctx, region, submissionId, workflowId, error);
  }
}

export async function recentSubmissions(
  ctx: RecentContext,
  limit: number,
): Promise<DashboardSubmission[]> {
  const running: string[] = [];
  for await (const info of ctx.temporal.workflow.list({
    query: 'WorkflowType="submissionWorkflow" AND ExecutionStatus="Running"',
    pageSize: limit,
  })) {
    running.push(info.workflowId);
    if (running.length >= limit) break;
  }
  const [records, lives] = await Promise.all([
    submissionRecords(ctx.layout),
    Promise.all(running.map((workflowId) => live(ctx, workflowId))),
  ]);
  const found = new Map<string, DashboardSubmission>();
  for (const record of records) if (record.workflowId) found.set(record.workflowId, record);
  for (const status of lives) if (status) found.set(status.workflowId, status);
  const isLive = (s: DashboardSubmission) =>
    running.includes(s.workflowId) && !submissionEnded(s.status);
  return [...found.values()]
    .sort(
      (a, b) =>
        Number(isLive(b)) - Number(isLive(a)) ||
        (isLive(a) ? b.receivedAt.localeCompare(a.receivedAt) : 0) ||
        b.updatedAt.localeCompare(a.updatedAt),
    )
    .slice(0, limit);
}
