/**
 * A position looked up in a release: the variants its VCF has there, and the allele number of
 * its all-sites track, which tells "not seen among N alleles" from "not covered". The release's
 * files are made here with bgzip and tabix, as the gather makes them.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { FrequencyLookup } from '../../src/lookup/service.ts';
import { createLayout, type Layout } from '../../src/store/layout.ts';
import { bgzipAndIndex } from '../helpers/release-fixture.ts';

let root: string;
let layout: Layout;
let lookup: FrequencyLookup;

/** The summary.json fields the lookup reads. */
async function writeSummary(releaseId: string): Promise<void> {
  const summary = {
    releaseId,
    createdAt: '2026-12-01T10:00:00.000Z',
    pipelineVersion: '1',
    reference: { name: 'test', sequences: [{ name: 'chr1', length: 1000 }] },
    samples: 4,
    samplesPerRegion: { hovedstaden: 2, syddanmark: 2 },
    sites: 3,
    tags: { perRegion: ['hovedstaden', 'syddanmark'] },
    files: {},
  };
  await fs.writeFile(
    path.join(layout.releaseDir(releaseId), 'summary.json'),
    JSON.stringify(summary),
  );
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-lookup-'));
  layout = createLayout(root);
  lookup = FrequencyLookup.ofConfig(loadConfig({ HARMONISE_DATA: root }));
  const dir = layout.releaseDir('20261201T100000.000Z');
  await fs.mkdir(dir, { recursive: true });
  const vcf = [
    '##fileformat=VCFv4.2',
    '##contig=<ID=chr1,length=1000>',
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="x">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
    'chr1\t149\t.\tCAT\tC\t.\t.\tAC=1;AN=6;AF=0.166667;nhomalt=0',
    'chr1\t150\t.\tA\tG\t.\t.\tAC=3;AN=8;AF=0.375;nhomalt=1',
    'chr1\t150\t.\tAT\tA\t.\t.\tAC=1;AN=8;AF=0.125;nhomalt=0',
    '',
  ].join('\n');
  await bgzipAndIndex(path.join(dir, 'frequencies.vcf'), vcf, ['-p', 'vcf']);
  const track = [
    '#chrom\tstart\tend\tAN\tAN_hovedstaden\tAN_syddanmark',
    'chr1\t1\t99\t8\t4\t4',
    'chr1\t100\t199\t6\t2\t4',
    'chr1\t200\t300\t0\t0\t0',
    'chr1\t301\t1000\t8\t4\t4',
    '',
  ].join('\n');
  await bgzipAndIndex(path.join(dir, 'an.tsv'), track, ['-s1', '-b2', '-e3']);
  await fs.symlink(path.join('releases', '20261201T100000.000Z'), layout.latestLink);
  await fs.mkdir(layout.releaseDir('20261101T100000.000Z'), { recursive: true });
  await bgzipAndIndex(
    path.join(layout.releaseDir('20261101T100000.000Z'), 'frequencies.vcf'),
    vcf,
    ['-p', 'vcf'],
  );
  await writeSummary('20261201T100000.000Z');
  await writeSummary('20261101T100000.000Z');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('looking up a position', () => {
  it('lists the variants that start there, with their counts and the AN there', async () => {
    const found = await lookup.position({ releaseId: 'latest', chrom: 'chr1', pos: 150 });
    expect(found.releaseId).toBe('20261201T100000.000Z');
    expect(found.verdict).toBe('seen');
    expect(found.variants.map((v) => v.variant)).toEqual(['chr1-150-A-G', 'chr1-150-AT-A']);
    expect(found.variants[0]!.info).toMatchObject({ AC: 3, AN: 8, nhomalt: 1 });
    expect(found.alleleNumber).toEqual({ AN: 6, AN_hovedstaden: 2, AN_syddanmark: 4 });
  });

  it('tells a covered position without a variant from one nobody covers', async () => {
    const seen = await lookup.position({
      releaseId: '20261201T100000.000Z',
      chrom: 'chr1',
      pos: 50,
    });
    expect(seen).toMatchObject({ verdict: 'not-seen', variants: [], alleleNumber: { AN: 8 } });
    const gap = await lookup.position({
      releaseId: '20261201T100000.000Z',
      chrom: 'chr1',
      pos: 250,
    });
    expect(gap).toMatchObject({ verdict: 'not-covered', alleleNumber: { AN: 0 } });
  });

  it('says unknown for a release without a track, and refuses what is not there', async () => {
    const old = await lookup.position({
      releaseId: '20261101T100000.000Z',
      chrom: 'chr1',
      pos: 50,
    });
    expect(old).toMatchObject({ verdict: 'unknown', alleleNumber: null });
    await expect(
      lookup.position({ releaseId: '20261201T100000.000Z', chrom: 'chr1', pos: 5000 }),
    ).rejects.toThrow(/chr1:5000 is not a position of the release's reference/);
    await expect(
      lookup.position({ releaseId: '20260101T100000.000Z', chrom: 'chr1', pos: 5 }),
    ).rejects.toThrow(/no published release 20260101T100000.000Z/);
    await expect(
      lookup.position({ releaseId: '20261201T100000.000Z', chrom: 'chr1', pos: 0 }),
    ).rejects.toThrow(/not a 1-based position/);
  });
});
