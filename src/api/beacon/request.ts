/**
 * A Beacon v2 genomicVariant query, by GET (query string) or POST (the Beacon request body),
 * checked and brought to one shape (pure). Parameters this Beacon cannot answer (filters,
 * gene ids, bracket queries, HGVS) are refused by name rather than ignored: an ignored
 * parameter would turn the answer into one for another question.
 */
import { z } from 'zod';
import { UsageError } from '../../errors.ts';
import { isEmptyAllele, VARIANT_TYPES, type VariantType } from './coordinates.ts';

export const GRANULARITIES = ['boolean', 'count', 'record'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const INCLUDE_RESULTSETS = ['HIT', 'MISS', 'ALL', 'NONE'] as const;
export type IncludeResultsets = (typeof INCLUDE_RESULTSETS)[number];

/** Records one answer gives at most (`limit`; 0 asks for this many). */
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 10;

/** A checked genomicVariant query; positions as Beacon gives them (0-based). */
export interface VariantRequest {
  /** The release (Beacon dataset) to answer from: `latest` unless `datasetIds` names one. */
  releaseId: string;
  referenceName: string;
  assemblyId?: string | undefined;
  start: number;
  /** Exclusive; present for a range query, absent for a sequence query. */
  end?: number | undefined;
  referenceBases?: string | undefined;
  alternateBases?: string | undefined;
  variantType?: VariantType | undefined;
  granularity: Granularity;
  skip: number;
  limit: number;
  includeResultsetResponses: IncludeResultsets;
  testMode: boolean;
}

const bases = z
  .string()
  .max(10_000)
  .transform((text) => text.toUpperCase())
  .pipe(z.string().regex(/^([ACGTN.-]*)$/, 'bases are A, C, G, T or N (or empty)'));
const name = z.string().min(1).max(200);
const position = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A comma-separated list of integers in a query string (`start=100` or `start=100,200`). */
const positionList = z
  .string()
  .max(100)
  .regex(/^\d+(,\d+)*$/, 'one or two 0-based positions, comma-separated')
  .transform((text) => text.split(',').map(Number));

const limits = {
  skip: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(0).max(MAX_LIMIT).optional(),
};

/** The query string of `GET /beacon/v2/g_variants`. */
export const variantQuerySchema = z.strictObject({
  referenceName: name.optional(),
  start: positionList.optional(),
  end: positionList.optional(),
  referenceBases: bases.optional(),
  alternateBases: bases.optional(),
  variantType: z.string().max(100).optional(),
  assemblyId: name.optional(),
  datasetIds: z.string().max(1000).optional().describe('at most one release id'),
  requestedGranularity: z.enum(GRANULARITIES).optional(),
  includeResultsetResponses: z.enum(INCLUDE_RESULTSETS).optional(),
  testMode: z.enum(['true', 'false']).optional(),
  filters: z.string().max(1000).optional(),
  ...limits,
});
export type VariantQuery = z.infer<typeof variantQuerySchema>;

const oneOrTwo = z.union([position, z.array(position).min(1).max(2)]);

/** The genomicVariant request parameters of a POST body, flat or under `g_variant`. */
const requestParametersSchema = z.strictObject({
  $schema: z.string().optional(),
  referenceName: name.optional(),
  start: oneOrTwo.optional(),
  end: oneOrTwo.optional(),
  referenceBases: bases.optional(),
  alternateBases: bases.optional(),
  variantType: z.string().max(100).optional(),
  assemblyId: name.optional(),
  datasetIds: z.array(z.string().max(200)).max(100).optional(),
});

/** The Beacon request body of `POST /beacon/v2/g_variants`. */
export const variantBodySchema = z.looseObject({
  meta: z.looseObject({ apiVersion: z.string().max(100).optional() }).optional(),
  query: z
    .looseObject({
      requestParameters: z
        .preprocess(
          (value) =>
            typeof value === 'object' && value !== null && 'g_variant' in value
              ? value.g_variant
              : value,
          requestParametersSchema,
        )
        .optional(),
      requestedGranularity: z.enum(GRANULARITIES).optional(),
      pagination: z.looseObject(limits).optional(),
      includeResultsetResponses: z.enum(INCLUDE_RESULTSETS).optional(),
      testMode: z.boolean().optional(),
      filters: z.array(z.unknown()).max(100).optional(),
    })
    .optional(),
});
export type VariantBody = z.infer<typeof variantBodySchema>;

interface Parameters {
  referenceName?: string | undefined;
  start?: number[] | undefined;
  end?: number[] | undefined;
  referenceBases?: string | undefined;
  alternateBases?: string | undefined;
  variantType?: string | undefined;
  assemblyId?: string | undefined;
  datasetIds?: string[] | undefined;
}

interface Options {
  granularity?: Granularity | undefined;
  skip?: number | undefined;
  limit?: number | undefined;
  includeResultsetResponses?: IncludeResultsets | undefined;
  testMode?: boolean | undefined;
  filters: number;
}

function only(values: number[] | undefined, what: string): number | undefined {
  if (values === undefined) return undefined;
  if (values.length !== 1)
    throw new UsageError(`${what}: bracket queries (two values) are not supported; give one value`);
  return values[0];
}

function variantTypeOf(text: string | undefined): VariantType | undefined {
  if (text === undefined) return undefined;
  const type = VARIANT_TYPES.find((t) => t === text.toUpperCase());
  if (type === undefined)
    throw new UsageError(
      `variantType ${JSON.stringify(text)}: this Beacon holds sequence variants only (${VARIANT_TYPES.join(', ')})`,
    );
  return type;
}

/** The one shape both methods' parameters come to, with what Beacon requires of them. */
function toRequest(p: Parameters, o: Options): VariantRequest {
  if (o.filters > 0) throw new UsageError('filters: this Beacon has no filtering terms');
  if (p.referenceName === undefined || p.start === undefined)
    throw new UsageError(
      'give referenceName and start (0-based), with referenceBases and alternateBases for one variant or end for a range',
    );
  const start = only(p.start, 'start')!;
  const end = only(p.end, 'end');
  if (end === undefined && p.alternateBases === undefined)
    throw new UsageError('a query without end needs alternateBases (or give end for a range)');
  if (
    end === undefined &&
    isEmptyAllele(p.alternateBases ?? '') &&
    isEmptyAllele(p.referenceBases ?? '')
  )
    throw new UsageError('referenceBases and alternateBases cannot both be empty');
  if ((p.datasetIds?.length ?? 0) > 1)
    throw new UsageError('datasetIds: one release at a time (or none, for the latest)');
  const limit = o.limit ?? DEFAULT_LIMIT;
  return {
    releaseId: p.datasetIds?.[0] ?? 'latest',
    referenceName: p.referenceName,
    assemblyId: p.assemblyId,
    start,
    end,
    referenceBases: p.referenceBases,
    alternateBases: p.alternateBases,
    variantType: variantTypeOf(p.variantType),
    granularity: o.granularity ?? 'boolean',
    skip: o.skip ?? 0,
    limit: limit === 0 ? MAX_LIMIT : limit,
    includeResultsetResponses: o.includeResultsetResponses ?? 'HIT',
    testMode: o.testMode ?? false,
  };
}

export function requestFromQuery(q: VariantQuery): VariantRequest {
  const datasetIds = q.datasetIds?.split(',').filter((id) => id !== '');
  return toRequest(
    { ...q, datasetIds },
    {
      granularity: q.requestedGranularity,
      skip: q.skip,
      limit: q.limit,
      includeResultsetResponses: q.includeResultsetResponses,
      testMode: q.testMode === undefined ? undefined : q.testMode === 'true',
      filters: q.filters ? q.filters.split(',').filter((f) => f !== '').length : 0,
    },
  );
}

export function requestFromBody(body: VariantBody | undefined): VariantRequest {
  const query = body?.query;
  const p = query?.requestParameters ?? {};
  const list = (v: number | number[] | undefined) => (typeof v === 'number' ? [v] : v);
  return toRequest(
    { ...p, start: list(p.start), end: list(p.end) },
    {
      granularity: query?.requestedGranularity,
      skip: query?.pagination?.skip,
      limit: query?.pagination?.limit,
      includeResultsetResponses: query?.includeResultsetResponses,
      testMode: query?.testMode,
      filters: query?.filters?.length ?? 0,
    },
  );
}

/** The parameters as the response echoes them (`receivedRequestSummary.requestParameters`). */
export function echoedParameters(r: VariantRequest): Record<string, unknown> {
  const g_variant: Record<string, unknown> = { referenceName: r.referenceName, start: [r.start] };
  if (r.end !== undefined) g_variant.end = [r.end];
  if (r.referenceBases !== undefined) g_variant.referenceBases = r.referenceBases;
  if (r.alternateBases !== undefined) g_variant.alternateBases = r.alternateBases;
  if (r.variantType !== undefined) g_variant.variantType = r.variantType;
  if (r.assemblyId !== undefined) g_variant.assemblyId = r.assemblyId;
  return { g_variant };
}
