/**
 * The REST routes (`/api/v1`, docs/interfaces.md), each a thin layer over HarmoniseClient. Regional
 * pipelines signal their own region's submissions; operators act; everyone with a token reads.
 */
import path from 'node:path';
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { campaignRequestSchema } from '../domain/campaign-request.ts';
import { idSchemaOf } from '../domain/ids.ts';
import { harmonisationModeSchema } from '../domain/policy.ts';
import { HarmoniseError } from '../errors.ts';
import { readJsonIfExists } from '../store/atomic.ts';
import { releaseSummaries } from '../store/listings.ts';
import type { Role } from './auth.ts';
import { pendingActivity } from './pending-activity-schema.ts';
import { ApiError, route, type Access, type RouteSpec } from './route.ts';

// The same id rules as the CLI's, the workflows' and the layout's (domain/id-rules.ts).
const submissionParams = z.strictObject({
  region: idSchemaOf('region'),
  submissionId: idSchemaOf('submissionId'),
});
const sampleParams = z.strictObject({ sampleId: idSchemaOf('sampleId') });
const campaignParams = z.strictObject({ campaignId: idSchemaOf('campaignId') });
const releaseParams = z.strictObject({ releaseId: idSchemaOf('releaseId') });

const issue = z.object({ code: z.string(), path: z.string(), message: z.string() });
const submissionStatus = z.looseObject({
  region: z.string(),
  submissionId: z.string(),
  workflowId: z.string(),
  status: z.string(),
  mode: harmonisationModeSchema.nullable(),
  errors: z.array(issue),
  samples: z.array(
    z.looseObject({
      sampleId: z.string(),
      status: z.string(),
      mode: z.string().nullable(),
      errors: z.array(issue),
    }),
  ),
  receivedAt: z.string().describe('when the workflow received the submission (its age)'),
  updatedAt: z.string(),
  pendingActivities: z
    .array(pendingActivity)
    .optional()
    .describe('while it runs: the activities it waits on, with attempts and last failure'),
});
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
const engineStage = z.looseObject({
  jobs: z.number(),
  cpuSeconds: z.number(),
  peakRssMiB: z.number(),
});
const releaseSummary = z.looseObject({
  releaseId: z.string(),
  createdAt: z.string(),
  samples: z.number(),
  sites: z.number(),
  samplesPerRegion: z.record(z.string(), z.number()),
  excluded: z.array(z.object({ sampleId: z.string(), reason: z.string() })),
  batches: z
    .array(
      z.object({
        batch: z.string(),
        partial: z.string(),
        members: z.number(),
        reused: z.boolean(),
      }),
    )
    .optional()
    .describe('the batch partials the release summed (additive releases)'),
  engine: z
    .looseObject({
      contributions: engineStage,
      partials: engineStage,
      reduce: engineStage,
      gather: engineStage,
    })
    .optional()
    .describe("each stage's jobs and what they cost, as each job measured itself"),
});

/** The region's own submitter, or an operator; viewers read. */
const ownRegion = (alsoViewer: boolean): Access => ({
  check: (role: Role, params) =>
    role === 'operator' ||
    (alsoViewer && role === 'viewer') ||
    role === `submitter:${params.region}`,
  says: alsoViewer
    ? "an operator, a viewer or the region's own submitter"
    : "an operator or the region's own submitter",
});

export function restRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/submissions/:region/:submissionId/complete',
      summary: 'Signal that an in-place submission is complete (starts or joins its workflow)',
      tag: 'submissions',
      access: ownRegion(false),
      params: submissionParams,
      body: z.strictObject({ mode: harmonisationModeSchema.optional() }).default({}),
      response: z.object({
        workflowId: z.string(),
        outcome: z.enum(['signalled', 'already-finished']),
      }),
      status: 202,
      handler: async ({ params, body, role, requestedBy }) => {
        if (params.region && !client.config.regions.includes(params.region)) {
          throw new ApiError(404, 'NOT_FOUND', `no region ${params.region}`);
        }
        if (body.mode !== undefined && role !== 'operator') {
          throw new ApiError(403, 'FORBIDDEN', 'only an operator may override the mode');
        }
        return client.completeSubmission(params.region, params.submissionId, {
          requestedBy,
          ...(body.mode ? { mode: body.mode } : {}),
        });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/submissions/:region/:submissionId',
      summary: 'The status of a submission and of each of its samples',
      tag: 'submissions',
      access: ownRegion(true),
      params: submissionParams,
      response: submissionStatus,
      handler: async ({ params }) => {
        const status = await client.submissionStatus(params.region, params.submissionId);
        if (!status)
          throw new ApiError(
            404,
            'NOT_FOUND',
            `no submission ${params.region}/${params.submissionId}`,
          );
        return status;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/samples/:sampleId',
      summary: "A sample's catalogue record and its workflows",
      tag: 'samples',
      access: 'read',
      params: sampleParams,
      response: z.looseObject({
        sampleId: z.string(),
        record: z.looseObject({}).nullable(),
        workflows: z.array(z.looseObject({ workflowId: z.string() })),
      }),
      handler: async ({ params }) => {
        const report = await client.sampleStatus(params.sampleId);
        if (report.record === null && report.workflows.length === 0)
          throw new ApiError(404, 'NOT_FOUND', `no sample ${params.sampleId}`);
        return report;
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/samples/:sampleId/consent-withdrawal',
      summary: 'Record a consent withdrawal and cut a release without the sample',
      tag: 'samples',
      access: 'operator',
      params: sampleParams,
      body: z.strictObject({ release: z.boolean().default(true) }).default({ release: true }),
      response: z.object({
        sampleId: z.string(),
        withdrawnAt: z.string(),
        alreadyWithdrawn: z.boolean(),
        releaseId: z.string().nullable(),
      }),
      handler: ({ params, body, requestedBy }) =>
        client.withdrawConsent(params.sampleId, { requestedBy, release: body.release }),
    }),
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
    route({
      method: 'POST',
      url: '/api/v1/frequency/releases',
      summary: 'Cut a frequency release',
      tag: 'frequency',
      access: 'operator',
      body: z
        .strictObject({
          pipelineVersion: idSchemaOf('pipelineVersion').optional(),
        })
        .default({}),
      response: z.object({ releaseId: z.string() }),
      status: 202,
      handler: async ({ body, requestedBy }) => ({
        releaseId: await client.startRelease({
          requestedBy,
          ...(body.pipelineVersion ? { pipelineVersion: body.pipelineVersion } : {}),
        }),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/frequency/releases',
      summary: 'Published releases, newest first (their summary.json)',
      tag: 'frequency',
      access: 'read',
      response: z.object({ releases: z.array(releaseSummary) }),
      handler: async () => ({ releases: await releaseSummaries(client.layout, 100) }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/frequency/releases/:releaseId',
      summary: "A release's summary once published, else the status of its workflow",
      tag: 'frequency',
      access: 'read',
      params: releaseParams,
      response: z.union([
        releaseSummary,
        z.looseObject({ releaseId: z.string(), stage: z.string() }),
      ]),
      handler: async ({ params }) => {
        const summary = await readJsonIfExists(
          path.join(client.layout.releaseDir(params.releaseId), 'summary.json'),
        );
        if (summary !== undefined) return summary as z.infer<typeof releaseSummary>;
        try {
          return await client.releaseStatus(params.releaseId);
        } catch (error) {
          if (error instanceof HarmoniseError || (error as Error).name === 'WorkflowNotFoundError')
            throw new ApiError(404, 'NOT_FOUND', `no release ${params.releaseId}`);
          throw error;
        }
      },
    }),
  ];
}
