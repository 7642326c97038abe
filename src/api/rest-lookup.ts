/**
 * The frequency lookup routes (docs/frequency-lookup.md): one variant, a window's variants, and
 * the releases as readers may see them. Operators, viewers and frequency readers may call them;
 * readers get counts under the reporting floor suppressed, operators every count.
 */
import { z } from 'zod';
import { idSchemaOf } from '../domain/ids.ts';
import { datasetSchema, regionAnswerSchema, variantAnswerSchema } from '../lookup/answer.ts';
import { MAX_PAGE_SIZE, MAX_WINDOW_BASES, type FrequencyLookup } from '../lookup/service.ts';
import { parseWindow } from '../lookup/variant-id.ts';
import { ApiError, audienceOf, route, type RouteSpec } from './route.ts';

const release = z
  .union([z.literal('latest'), idSchemaOf('releaseId')])
  .default('latest')
  .describe('the release to answer from: its id, or latest (the default)');

/** The lookup a route answers from; the OpenAPI document alone is built without one. */
export function needLookup(lookup: FrequencyLookup | null): FrequencyLookup {
  if (lookup === null)
    throw new ApiError(503, 'LOOKUP_UNAVAILABLE', 'the lookup is not configured');
  return lookup;
}

export function lookupRoutes(lookup: FrequencyLookup | null): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/frequency/variants/:variantId',
      summary:
        'One variant (chrom-pos-ref-alt, normalised as releases are): its counts overall, per region and per stratum, or why it is not there',
      tag: 'frequency lookup',
      access: 'lookup',
      params: z.strictObject({ variantId: z.string().max(2000) }),
      query: z.strictObject({ release }),
      response: variantAnswerSchema,
      handler: ({ params, query, role }) =>
        needLookup(lookup).variant(
          { releaseId: query.release, variant: params.variantId },
          audienceOf(role),
        ),
    }),
    route({
      method: 'GET',
      url: '/api/v1/frequency/regions/:region',
      summary: `The variants in a genomic window (chrom:start-end, at most ${MAX_WINDOW_BASES} bases), one page at a time`,
      tag: 'frequency lookup',
      access: 'lookup',
      params: z.strictObject({ region: z.string().max(200) }),
      query: z.strictObject({
        release,
        pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
        pageToken: z.string().max(200).optional(),
      }),
      response: regionAnswerSchema,
      handler: ({ params, query, role }) =>
        needLookup(lookup).region(
          {
            releaseId: query.release,
            ...parseWindow(params.region, MAX_WINDOW_BASES),
            pageSize: query.pageSize,
            pageToken: query.pageToken,
          },
          audienceOf(role),
        ),
    }),
    route({
      method: 'GET',
      url: '/api/v1/frequency/datasets',
      summary:
        'Published releases as readers see them (counts and provenance, no sample id), newest first',
      tag: 'frequency lookup',
      access: 'lookup',
      response: z.object({ datasets: z.array(datasetSchema) }),
      handler: async () => ({ datasets: await needLookup(lookup).datasets() }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/frequency/datasets/:releaseId',
      summary: 'One published release as readers see it (`latest` for the latest)',
      tag: 'frequency lookup',
      access: 'lookup',
      params: z.strictObject({ releaseId: release }),
      response: datasetSchema,
      handler: ({ params }) => needLookup(lookup).dataset(params.releaseId),
    }),
  ];
}
