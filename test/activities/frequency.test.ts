/**
 * The eligibility snapshot of a frequency release on a seeded catalogue (real files, no
 * Temporal): who is in, who is left out and why, under the default policy and under one that
 * includes mode none; and the shards it plans.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReleasableRecord } from '../../src/demo/releasable-record.ts';
import type { ActivityDeps } from '../../src/activities/deps.ts';
import { createFrequencyActivities } from '../../src/activities/frequency.ts';
import { pipelineOneOnly } from '../helpers/pipelines.ts';
import { fileActivityDeps } from '../helpers/activity-deps.ts';

let root: string;
let deps: ActivityDeps;

const onReference = {
  releasable: true,
  reason: 'its contigs and REF alleles match the national reference',
};
const offReference = { releasable: false, reason: 'its contigs are not the national reference' };

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-frequency-act-'));
  const gvcf = (id: string) => path.join(root, 'gdb', id, `${id}.g.vcf.gz`);
  for (const sample of [
    { sampleId: 'HOV001', region: 'hovedstaden' },
    { sampleId: 'HOV002', region: 'hovedstaden' },
    { sampleId: 'MID001', region: 'midtjylland', mode: 'partial' as const },
    {
      sampleId: 'NOR001',
      region: 'nordjylland',
      mode: 'none' as const,
      registeredGvcf: onReference,
    },
    {
      sampleId: 'NOR002',
      region: 'nordjylland',
      mode: 'none' as const,
      registeredGvcf: offReference,
    },
    { sampleId: 'NOR003', region: 'nordjylland', mode: 'none' as const },
    { sampleId: 'SJA001', region: 'sjaelland', consent: { research: false } },
    {
      sampleId: 'SJA002',
      region: 'sjaelland',
      consent: { research: true, withdrawnAt: '2026-10-01T00:00:00.000Z' },
    },
    { sampleId: 'RSD001', region: 'syddanmark', pipelineVersion: 'noop' },
  ]) {
    await writeReleasableRecord(root, { ...sample, gvcf: gvcf(sample.sampleId) });
  }
  // A deployment whose newest pipeline is 1 (the records above are of pipeline 1).
  deps = fileActivityDeps(root, {
    HARMONISE_FREQUENCY_SHARD_BASES: '250000',
    HARMONISE_PIPELINES: await pipelineOneOnly(root),
  });
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function snapshot(releaseId: string, policy: object | null) {
  if (policy) {
    await fs.writeFile(
      deps.config.policyFile,
      JSON.stringify({ schema: 'harmonise.policy/v1', ...policy }),
    );
  } else {
    await fs.rm(deps.config.policyFile, { force: true });
  }
  const taken = await createFrequencyActivities(deps).snapshotRelease({
    releaseId,
    workflowId: `frequency:${releaseId}`,
    pipelineVersion: null,
  });
  const rows = async (file: string) =>
    (await fs.readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));
  return {
    taken,
    included: await rows(taken.files.samplesTsv),
    excluded: Object.fromEntries(await rows(taken.files.excluded)) as Record<string, string>,
  };
}

describe('snapshotRelease', () => {
  it('takes harmonised, consenting samples of the newest pipeline and says why others are out', async () => {
    const { taken, included, excluded } = await snapshot('r-default', null);
    expect(included).toEqual([
      ['HOV001', 'hovedstaden', path.join(root, 'gdb/HOV001/HOV001.g.vcf.gz')],
      ['HOV002', 'hovedstaden', path.join(root, 'gdb/HOV002/HOV002.g.vcf.gz')],
      ['MID001', 'midtjylland', path.join(root, 'gdb/MID001/MID001.g.vcf.gz')],
    ]);
    expect(taken).toMatchObject({
      pipelineVersion: '1',
      samples: 3,
      samplesPerRegion: { hovedstaden: 2, midtjylland: 1 },
      samplesPerMode: { full: 2, partial: 1 },
      policy: { includeModeNone: false },
      regions: ['hovedstaden', 'midtjylland'],
      excludedCount: 6,
    });
    expect(excluded).toEqual({
      NOR001: expect.stringMatching(/mode none.*the policy leaves mode none out/),
      NOR002: expect.stringMatching(/the policy leaves mode none out/),
      NOR003: expect.stringMatching(/the policy leaves mode none out/),
      SJA001: 'no research consent',
      SJA002: 'consent withdrawn at 2026-10-01T00:00:00.000Z',
      RSD001: 'not harmonised with pipeline 1',
    });
    // chr1 300 kb, chr2 200 kb, chr3 100 kb in 250 kb shards, in genome order.
    expect(taken.shards.map((s) => [s.name, s.region])).toEqual([
      ['shard-0001', 'chr1:1-250000'],
      ['shard-0002', 'chr1:250001-300000'],
      ['shard-0003', 'chr2:1-200000'],
      ['shard-0004', 'chr3:1-100000'],
    ]);
  });

  it('includes mode none when the policy says so, only with a gVCF judged on the national reference', async () => {
    const { taken, included, excluded } = await snapshot('r-none', {
      frequency: { includeModeNone: true },
    });
    expect(included.map((r) => r[0])).toEqual(['HOV001', 'HOV002', 'MID001', 'NOR001']);
    expect(taken).toMatchObject({
      samples: 4,
      samplesPerRegion: { hovedstaden: 2, midtjylland: 1, nordjylland: 1 },
      samplesPerMode: { full: 2, partial: 1, none: 1 },
      policy: { includeModeNone: true },
      regions: ['hovedstaden', 'midtjylland', 'nordjylland'],
    });
    expect(excluded.NOR002).toMatch(
      /gVCF cannot be merged: its contigs are not the national reference/,
    );
    expect(excluded.NOR003).toMatch(/registered before harmonise judged registered gVCFs/);
    expect(excluded.SJA002).toMatch(/consent withdrawn/);
  });

  it('refuses a policy file it cannot read, naming the file', async () => {
    await fs.writeFile(deps.config.policyFile, '{"schema":"harmonise.policy/v1","frequency":1}');
    await expect(
      createFrequencyActivities(deps).snapshotRelease({
        releaseId: 'r-bad',
        workflowId: 'frequency:r-bad',
        pipelineVersion: null,
      }),
    ).rejects.toThrow(/policy\.json is invalid: frequency/);
  });
});
