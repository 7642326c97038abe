/**
 * The `hide` policy: a reader learns nothing of a variant under the floor, and so is never told
 * "not seen" either (absent and hidden look the same: "not reported"); an operator still sees
 * everything. The release is the API tests' fixture, written with bgzip and tabix.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { FrequencyLookup } from '../../src/lookup/service.ts';
import { FIXTURE_RELEASE_ID, writeReleaseFixture } from '../helpers/release-fixture.ts';

let root: string;
let hide: FrequencyLookup;
let flag: FrequencyLookup;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-hide-'));
  await writeReleaseFixture(root);
  hide = FrequencyLookup.ofConfig(
    loadConfig({ HARMONISE_DATA: root, HARMONISE_FREQUENCY_BELOW_FLOOR: 'hide' }),
  );
  flag = FrequencyLookup.ofConfig(loadConfig({ HARMONISE_DATA: root }));
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const query = (variant: string) => ({ releaseId: FIXTURE_RELEASE_ID, variant });

describe('the hide policy', () => {
  it('answers a variant under the floor exactly as an absent one, to readers', async () => {
    const hidden = await hide.variant(query('chr1-3000-G-A'), 'reader');
    const absent = await hide.variant(query('chr1-1500-A-C'), 'reader');
    expect(hidden).toMatchObject({
      found: false,
      verdict: 'not-reported',
      alleleNumber: { AN: 100 },
    });
    expect(absent).toMatchObject({
      found: false,
      verdict: 'not-reported',
      alleleNumber: { AN: 100 },
    });
    expect({ ...hidden, variant: null }).toEqual({ ...absent, variant: null });
    // A position nobody covers is still said to be one: that reveals no carrier.
    expect(await hide.variant(query('chr1-55000-A-C'), 'reader')).toMatchObject({
      verdict: 'not-covered',
    });
    expect(hidden.privacy).toEqual({ floor: 5, belowFloor: 'hide', audience: 'reader' });
  });

  it('leaves it out of a window for readers, and shows it to operators', async () => {
    const window = { releaseId: FIXTURE_RELEASE_ID, chrom: 'chr1', start: 1, end: 10_000 };
    const ids = async (lookup: FrequencyLookup, audience: 'reader' | 'operator') =>
      (await lookup.region(window, audience)).variants.map((v) => v.variant.id);
    expect(await ids(hide, 'reader')).not.toContain('chr1-3000-G-A');
    expect(await ids(hide, 'operator')).toContain('chr1-3000-G-A');
    expect(await ids(flag, 'reader')).toContain('chr1-3000-G-A');
    expect(await hide.variant(query('chr1-3000-G-A'), 'operator')).toMatchObject({
      found: true,
      belowFloor: true,
      overall: { AC: 3, AN: 100 },
    });
  });

  it('under flag, says present below the floor, with no number', async () => {
    expect(await flag.variant(query('chr1-3000-G-A'), 'reader')).toMatchObject({
      found: true,
      belowFloor: true,
      overall: { suppressed: true },
      regions: { hovedstaden: { suppressed: true }, syddanmark: { suppressed: true } },
    });
    expect(await flag.variant(query('chr1-1500-A-C'), 'reader')).toMatchObject({
      verdict: 'not-seen',
    });
  });
});
