/**
 * `/beacon/v2/g_variants`: a checked Beacon query answered from the frequency lookup, at the
 * granularity asked. One variant with both alleles given goes to `lookup.variant` (which
 * normalises it as releases are); a range, a position with an allele left out, trimmed alleles
 * or `N` wildcards go to `lookup.region`, page after page, and are matched here.
 *
 * Whatever the lookup does not show the caller, the Beacon does not either: it counts the
 * variants the lookup returned (under the `hide` policy a reader's lookup leaves out a variant
 * under the floor; under `flag` it returns it, as present without numbers) and builds records
 * from the numbers the lookup showed (./results.ts).
 */
import { UsageError } from '../../errors.ts';
import type { Privacy, VariantFound, VariantNotFound } from '../../lookup/answer.ts';
import { MAX_PAGE_SIZE, MAX_WINDOW_BASES, type FrequencyLookup } from '../../lookup/service.ts';
import type { Audience } from '../route.ts';
import {
  allelesMatch,
  isEmptyAllele,
  lookupPosition,
  lookupWindow,
  resolveReferenceName,
  type AlleleFilter,
  type LookupWindow,
} from './coordinates.ts';
import { BEACON_NAME, privacyStatement, responseMeta } from './framework.ts';
import { echoedParameters, type VariantRequest } from './request.ts';
import { genomicVariant } from './results.ts';

/** What the lookup answered a Beacon query. */
export interface VariantsOutcome {
  releaseId: string;
  releasedAt: string;
  reference: string;
  privacy: Privacy;
  /**
   * The matching variants the caller may know of, in position order (for a boolean answer, the
   * first only: it needs no more).
   */
  variants: VariantFound[];
  /** A one-variant query the release does not hold (or, under hide, does not report). */
  notFound?: VariantNotFound;
}

const ACGT = /^[ACGT]+$/;

/** The window and allele filter of a query that the lookup's region pages answer. */
function regionQuery(request: VariantRequest, chrom: string): [LookupWindow, AlleleFilter] {
  const { start, end, referenceBases, alternateBases, variantType } = request;
  if (end !== undefined)
    return [
      lookupWindow(chrom, start, end, MAX_WINDOW_BASES),
      { referenceBases, alternateBases, variantType },
    ];
  const trimmed =
    isEmptyAllele(alternateBases ?? '') ||
    (referenceBases !== undefined && isEmptyAllele(referenceBases));
  // Trimmed alleles start after the base the VCF keeps: that base's POS is the Beacon start.
  const pos = trimmed ? start : lookupPosition(start);
  if (pos < 1) throw new UsageError('an insertion or deletion at start 0 has no base before it');
  return [
    { chrom, start: pos, end: pos },
    { referenceBases, alternateBases, variantType, trimmed },
  ];
}

async function regionVariants(
  lookup: FrequencyLookup,
  releaseId: string,
  [window, filter]: [LookupWindow, AlleleFilter],
  audience: Audience,
  firstOnly: boolean,
): Promise<{ variants: VariantFound[]; privacy: Privacy }> {
  const variants: VariantFound[] = [];
  let pageToken: string | undefined;
  for (;;) {
    const page = await lookup.region(
      { releaseId, ...window, pageSize: MAX_PAGE_SIZE, pageToken },
      audience,
    );
    const done = () => ({ variants, privacy: page.privacy });
    for (const v of page.variants) {
      // A sequence query names one position; a range takes every variant starting in it.
      if (window.start === window.end && v.variant.pos !== window.start) continue;
      if (!allelesMatch(filter, v.variant)) continue;
      variants.push(v);
      if (firstOnly) return done();
    }
    if (page.nextPageToken === null) return done();
    pageToken = page.nextPageToken;
  }
}

/** Answers a checked query from the lookup, for this audience. */
export async function findVariants(
  lookup: FrequencyLookup,
  request: VariantRequest,
  audience: Audience,
): Promise<VariantsOutcome> {
  const dataset = await lookup.dataset(request.releaseId);
  if (
    request.assemblyId !== undefined &&
    request.assemblyId.toLowerCase() !== dataset.reference.toLowerCase()
  )
    throw new UsageError(
      `assemblyId ${request.assemblyId}: release ${dataset.releaseId} is on ${dataset.reference}`,
    );
  const chrom = resolveReferenceName(request.referenceName, Object.keys(dataset.sequences));
  // The release named once, so that every page comes from it even if `latest` moves meanwhile.
  const { releaseId, releasedAt, reference } = dataset;
  const release = { releaseId, releasedAt, reference };
  const { referenceBases: ref, alternateBases: alt, variantType } = request;
  if (
    request.end === undefined &&
    ref !== undefined &&
    alt !== undefined &&
    ACGT.test(ref) &&
    ACGT.test(alt)
  ) {
    const pos = lookupPosition(request.start);
    const answer = await lookup.variant(
      { releaseId, variant: `${chrom}-${pos}-${ref}-${alt}` },
      audience,
    );
    const { privacy } = answer;
    if (!answer.found) return { ...release, privacy, variants: [], notFound: answer };
    const wanted = variantType === undefined || allelesMatch({ variantType }, answer.variant);
    return { ...release, privacy, variants: wanted ? [answer] : [] };
  }
  const firstOnly = request.granularity === 'boolean';
  const query = regionQuery(request, chrom);
  return { ...release, ...(await regionVariants(lookup, releaseId, query, audience, firstOnly)) };
}

/** The answer's `info`: the release, the rule it was given under, and a miss's reason. */
function infoOf(outcome: VariantsOutcome) {
  return {
    release: {
      releaseId: outcome.releaseId,
      releasedAt: outcome.releasedAt,
      reference: outcome.reference,
    },
    privacy: outcome.privacy,
    privacyStatement: privacyStatement(outcome.privacy),
    coordinates: 'start is 0-based and inclusive, end 0-based and exclusive (Beacon v2)',
    ...(outcome.notFound
      ? {
          notFound: {
            variant: outcome.notFound.variant.id,
            verdict: outcome.notFound.verdict,
            alleleNumber: outcome.notFound.alleleNumber,
          },
        }
      : {}),
  };
}

/** The Beacon answer (boolean, count or resultsets) of a query's outcome. */
export function variantsResponse(
  request: VariantRequest,
  outcome: VariantsOutcome,
  baseUrl: string,
) {
  const exists = outcome.variants.length > 0;
  const meta = responseMeta(
    {
      requestedGranularity: request.granularity,
      pagination: { skip: request.skip, limit: request.limit },
      requestParameters: echoedParameters(request),
      includeResultsetResponses: request.includeResultsetResponses,
      testMode: request.testMode,
    },
    request.granularity,
  );
  const info = infoOf(outcome);
  if (request.granularity === 'boolean') return { meta, responseSummary: { exists }, info };
  const numTotalResults = outcome.variants.length;
  const responseSummary = { exists, numTotalResults };
  if (request.granularity === 'count') return { meta, responseSummary, info };
  const source = {
    source: BEACON_NAME,
    sourceReference: `${baseUrl}/api/v1/frequency/datasets/${encodeURIComponent(outcome.releaseId)}`,
    version: outcome.releaseId,
  };
  const include = request.includeResultsetResponses;
  const shown = include === 'ALL' || (include === 'HIT' ? exists : include === 'MISS' && !exists);
  const resultSets = shown
    ? [
        {
          id: outcome.releaseId,
          setType: 'dataset',
          exists,
          resultsCount: numTotalResults,
          results: outcome.variants
            .slice(request.skip, request.skip + request.limit)
            .map((v) => genomicVariant(v, source)),
        },
      ]
    : [];
  return { meta, responseSummary, response: { resultSets }, info };
}
