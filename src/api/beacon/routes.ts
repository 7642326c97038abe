/**
 * The GA4GH Beacon v2 routes (docs/frequency-lookup.md#beacon-v2) over the frequency lookup:
 * info, map, configuration, entry types, and genomicVariant queries by GET and POST. Operators,
 * viewers and frequency readers may call them; readers get what the reporting floor allows.
 * Their failures are Beacon error responses (`{ meta, error: { errorCode, errorMessage } }`),
 * which Beacon clients and networks read, rather than the API's `{ code, message }`.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { FrequencyLookup } from '../../lookup/service.ts';
import { needLookup } from '../rest-lookup.ts';
import { audienceOf, route, type RouteErrors, type RouteSpec } from '../route.ts';
import {
  beaconError,
  configurationResponse,
  entryTypesResponse,
  infoResponse,
  mapResponse,
} from './framework.ts';
import { findVariants, variantsResponse } from './g-variants.ts';
import {
  requestFromBody,
  requestFromQuery,
  variantBodySchema,
  variantQuerySchema,
  type VariantRequest,
} from './request.ts';

const TAG = 'beacon';

const metaSchema = z.looseObject({ beaconId: z.string(), apiVersion: z.string() });
/** The answers' outline; the Beacon v2 JSON schemas (vendor/beacon-v2) are the full check. */
const informational = z.looseObject({ meta: metaSchema, response: z.looseObject({}) });
const variantsAnswer = z.looseObject({
  meta: metaSchema.extend({ returnedGranularity: z.enum(['boolean', 'count', 'record']) }),
  responseSummary: z.looseObject({
    exists: z.boolean(),
    numTotalResults: z.number().int().nonnegative().optional(),
  }),
  response: z.looseObject({ resultSets: z.array(z.looseObject({})) }).optional(),
  info: z.looseObject({}),
});

const errors: RouteErrors = {
  body: beaconError,
  schema: z.looseObject({
    meta: metaSchema,
    error: z.looseObject({ errorCode: z.number().int(), errorMessage: z.string() }),
  }),
};

/** harmonise's version, the Beacon's `version`. */
function packageVersion(): string {
  const manifest = createRequire(import.meta.url)('../../../package.json') as { version: string };
  return manifest.version;
}

function infoRoute(url: string, lookup: FrequencyLookup | null, version: string): RouteSpec {
  return route({
    method: 'GET',
    url,
    summary: 'Beacon v2 info: who this Beacon is, its releases and the reporting floor',
    tag: TAG,
    access: 'lookup',
    response: informational,
    errors,
    handler: async () => infoResponse(version, await needLookup(lookup).datasets()),
  });
}

export function beaconRoutes(lookup: FrequencyLookup | null): RouteSpec[] {
  const version = packageVersion();
  const info = (url: string) => infoRoute(url, lookup, version);
  const variants = async (
    request: VariantRequest,
    role: Parameters<typeof audienceOf>[0],
    baseUrl: string,
  ) =>
    variantsResponse(
      request,
      await findVariants(needLookup(lookup), request, audienceOf(role)),
      baseUrl,
    );
  return [
    info('/beacon/v2'),
    info('/beacon/v2/'),
    info('/beacon/v2/info'),
    route({
      method: 'GET',
      url: '/beacon/v2/map',
      summary: 'Beacon v2 map: the endpoints of this Beacon',
      tag: TAG,
      access: 'lookup',
      response: informational,
      errors,
      handler: ({ baseUrl }) => Promise.resolve(mapResponse(baseUrl)),
    }),
    route({
      method: 'GET',
      url: '/beacon/v2/configuration',
      summary: 'Beacon v2 configuration: entry types, security level, maturity',
      tag: TAG,
      access: 'lookup',
      response: informational,
      errors,
      handler: () => Promise.resolve(configurationResponse()),
    }),
    route({
      method: 'GET',
      url: '/beacon/v2/entry_types',
      summary: 'Beacon v2 entry types: genomicVariant',
      tag: TAG,
      access: 'lookup',
      response: informational,
      errors,
      handler: () => Promise.resolve(entryTypesResponse()),
    }),
    route({
      method: 'GET',
      url: '/beacon/v2/g_variants',
      summary:
        'Beacon v2 genomicVariant query (0-based start, exclusive end): one variant, or the variants of a range; boolean, count or record',
      tag: TAG,
      access: 'lookup',
      query: variantQuerySchema,
      response: variantsAnswer,
      errors,
      handler: ({ query, role, baseUrl }) => variants(requestFromQuery(query), role, baseUrl),
    }),
    route({
      method: 'POST',
      url: '/beacon/v2/g_variants',
      summary: 'Beacon v2 genomicVariant query as a Beacon request body (changes nothing)',
      tag: TAG,
      access: 'lookup',
      body: variantBodySchema,
      response: variantsAnswer,
      errors,
      changes: false,
      handler: ({ body, role, baseUrl }) => variants(requestFromBody(body), role, baseUrl),
    }),
  ];
}
