/**
 * The dashboard: `GET /` serves one self-contained page (no script or style from anywhere else)
 * that reads `GET /api/v1/dashboard` with the caller's token every few seconds: the services'
 * health, campaigns with progress bars, recent submissions with their status, age, what they wait
 * on and their rejection reasons, genomes by stage, and releases, each workflow linked to the
 * Temporal UI.
 *
 * Nothing that does not answer is left out: a campaign or submission whose workflow does not
 * answer its query is shown with what is known of it and why the rest is missing.
 */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { temporalUiUrl } from '../config.ts';
import { errorMessage } from '../errors.ts';
import { healthResponse } from './health.ts';
import { route, type RouteSpec } from './route.ts';
import { createSampleCounter } from './sample-counts.ts';
import { pendingActivity } from './pending-activity-schema.ts';

export const DASHBOARD_HTML = new URL('./dashboard.html', import.meta.url);

const RECENT = 20;
/**
 * An answer younger than this is given again: every open dashboard asks every 3 s, and each
 * answer costs Temporal a few calls per campaign and live submission.
 */
const SHARED_FOR_MS = 2_000;

const stageCounts = z.record(z.string(), z.number());

const dashboardResponse = z.looseObject({
  generatedAt: z.string(),
  /** The Temporal Web UI; null when the server has none (a Temporal cluster). */
  temporalUi: z.string().nullable(),
  namespace: z.string(),
  health: healthResponse.pick({ temporal: true, worker: true, checkedAt: true }),
  campaigns: z.array(
    z.looseObject({
      campaignId: z.string(),
      state: z.string(),
      progressUnavailable: z
        .string()
        .optional()
        .describe('the campaign did not answer: why; the progress shown is the last known'),
      progressAsOf: z
        .string()
        .nullable()
        .optional()
        .describe('when the campaign last answered with it (null: from its records and files)'),
    }),
  ),
  submissions: z.array(
    z.looseObject({
      workflowId: z.string(),
      status: z.string(),
      receivedAt: z.string(),
      pendingActivities: z.array(pendingActivity).optional(),
      statusUnavailable: z
        .string()
        .optional()
        .describe('the workflow did not answer its query: why (its samples are then not listed)'),
    }),
  ),
  samplesByStage: stageCounts.describe(
    'genomes: each sample once, in the stage of its latest sampleWorkflow run',
  ),
  runsByStage: stageCounts.describe('sampleWorkflow runs (a rerun sample counts once per run)'),
  samplesByStageComplete: z
    .boolean()
    .describe('false until the API has read every closed run once (its first refreshes)'),
  releases: z.array(z.looseObject({ releaseId: z.string() })),
});

export function dashboardRoutes(client: HarmoniseClient): RouteSpec[] {
  const countSamples = createSampleCounter(client);
  let shared: { at: number; answer: Promise<unknown> } | null = null;

  const answer = async () => {
    // Asked side by side: the slowest part (a workflow that does not answer) sets the time.
    const [health, campaigns, submissions, samples, releases] = await Promise.all([
      client.health(),
      client.recentCampaigns(RECENT),
      client.recentSubmissions(RECENT),
      countSamples(),
      client.records.releaseSummaries(10),
    ]);
    return {
      generatedAt: new Date().toISOString(),
      temporalUi: temporalUiUrl(client.config),
      namespace: client.config.temporal.namespace,
      health: { temporal: health.temporal, worker: health.worker, checkedAt: health.checkedAt },
      campaigns,
      submissions,
      samplesByStage: samples.samplesByStage,
      runsByStage: samples.runsByStage,
      samplesByStageComplete: samples.complete,
      releases,
    };
  };

  return [
    route({
      method: 'GET',
      url: '/api/v1/dashboard',
      summary: 'Everything the dashboard shows, in one answer',
      tag: 'dashboard',
      access: 'read',
      response: dashboardResponse,
      handler: () => {
        const now = Date.now();
        if (shared === null || now - shared.at >= SHARED_FOR_MS) {
          const fresh = { at: now, answer: answer() };
          shared = fresh;
          // A failed answer is not given again.
          fresh.answer.catch((error: unknown) => {
            if (shared === fresh) shared = null;
            return errorMessage(error);
          });
        }
        return shared.answer;
      },
    }),
  ];
}
