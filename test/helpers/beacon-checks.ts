/**
 * The Beacon v2 endpoints of a running API, checked against the release VCF they answer from and
 * against the official Beacon v2 JSON schemas (./beacon-schemas.ts): every answer is valid;
 * record answers give the VCF's AC, AN, AF and nhomalt per region and nationally to operators;
 * a variant under the floor has no number for readers; a range counts the VCF's records; an
 * allele the release lacks does not exist; a bad request is a Beacon error.
 *
 * Beacon positions are 0-based: the VCF record at POS p is asked for with `start` p - 1.
 */
import { expect } from 'vitest';
import { vcfRecords, type VcfRecord } from './release-vcf.ts';
import { validateBeacon, type BeaconKind } from './beacon-schemas.ts';

interface Frequency {
  population: string;
  alleleFrequency: number;
  alleleCount?: number;
  alleleNumber?: number;
  alleleCountHomozygous?: number;
}

interface Result {
  variantInternalId: string;
  belowFloor?: boolean;
  suppressedPopulations?: string[];
  frequencyInPopulations?: { frequencies: Frequency[] }[];
}

interface Answer {
  responseSummary: { exists: boolean; numTotalResults?: number };
  response?: { resultSets: { results: Result[] }[] };
  info: { privacy: { floor: number; belowFloor: 'flag' | 'hide' }; notFound?: { verdict: string } };
  error?: { errorCode: number };
}

/** One call; a reader over its rate limit waits as told and asks again (a few times at most). */
async function call(
  api: string,
  token: string | null,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${api}${url}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed: unknown = await response.json();
    if (response.status !== 429 || attempt === 5) return { status: response.status, body: parsed };
    const wait = Number(response.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

/** A call that must succeed with an answer valid by the Beacon schema of its kind. */
async function valid(
  kind: BeaconKind,
  api: string,
  token: string,
  url: string,
  body?: unknown,
): Promise<Answer> {
  const answer = await call(api, token, url, body);
  expect(answer.status, `${url}: ${JSON.stringify(answer.body)}`).toBe(200);
  expect(validateBeacon(kind, answer.body), `${url} by the ${kind} schema`).toEqual([]);
  return answer.body as Answer;
}

/** A call that must fail with this status, as a valid Beacon error response. */
async function refused(
  api: string,
  token: string | null,
  url: string,
  status: number,
  body?: unknown,
) {
  const answer = await call(api, token, url, body);
  expect(answer.status, `${url}: ${JSON.stringify(answer.body)}`).toBe(status);
  expect(validateBeacon('error', answer.body), `${url} by the error schema`).toEqual([]);
  expect((answer.body as Answer).error?.errorCode).toBe(status);
}

const sequenceQuery = (r: VcfRecord, granularity: string, chrom = r.chrom) =>
  `/beacon/v2/g_variants?referenceName=${chrom}&start=${r.pos - 1}&referenceBases=${r.ref}&alternateBases=${r.alt}&requestedGranularity=${granularity}`;

/** The populations the VCF gives numbers for: national, and each region with alleles called. */
function expectedFrequencies(r: VcfRecord, regions: readonly string[]): Frequency[] {
  const of = (population: string, suffix: string): Frequency[] => {
    const AN = r.info.get(`AN${suffix}`) ?? 0;
    if (AN === 0) return [];
    return [
      {
        population,
        alleleFrequency: r.info.get(`AF${suffix}`) ?? r.info.get(`AC${suffix}`)! / AN,
        alleleCount: r.info.get(`AC${suffix}`)!,
        alleleNumber: AN,
        alleleCountHomozygous: r.info.get(`nhomalt${suffix}`)!,
      },
    ];
  };
  return [...of('national', ''), ...regions.flatMap((region) => of(region, `_${region}`))];
}

function frequenciesOf(answer: Answer): Frequency[] {
  const results = answer.response?.resultSets[0]?.results ?? [];
  expect(results).toHaveLength(1);
  return (results[0]!.frequencyInPopulations?.[0]?.frequencies ?? []).map((f) => ({
    population: f.population,
    alleleFrequency: f.alleleFrequency,
    alleleCount: f.alleleCount!,
    alleleNumber: f.alleleNumber!,
    alleleCountHomozygous: f.alleleCountHomozygous!,
  }));
}

async function checkInformational(api: string, token: string): Promise<string[]> {
  let regions: string[] = [];
  for (const url of ['/beacon/v2', '/beacon/v2/', '/beacon/v2/info']) {
    const info = (await valid('info', api, token, url)) as unknown as {
      response: { info: { datasets: { latest: boolean; regions: string[] }[] } };
    };
    regions = info.response.info.datasets.find((d) => d.latest)!.regions;
  }
  const map = (await valid('map', api, token, '/beacon/v2/map')) as unknown as {
    response: { endpointSets: { genomicVariant: { rootUrl: string } } };
  };
  expect(map.response.endpointSets.genomicVariant.rootUrl).toBe(`${api}/beacon/v2/g_variants`);
  await valid('configuration', api, token, '/beacon/v2/configuration');
  await valid('entryTypes', api, token, '/beacon/v2/entry_types');
  return regions;
}

/** Operators get the VCF's numbers; readers the same ones, less what the floor keeps back. */
async function checkRecords(
  api: string,
  tokens: { reader: string; operator: string },
  chosen: VcfRecord[],
  regions: string[],
  floor: number,
) {
  for (const r of chosen) {
    const expected = expectedFrequencies(r, regions);
    const operator = await valid('resultsets', api, tokens.operator, sequenceQuery(r, 'record'));
    expect(operator.responseSummary, r.id).toEqual({ exists: true, numTotalResults: 1 });
    expect(frequenciesOf(operator), r.id).toEqual(expected);
    const reader = await valid('resultsets', api, tokens.reader, sequenceQuery(r, 'record'));
    const shown = frequenciesOf(reader);
    const suppressed = reader.response!.resultSets[0]!.results[0]!.suppressedPopulations ?? [];
    for (const f of shown) {
      expect(f.alleleCount! === 0 || f.alleleCount! >= floor, `${r.id} ${f.population}`).toBe(true);
      expect(f, `${r.id} ${f.population}`).toEqual(
        expected.find((e) => e.population === f.population),
      );
    }
    const left = expected.filter((e) => !shown.some((f) => f.population === e.population));
    expect(left.map((e) => e.population).sort(), r.id).toEqual([...suppressed].sort());
  }
}

/** A variant under the floor: present for readers under flag, absent under hide, never a number. */
async function checkBelowFloor(
  api: string,
  tokens: { reader: string; operator: string },
  r: VcfRecord,
  regions: string[],
  policy: 'flag' | 'hide',
) {
  const reader = await valid('resultsets', api, tokens.reader, sequenceQuery(r, 'record'));
  const shown = policy === 'flag';
  expect(reader.responseSummary, r.id).toEqual({ exists: shown, numTotalResults: shown ? 1 : 0 });
  const text = JSON.stringify(reader.response);
  for (const field of ['alleleFrequency', 'alleleCount', 'alleleNumber', 'frequencyInPopulations'])
    expect(text.includes(field), `${r.id}: ${field} for a reader`).toBe(false);
  if (shown) expect(reader.response!.resultSets[0]!.results[0]!.belowFloor).toBe(true);
  const boolean = await valid('boolean', api, tokens.reader, sequenceQuery(r, 'boolean'));
  expect(boolean.responseSummary).toEqual({ exists: shown });
  const count = await valid('count', api, tokens.reader, sequenceQuery(r, 'count'));
  expect(count.responseSummary).toEqual({ exists: shown, numTotalResults: shown ? 1 : 0 });
  const operator = await valid('resultsets', api, tokens.operator, sequenceQuery(r, 'record'));
  expect(frequenciesOf(operator), r.id).toEqual(expectedFrequencies(r, regions));
}

/**
 * A range counts the VCF records whose POS lies in it, for the operator; for a reader the same
 * under flag (a variant under the floor is present, without numbers) and those at or over the
 * floor under hide. By GET and by POST, and as records in position order.
 */
async function checkRange(
  api: string,
  tokens: { reader: string; operator: string },
  records: VcfRecord[],
  floor: number,
  policy: 'flag' | 'hide',
) {
  const chrom = records[0]!.chrom;
  const onChrom = records.filter((r) => r.chrom === chrom);
  // Beacon [start, end) = VCF POS start + 1 .. end.
  const start = onChrom[0]!.pos - 1;
  const end = onChrom[Math.min(onChrom.length - 1, 40)]!.pos + 1;
  const inRange = onChrom.filter((r) => r.pos >= start + 1 && r.pos <= end);
  const visible = inRange.filter((r) => {
    const ac = r.info.get('AC') ?? 0;
    return policy === 'flag' || !(ac > 0 && ac < floor);
  });
  const url = (granularity: string, extra = '') =>
    `/beacon/v2/g_variants?referenceName=${chrom}&start=${start}&end=${end}&requestedGranularity=${granularity}${extra}`;
  const operator = await valid('count', api, tokens.operator, url('count'));
  expect(operator.responseSummary).toEqual({ exists: true, numTotalResults: inRange.length });
  const reader = await valid('count', api, tokens.reader, url('count'));
  expect(reader.responseSummary.numTotalResults).toBe(visible.length);
  const listed = await valid('resultsets', api, tokens.operator, url('record', '&limit=0'));
  const ids = listed.response!.resultSets[0]!.results.map((r) => r.variantInternalId);
  expect(ids).toEqual(inRange.map((r) => r.id));
  const snvs = inRange.filter((r) => r.ref.length === 1 && r.alt.length === 1);
  const typed = await valid('count', api, tokens.operator, url('count', '&variantType=SNP'));
  expect(typed.responseSummary.numTotalResults).toBe(snvs.length);
  const posted = await valid('count', api, tokens.operator, '/beacon/v2/g_variants', {
    meta: { apiVersion: 'v2.0' },
    query: {
      requestParameters: { referenceName: chrom, start: [start], end: [end] },
      requestedGranularity: 'count',
    },
  });
  expect(posted.responseSummary).toEqual(operator.responseSummary);
}

/** An allele the release does not hold at a site it covers: it does not exist. */
async function checkAbsent(
  api: string,
  token: string,
  records: VcfRecord[],
  policy: 'flag' | 'hide',
) {
  const site = records.find(
    (r) => r.ref.length === 1 && r.alt.length === 1 && (r.info.get('AN') ?? 0) > 0,
  )!;
  const taken = new Set(
    records.filter((r) => r.chrom === site.chrom && r.pos === site.pos).map((r) => r.alt),
  );
  const alt = ['A', 'C', 'G', 'T'].find((b) => b !== site.ref && !taken.has(b))!;
  const absent = { ...site, alt };
  const boolean = await valid('boolean', api, token, sequenceQuery(absent, 'boolean'));
  expect(boolean.responseSummary).toEqual({ exists: false });
  // Under hide, a reader's miss is "not reported": it could be under the floor.
  expect(boolean.info.notFound?.verdict).toBe(policy === 'hide' ? 'not-reported' : 'not-seen');
  const count = await valid('count', api, token, sequenceQuery(absent, 'count'));
  expect(count.responseSummary).toEqual({ exists: false, numTotalResults: 0 });
  const record = await valid('resultsets', api, token, sequenceQuery(absent, 'record'));
  expect(record.response?.resultSets).toEqual([]);
}

async function checkErrors(api: string, token: string, r: VcfRecord) {
  const g = '/beacon/v2/g_variants';
  await refused(api, token, `${g}?referenceName=NC_000001.11&start=0&alternateBases=A`, 400);
  await refused(api, token, `${g}?referenceName=${r.chrom}&start=0&end=2000001`, 400);
  await refused(api, token, `${g}?referenceName=${r.chrom}&start=10&end=5`, 400);
  await refused(api, token, `${g}?referenceName=${r.chrom}&start=${r.pos - 1}&geneId=BRCA2`, 400);
  await refused(
    api,
    token,
    `${g}?referenceName=${r.chrom}&start=1&alternateBases=A&datasetIds=19990101T000000.000Z`,
    404,
  );
  await refused(api, token, g, 400, { query: { requestParameters: { referenceName: r.chrom } } });
  await refused(api, null, `${g}?referenceName=${r.chrom}&start=1&alternateBases=A`, 401);
}

/** Every Beacon endpoint of the API at `api`, against the release VCF it answers from. */
export async function checkBeacon(
  api: string,
  tokens: { reader: string; operator: string },
  vcf: string,
): Promise<void> {
  const records = await vcfRecords(vcf);
  expect(records.length).toBeGreaterThan(0);
  const regions = await checkInformational(api, tokens.operator);
  await checkInformational(api, tokens.reader);
  const probe = await valid('boolean', api, tokens.reader, sequenceQuery(records[0]!, 'boolean'));
  const { floor, belowFloor } = probe.info.privacy;
  const ac = (r: VcfRecord) => r.info.get('AC') ?? 0;
  const common = records.filter((r) => ac(r) >= floor);
  const chosen = [
    ...common.filter((r) => r.ref.length === 1 && r.alt.length === 1).slice(0, 3),
    ...common.filter((r) => r.ref.length !== r.alt.length).slice(0, 1),
    ...common.filter((r) => /^(chr)?X$/.test(r.chrom)).slice(0, 1),
  ];
  expect(chosen.length).toBeGreaterThanOrEqual(3);
  await checkRecords(api, tokens, chosen, regions, floor);
  // The same variant by its name without `chr`, and by POST.
  const first = chosen[0]!;
  const bare = await valid(
    'resultsets',
    api,
    tokens.operator,
    sequenceQuery(first, 'record', first.chrom.replace(/^chr/, '')),
  );
  expect(frequenciesOf(bare)).toEqual(expectedFrequencies(first, regions));
  const posted = await valid('resultsets', api, tokens.operator, '/beacon/v2/g_variants', {
    query: {
      requestParameters: {
        g_variant: {
          referenceName: first.chrom,
          start: [first.pos - 1],
          referenceBases: first.ref,
          alternateBases: first.alt,
        },
      },
      requestedGranularity: 'record',
    },
  });
  expect(frequenciesOf(posted)).toEqual(expectedFrequencies(first, regions));
  const rare = records.find((r) => ac(r) > 0 && ac(r) < floor);
  expect(rare, `a variant under the floor (AC < ${floor}) in ${vcf}`).toBeDefined();
  await checkBelowFloor(api, tokens, rare!, regions, belowFloor);
  await checkRange(api, tokens, records, floor, belowFloor);
  await checkAbsent(api, tokens.reader, records, belowFloor);
  await checkErrors(api, tokens.reader, first);
}
