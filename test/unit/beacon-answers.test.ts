/**
 * Beacon v2 answers built from lookup answers: a found variant as a genomicVariant record (its
 * frequencies per region and nationally, what the floor suppressed left out), the boolean, count
 * and record granularities, the framework's informational answers and the error response, each
 * checked against the official Beacon v2 JSON schemas (vendor/beacon-v2).
 *
 * The lookup answers come from release VCF lines through the lookup's own record code
 * (src/lookup/record.ts), so the suppression the Beacon carries through is the lookup's.
 */
import { describe, expect, it } from 'vitest';
import {
  beaconError,
  configurationResponse,
  entryTypesResponse,
  infoResponse,
  mapResponse,
} from '../../src/api/beacon/framework.ts';
import { variantsResponse, type VariantsOutcome } from '../../src/api/beacon/g-variants.ts';
import { requestFromQuery, variantQuerySchema } from '../../src/api/beacon/request.ts';
import { genomicVariant, NATIONAL } from '../../src/api/beacon/results.ts';
import type { Dataset, Privacy, VariantFound } from '../../src/lookup/answer.ts';
import { foundAnswer, parseRecord } from '../../src/lookup/record.ts';
import type { OpenRelease } from '../../src/lookup/releases.ts';
import { validateBeacon, validateGenomicVariant } from '../helpers/beacon-schemas.ts';

const REGIONS = ['hovedstaden', 'midtjylland', 'syddanmark'];
const RELEASE = {
  releaseId: '20261202T014130.338Z',
  releasedAt: '2026-12-02T01:41:36.681Z',
  pipelineVersion: '2',
  reference: 'harmonise-demo-synthetic',
};
// Only the region tags of the summary matter to foundAnswer.
const release = { summary: { tags: { perRegion: REGIONS } } } as unknown as OpenRelease;
const privacy = (audience: Privacy['audience']): Privacy => ({
  floor: 5,
  belowFloor: 'flag',
  audience,
});

/** A release VCF line's INFO from per-region AC, AN and nhomalt. */
function line(pos: number, ref: string, alt: string, regions: [number, number, number][]): string {
  const sum = (i: 0 | 1 | 2) => regions.reduce((s, r) => s + r[i], 0);
  const counts = (suffix: string, [ac, an, hom]: [number, number, number]) =>
    `AC${suffix}=${ac};AN${suffix}=${an};AF${suffix}=${an === 0 ? '.' : ac / an};nhomalt${suffix}=${hom}`;
  const info = [
    counts('', [sum(0), sum(1), sum(2)]),
    ...REGIONS.map((r, i) => counts(`_${r}`, regions[i]!)),
  ];
  return `chr1\t${pos}\t.\t${ref}\t${alt}\t.\t.\t${info.join(';')}`;
}

function found(text: string, audience: Privacy['audience']): VariantFound {
  return { ...RELEASE, ...foundAnswer(release, parseRecord(text), privacy(audience)) };
}

const source = { source: 'test', sourceReference: 'http://x/datasets/r', version: 'r' };
// Common in two regions; midtjylland called nowhere (AN 0).
const COMMON = line(5581, 'A', 'G', [
  [6, 20, 1],
  [0, 0, 0],
  [9, 30, 2],
]);
// National 12; hovedstaden 4 and midtjylland 2 are under the floor, syddanmark 6 is not.
const SMALL_REGION = line(7000, 'GA', 'G', [
  [4, 20, 0],
  [2, 10, 0],
  [6, 30, 1],
]);
// National 3: under the floor.
const RARE = line(8797, 'A', 'T', [
  [1, 20, 0],
  [0, 10, 0],
  [2, 30, 0],
]);

describe('a found variant as a genomicVariant', () => {
  it('gives the operator every population with alleles called, and a VRS location', () => {
    const record = genomicVariant(found(COMMON, 'operator'), source);
    expect(validateGenomicVariant(record)).toEqual([]);
    expect(record.variantInternalId).toBe('chr1-5581-A-G');
    expect(record.variation).toMatchObject({ variantType: 'SNP', referenceBases: 'A' });
    // Interbase: POS 5581 is the interval [5580, 5581).
    expect(record.variation.location.interval.start.value).toBe(5580);
    expect(record.variation.location.interval.end.value).toBe(5581);
    expect(record.frequencyInPopulations?.[0]?.frequencies).toEqual([
      {
        population: NATIONAL,
        alleleFrequency: 0.3,
        alleleCount: 15,
        alleleNumber: 50,
        alleleCountHomozygous: 3,
      },
      {
        population: 'hovedstaden',
        alleleFrequency: 0.3,
        alleleCount: 6,
        alleleNumber: 20,
        alleleCountHomozygous: 1,
      },
      {
        population: 'syddanmark',
        alleleFrequency: 0.3,
        alleleCount: 9,
        alleleNumber: 30,
        alleleCountHomozygous: 2,
      },
    ]);
    expect(record.belowFloor).toBe(false);
    expect(record).not.toHaveProperty('suppressedPopulations');
  });

  it('leaves a region the floor hides from readers out, and names it', () => {
    const operator = genomicVariant(found(SMALL_REGION, 'operator'), source);
    expect(operator.frequencyInPopulations?.[0]?.frequencies).toHaveLength(4);
    const reader = genomicVariant(found(SMALL_REGION, 'reader'), source);
    expect(validateGenomicVariant(reader)).toEqual([]);
    const shown = reader.frequencyInPopulations?.[0]?.frequencies.map((f) => f.population);
    expect(shown).toEqual([NATIONAL, 'syddanmark']);
    expect(reader.suppressedPopulations).toEqual(['hovedstaden', 'midtjylland']);
    expect(JSON.stringify(reader)).not.toMatch(/"alleleCount":[1-4],/);
  });

  it('gives a reader no number of a variant under the floor', () => {
    const reader = genomicVariant(found(RARE, 'reader'), source);
    expect(validateGenomicVariant(reader)).toEqual([]);
    expect(reader.belowFloor).toBe(true);
    expect(reader).not.toHaveProperty('frequencyInPopulations');
    expect(reader.suppressedPopulations).toEqual([NATIONAL, ...REGIONS]);
    expect(JSON.stringify(reader)).not.toMatch(/allele(Count|Number|Frequency)/);
    const operator = genomicVariant(found(RARE, 'operator'), source);
    expect(operator.belowFloor).toBe(true);
    expect(operator.frequencyInPopulations?.[0]?.frequencies[0]?.alleleCount).toBe(3);
  });
});

describe('the granularities', () => {
  const request = (extra: Record<string, string>) =>
    requestFromQuery(
      variantQuerySchema.parse({ referenceName: 'chr1', start: '0', end: '10000', ...extra }),
    );
  const outcome = (audience: Privacy['audience'], lines: string[]): VariantsOutcome => ({
    ...RELEASE,
    privacy: privacy(audience),
    variants: lines.map((l) => found(l, audience)),
  });
  const three = outcome('reader', [COMMON, SMALL_REGION, RARE]);

  it('boolean: exists only, valid', () => {
    const answer = variantsResponse(request({}), three, 'http://x');
    expect(validateBeacon('boolean', answer)).toEqual([]);
    expect(answer.responseSummary).toEqual({ exists: true });
    expect(answer.meta.returnedGranularity).toBe('boolean');
    expect(answer.info.privacy).toEqual({ floor: 5, belowFloor: 'flag', audience: 'reader' });
  });

  it('count: every variant the reader may know of, the one under the floor too', () => {
    const answer = variantsResponse(request({ requestedGranularity: 'count' }), three, 'http://x');
    expect(validateBeacon('count', answer)).toEqual([]);
    expect(answer.responseSummary).toEqual({ exists: true, numTotalResults: 3 });
    expect(answer).not.toHaveProperty('response');
  });

  it('record: one result set of the release, paged by skip and limit', () => {
    const r = request({ requestedGranularity: 'record', skip: '1', limit: '1' });
    const answer = variantsResponse(r, three, 'http://api:8080');
    expect(validateBeacon('resultsets', answer)).toEqual([]);
    const set = answer.response?.resultSets[0];
    expect(set).toMatchObject({ id: RELEASE.releaseId, setType: 'dataset', resultsCount: 3 });
    expect(set?.results.map((v) => v.variantInternalId)).toEqual(['chr1-7000-GA-G']);
    expect(set?.results[0]?.frequencyInPopulations?.[0]?.sourceReference).toBe(
      `http://api:8080/api/v1/frequency/datasets/${encodeURIComponent(RELEASE.releaseId)}`,
    );
  });

  it('record of a miss: no result set unless asked for, and why it missed', () => {
    const miss: VariantsOutcome = { ...outcome('reader', []) };
    const record = request({ requestedGranularity: 'record' });
    const hit = variantsResponse(record, miss, 'http://x');
    expect(validateBeacon('resultsets', hit)).toEqual([]);
    expect(hit.responseSummary).toEqual({ exists: false, numTotalResults: 0 });
    expect(hit.response?.resultSets).toEqual([]);
    const all = variantsResponse(
      { ...record, includeResultsetResponses: 'MISS' },
      miss,
      'http://x',
    );
    expect(all.response?.resultSets).toHaveLength(1);
    expect(all.response?.resultSets[0]?.exists).toBe(false);
    const none = variantsResponse({ ...record, includeResultsetResponses: 'NONE' }, three, 'x');
    expect(none.response?.resultSets).toEqual([]);
  });
});

describe('the framework answers', () => {
  const dataset = {
    ...RELEASE,
    latest: true,
    samples: 10,
    regions: REGIONS,
    sites: 373,
    privacy: { floor: 5, belowFloor: 'hide' },
  } as unknown as Dataset;

  it('info states the floor and the policy, with or without a release', () => {
    const info = infoResponse('0.1.0', [dataset]);
    expect(validateBeacon('info', info)).toEqual([]);
    expect(info.response.info.privacy).toEqual({ floor: 5, belowFloor: 'hide' });
    expect(info.response.description).toMatch(/0 < AC < 5: .*not reported/);
    expect(validateBeacon('info', infoResponse('0.1.0', []))).toEqual([]);
  });

  it('map, configuration and entry types are valid, the map with absolute URLs', () => {
    const map = mapResponse('http://127.0.0.1:8080');
    expect(validateBeacon('map', map)).toEqual([]);
    expect(map.response.endpointSets.genomicVariant.rootUrl).toBe(
      'http://127.0.0.1:8080/beacon/v2/g_variants',
    );
    expect(validateBeacon('map', mapResponse('not a url'))).not.toEqual([]);
    expect(validateBeacon('configuration', configurationResponse())).toEqual([]);
    expect(validateBeacon('entryTypes', entryTypesResponse())).toEqual([]);
  });

  it('an error is a Beacon error response with the HTTP status', () => {
    const error = beaconError({ status: 400, message: 'referenceName x is not a sequence' });
    expect(validateBeacon('error', error)).toEqual([]);
    expect(error.error).toEqual({
      errorCode: 400,
      errorMessage: 'referenceName x is not a sequence',
    });
    expect(validateBeacon('error', { error: { errorCode: 400 } })).toEqual([
      expect.stringContaining("required property 'meta'"),
    ]);
  });
});
