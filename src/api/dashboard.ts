/**
 * The dashboard: `GET /` serves one self-contained page (no script or style from anywhere else)
 * that reads `GET /api/v1/dashboard` with the caller's token every few seconds: campaigns with
 * progress bars, recent submissions with their status and rejection reasons, samples by stage,
 * and releases, each workflow linked to the Temporal UI.
 */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { temporalUiUrl } from '../config.ts';
import type { SubmissionStatus } from '../domain/status.ts';
import { releaseSummaries, submissionRecords } from '../store/listings.ts';
import { route, type RouteSpec } from './route.ts';

export const DASHBOARD_HTML = new URL('./dashboard.html', import.meta.url);

const RECENT = 20;
const SAMPLE_STAGES = [
  'preparing',
  'planning',
  'running',
  'done',
  'failed',
  'rejected',
  'cancelled',
];

/** Finished submissions from their records, running ones from their workflows; newest first. */
async function recentSubmissions(client: HarmoniseClient): Promise<SubmissionStatus[]> {
  const found = new Map<string, SubmissionStatus>();
  for (const record of await submissionRecords(client.layout)) {
    if (record.workflowId) found.set(record.workflowId, record);
  }
  const running = client.temporal.workflow.list({
    query: 'WorkflowType="submissionWorkflow" AND ExecutionStatus="Running"',
    pageSize: RECENT,
  });
  let seen = 0;
  for await (const info of running) {
    if (seen++ >= RECENT) break;
    // `submission:<region>:<submissionId>`; neither part can hold a colon.
    const [, region, submissionId] = info.workflowId.split(':');
    if (!region || !submissionId) continue;
    const status = await client.submissionStatus(region, submissionId).catch(() => null);
    if (status) found.set(info.workflowId, status);
  }
  return [...found.values()]
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, RECENT);
}

async function samplesByStage(client: HarmoniseClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const stage of SAMPLE_STAGES) {
    const { count } = await client.temporal.workflow.count(
      `WorkflowType="sampleWorkflow" AND Stage="${stage}"`,
    );
    counts[stage] = count;
  }
  return counts;
}

export function dashboardRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/dashboard',
      summary: 'Everything the dashboard shows, in one answer',
      tag: 'dashboard',
      access: 'read',
      response: z.looseObject({
        generatedAt: z.string(),
        temporalUi: z.string(),
        namespace: z.string(),
        campaigns: z.array(z.looseObject({ campaignId: z.string(), state: z.string() })),
        submissions: z.array(z.looseObject({ workflowId: z.string(), status: z.string() })),
        samplesByStage: z.record(z.string(), z.number()),
        releases: z.array(z.looseObject({ releaseId: z.string() })),
      }),
      handler: async () => ({
        generatedAt: new Date().toISOString(),
        temporalUi: temporalUiUrl(client.config),
        namespace: client.config.temporal.namespace,
        campaigns: await client.recentCampaigns(RECENT),
        submissions: await recentSubmissions(client),
        samplesByStage: await samplesByStage(client),
        releases: await releaseSummaries(client.layout, 10),
      }),
    }),
  ];
}
