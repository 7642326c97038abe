/**
 * The frequency release routes: operators cut a release; readers list the published ones and
 * follow one from its workflow's status to its summary.
 */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { idSchemaOf } from '../domain/ids.ts';
import { HarmoniseError } from '../errors.ts';
import { ApiError, route, type RouteSpec } from './route.ts';

const releaseParams = z.strictObject({ releaseId: idSchemaOf('releaseId') });

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

export function releaseRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
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
      handler: async () => ({ releases: await client.records.releaseSummaries(100) }),
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
        const summary = await client.records.releaseSummary(params.releaseId);
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
