/**
 * The demo's release through the lookup API, as departments and operators get it: at every site
 * of the release VCF the operator's answer equals the VCF's counts (overall, per region, per
 * stratum), the reader's answer shows only what the floor allows and otherwise the same
 * numbers, a window lists the VCF's records, and no file readers are served from names a genome.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { vcfRecords, type VcfRecord } from './release-vcf.ts';
import type { DemoReport } from '../../src/cli/demo.ts';
import { PUBLIC_RELEASE_FILES } from '../../src/domain/shards.ts';
import type { Counts, Shown, VariantFound } from '../../src/lookup/answer.ts';
import { harmonise, type CliEnv } from './cli.ts';

export interface LookupAccess {
  api: string;
  operator: string;
  /** A department's frequency-reader token, made with `harmonise token create`. */
  reader: string;
}

/** The API's address and tokens after the demo, with a reader token made as an operator would. */
export async function lookupAccess(cli: CliEnv, name: string): Promise<LookupAccess> {
  const tokens = JSON.parse(
    await fs.readFile(path.join(cli.dataRoot, 'api-tokens.json'), 'utf8'),
  ) as Record<string, string>;
  const made = await harmonise(
    cli,
    ['token', 'create', '--role', 'frequency-reader', '--name', name, '--json'],
    { HARMONISE_TOKEN: tokens.operator! },
  );
  expect(made.exitCode, made.stderr).toBe(0);
  const created = JSON.parse(made.stdout) as { token: string; name: string; role: string };
  expect(created).toMatchObject({ name, role: 'frequency-reader' });
  return {
    api: `http://127.0.0.1:${cli.env.HARMONISE_API_PORT}`,
    operator: tokens.operator!,
    reader: created.token,
  };
}

async function get(api: string, token: string, url: string): Promise<unknown> {
  const response = await fetch(`${api}${url}`, { headers: { authorization: `Bearer ${token}` } });
  const body: unknown = await response.json();
  expect(response.status, `${url}: ${JSON.stringify(body)}`).toBe(200);
  return body;
}

/** The VCF's counts of a stratum (`` or `_XX`…) overall or of a region, as the API shapes them. */
function expected(record: VcfRecord, stratum: string, region: string | null): Counts {
  const field = (tag: string) => record.info.get(`${tag}${stratum}${region ? `_${region}` : ''}`);
  return {
    AC: field('AC')!,
    AN: field('AN')!,
    AF: field('AF') ?? null,
    nhomalt: field('nhomalt')!,
  };
}

/** A reader's stratum: hidden, or exactly the VCF's numbers, never a count under the floor. */
function expectReaderShows(shown: Shown | undefined, truth: Counts, floor: number, what: string) {
  expect(shown, what).toBeDefined();
  if ('suppressed' in shown!) return;
  expect(shown, what).toEqual(truth);
  expect(truth.AC === 0 || truth.AC >= floor, what).toBe(true);
}

export async function checkLookupApi(access: LookupAccess, report: DemoReport): Promise<void> {
  const release = report.release!;
  const records = await vcfRecords(release.vcf);
  expect(records.length).toBe(release.sites);
  const dataset = (await get(access.api, access.reader, '/api/v1/frequency/datasets/latest')) as {
    regions: string[];
    privacy: { floor: number };
    strata: string[];
  };
  const { regions, privacy } = dataset;
  expect(dataset.strata).toEqual(['sex', 'raw']);
  let suppressedForReaders = 0;
  for (const record of records) {
    const url = `/api/v1/frequency/variants/${record.id}?release=${release.releaseId}`;
    const operator = (await get(access.api, access.operator, url)) as VariantFound;
    expect(operator.found).toBe(true);
    expect(operator.overall).toEqual(expected(record, '', null));
    for (const r of regions)
      expect(operator.regions[r], `${record.id} ${r}`).toEqual(expected(record, '', r));
    expect(operator.strata?.XX).toEqual(expected(record, '_XX', null));
    expect(operator.strata?.XY).toEqual(expected(record, '_XY', null));
    expect(operator.strata?.raw).toEqual(expected(record, '_raw', null));
    expect(operator.strata?.hemi).toEqual({ AC: record.info.get('AC_hemi') });
    expect(operator.regionStrata?.[regions[0]!]?.XY).toEqual(expected(record, '_XY', regions[0]!));

    const reader = (await get(access.api, access.reader, url)) as VariantFound;
    expect(reader.regionStrata).toBeUndefined();
    expect(reader.belowFloor).toBe(
      record.info.get('AC')! < privacy.floor && record.info.get('AC')! > 0,
    );
    expectReaderShows(reader.overall, expected(record, '', null), privacy.floor, record.id);
    for (const r of regions)
      expectReaderShows(
        reader.regions[r],
        expected(record, '', r),
        privacy.floor,
        `${record.id} ${r}`,
      );
    expectReaderShows(
      reader.strata?.XX,
      expected(record, '_XX', null),
      privacy.floor,
      `${record.id} XX`,
    );
    expectReaderShows(
      reader.strata?.raw,
      expected(record, '_raw', null),
      privacy.floor,
      `${record.id} raw`,
    );
    if ('suppressed' in reader.overall) suppressedForReaders += 1;
  }
  // The demo's 10 genomes carry many variants fewer than 5 times: the floor is exercised.
  expect(suppressedForReaders).toBeGreaterThan(0);
  expect(suppressedForReaders).toBeLessThan(records.length);

  // A window's pages hold exactly the VCF's records there, in order.
  const ids: string[] = [];
  let token: string | null = null;
  do {
    const page = (await get(
      access.api,
      access.operator,
      `/api/v1/frequency/regions/chrX:1-150000?release=${release.releaseId}&pageSize=25${token ? `&pageToken=${token}` : ''}`,
    )) as { variants: VariantFound[]; nextPageToken: string | null };
    ids.push(...page.variants.map((v) => v.variant.id));
    token = page.nextPageToken;
  } while (token !== null);
  expect(ids).toEqual((await vcfRecords(release.vcf, 'chrX')).map((r) => r.id));
}

/** What readers are served from holds counts only: no sample id of the demo in any of it. */
export async function checkPublicFilesHoldNoSampleId(access: LookupAccess, report: DemoReport) {
  const ids = report.samples.map((s) => s.sampleId);
  for (const name of PUBLIC_RELEASE_FILES) {
    const file = path.join(report.release!.dir, name);
    // Every one of them is BGZF, the indexes too.
    const { stdout } = await execa('bgzip', ['-dc', file], { encoding: 'buffer' });
    const text = Buffer.from(stdout).toString('latin1');
    for (const id of ids) expect(text.includes(id), `${name} names ${id}`).toBe(false);
  }
  const datasets = JSON.stringify(
    await get(access.api, access.reader, '/api/v1/frequency/datasets'),
  );
  for (const id of ids) expect(datasets.includes(id), `datasets name ${id}`).toBe(false);
}
