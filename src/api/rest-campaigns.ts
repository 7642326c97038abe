/** The campaign routes: operators start, pause, resume and cancel; readers follow progress. */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { campaignRequestSchema } from '../domain/campaign-request.ts';
import { idSchemaOf } from '../domain/ids.ts';
import { ApiError, route, type RouteSpec } from './route.ts';

const campaignParams = z.strictObject({ campaignId: idSchemaOf('campaignId') });

const campaignProgress = z.looseObject({
  campaignId: z.string(),
  state: z.string(),
  counts: z.looseObject({ total: z.number(), done: z.number(), failed: z.number() }),
  samplesPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
});
/** In a list, a campaign that did not answer is there too, with its last known progress. */
const campaignListing = campaignProgress.extend({
  progressUnavailable: z
    .string()
    .optional()
    .describe('the campaign did not answer its query: why; the progress shown is the last known'),
  progressAsOf: z
    .string()
    .nullable()
    .optional()
    .describe('when the campaign last answered with it (null: from its records and files)'),
});

export function campaignRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/campaigns',
      summary: 'Start a rerun campaign',
      tag: 'campaigns',
      access: 'operator',
      body: campaignRequestSchema.omit({ requestedBy: true }),
      response: z.object({ campaignId: z.string(), workflowId: z.string() }),
      status: 201,
      handler: ({ body, requestedBy }) => client.startCampaign({ ...body, requestedBy }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/campaigns',
      summary:
        'Campaigns, newest first, with their progress (the last known, marked, for one that does not answer)',
      tag: 'campaigns',
      access: 'read',
      response: z.object({ campaigns: z.array(campaignListing) }),
      handler: async () => ({ campaigns: await client.recentCampaigns(50) }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/campaigns/:campaignId',
      summary: "A campaign's progress: counts per state, rate and ETA",
      tag: 'campaigns',
      access: 'read',
      params: campaignParams,
      response: campaignProgress,
      handler: async ({ params }) => {
        const progress = await client.campaignProgress(params.campaignId);
        if (!progress) throw new ApiError(404, 'NOT_FOUND', `no campaign ${params.campaignId}`);
        return progress;
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/campaigns/:campaignId/:action',
      summary: 'Pause, resume or cancel a campaign',
      tag: 'campaigns',
      access: 'operator',
      params: campaignParams.extend({ action: z.enum(['pause', 'resume', 'cancel']) }),
      response: campaignProgress,
      handler: ({ params, requestedBy }) =>
        client.controlCampaign(params.campaignId, params.action, requestedBy),
    }),
  ];
}
