/**
 * The Beacon v2 framework answers that describe this Beacon (pure): who it is (`info`), where
 * its endpoints are (`map`), what it serves (`configuration`, `entry_types`), the `meta` section
 * every answer carries, and the Beacon error response. Their shapes are the Beacon v2 framework's
 * JSON schemas (vendor/beacon-v2, checked by the tests).
 */
import type { Dataset } from '../../lookup/answer.ts';

export const BEACON_ID = 'dk.ngc.harmonise';
export const BEACON_NAME = 'NGC national allele frequencies (harmonise)';
/** The Beacon v2 release whose schemas this Beacon's answers follow. */
export const BEACON_API_VERSION = 'v2.1.1';
const SPEC_URL = 'https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/v2.1.1';
/**
 * Nothing in the configuration says whether a deployment is production; a Beacon network that
 * reads `dev` treats the data with care rather than as a production service.
 */
const ENVIRONMENT = 'dev';

export const VARIANT_SCHEMA = {
  entityType: 'genomicVariant',
  schema: 'ga4gh-beacon-variant-v2.1.0',
} as const;

export const ORGANIZATION = {
  id: 'NGC',
  name: 'Danish National Genome Center',
  welcomeUrl: 'https://www.ngc.dk',
};

/** The `meta` of the informational answers (info, map, configuration, entry types). */
export function informationalMeta(entityType: string, schema: string) {
  return {
    beaconId: BEACON_ID,
    apiVersion: BEACON_API_VERSION,
    returnedSchemas: [{ entityType, schema }],
  };
}

/** What this Beacon's answers are about, in words: the floor and what readers see. */
export function privacyStatement(privacy: Dataset['privacy'] | null): string {
  if (privacy === null) return 'No release is published yet.';
  const under =
    privacy.belowFloor === 'flag'
      ? 'is answered as present (exists: true) without any number'
      : 'is not reported: exists false means absent or under the floor';
  return (
    `Counts are of harmonised genomes, by region. Frequency readers see no count with 0 < AC < ${privacy.floor}: ` +
    `a variant under that floor nationally ${under}, and a region under it is left out of the frequencies ` +
    '(with as many more as needed so that the national count cannot give it back). Operators see every count.'
  );
}

/** `GET /beacon/v2/` and `/info`: who this Beacon is and the rule its answers follow. */
export function infoResponse(version: string, datasets: readonly Dataset[]) {
  const latest = datasets.find((d) => d.latest) ?? datasets[0] ?? null;
  return {
    meta: informationalMeta('info', 'beacon-info-v2.0.0'),
    response: {
      id: BEACON_ID,
      name: BEACON_NAME,
      apiVersion: BEACON_API_VERSION,
      environment: ENVIRONMENT,
      organization: ORGANIZATION,
      description:
        'Allele frequencies of the Danish national genome database, per region and nationally, ' +
        `from NGC's harmonised frequency releases. ${privacyStatement(latest?.privacy ?? null)}`,
      version,
      ...(latest ? { updateDateTime: latest.releasedAt } : {}),
      info: {
        privacy: latest?.privacy ?? null,
        coordinates: 'start is 0-based and inclusive, end 0-based and exclusive (Beacon v2)',
        datasets: datasets.map((d) => ({
          id: d.releaseId,
          latest: d.latest,
          releasedAt: d.releasedAt,
          reference: d.reference,
          samples: d.samples,
          regions: d.regions,
          sites: d.sites,
        })),
      },
    },
  };
}

const VARIANT_ENTRY_TYPE = {
  id: 'genomicVariant',
  name: 'Genomic Variants',
  description:
    'Sequence variants of a frequency release, with their allele frequencies nationally and per region.',
  ontologyTermForThisType: { id: 'ENSGLOSSARY:0000092', label: 'Variant' },
  partOfSpecification: `Beacon ${BEACON_API_VERSION}`,
  defaultSchema: {
    id: VARIANT_SCHEMA.schema,
    name: 'Default schema for a genomic variation',
    referenceToSchemaDefinition: `${SPEC_URL}/models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json`,
    schemaVersion: 'v2.1.0',
  },
  additionallySupportedSchemas: [],
  // A query names a position or a window: the whole release is not one answer.
  nonFilteredQueriesAllowed: false,
};

/** `GET /beacon/v2/configuration`. */
export function configurationResponse() {
  return {
    meta: informationalMeta('configuration', 'beacon-configuration-v2.0.0'),
    response: {
      $schema: `${SPEC_URL}/framework/json/configuration/beaconConfigurationSchema.json`,
      maturityAttributes: { productionStatus: ENVIRONMENT.toUpperCase() },
      // Every call needs a token NGC issued for a named department.
      securityAttributes: { defaultGranularity: 'boolean', securityLevels: ['CONTROLLED'] },
      entryTypes: { genomicVariant: VARIANT_ENTRY_TYPE },
    },
  };
}

/** `GET /beacon/v2/entry_types`. */
export function entryTypesResponse() {
  return {
    meta: informationalMeta('entryType', 'beacon-entry-types-v2.0.0'),
    response: { entryTypes: { genomicVariant: VARIANT_ENTRY_TYPE } },
  };
}

/** `GET /beacon/v2/map`: absolute URLs, from the URL the caller reached the API at. */
export function mapResponse(baseUrl: string) {
  return {
    meta: informationalMeta('map', 'beacon-map-v2.0.0'),
    response: {
      $schema: `${SPEC_URL}/framework/json/configuration/beaconMapSchema.json`,
      endpointSets: {
        genomicVariant: {
          entryType: 'genomicVariant',
          rootUrl: `${baseUrl}/beacon/v2/g_variants`,
          openAPIEndpointsDefinition: `${baseUrl}/openapi.json`,
        },
      },
    },
  };
}

/** What `receivedRequestSummary` says of a request (defaults for one that did not parse). */
export interface RequestSummary {
  requestedGranularity: 'boolean' | 'count' | 'record';
  pagination: { skip?: number; limit?: number };
  requestParameters?: Record<string, unknown>;
  includeResultsetResponses?: string;
  testMode?: boolean;
}

/** The `meta` of a query's answer (and of a Beacon error). */
export function responseMeta(summary: RequestSummary, returnedGranularity: string) {
  return {
    beaconId: BEACON_ID,
    apiVersion: BEACON_API_VERSION,
    returnedGranularity,
    returnedSchemas: [VARIANT_SCHEMA],
    receivedRequestSummary: { apiVersion: BEACON_API_VERSION, requestedSchemas: [], ...summary },
    ...(summary.testMode !== undefined ? { testMode: summary.testMode } : {}),
  };
}

/** The Beacon error response: the HTTP status as `errorCode`, and what was wrong. */
export function beaconError(failure: { status: number; message: string }) {
  return {
    meta: responseMeta({ requestedGranularity: 'boolean', pagination: {} }, 'boolean'),
    error: { errorCode: failure.status, errorMessage: failure.message },
  };
}
