/** The sample routes: a sample's record and workflows for readers; consent withdrawal for operators. */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { idSchemaOf } from '../domain/ids.ts';
import { ApiError, route, type RouteSpec } from './route.ts';

const sampleParams = z.strictObject({ sampleId: idSchemaOf('sampleId') });

export function sampleRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
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
  ];
}
