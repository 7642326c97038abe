/**
 * Campaign and rerun activities on a seeded catalogue (real files, no Temporal): what a
 * selection resolves to, how a samples file is read, what a rerun refuses and why, and the report.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogue } from '../../src/demo/seed-catalogue.ts';
import { createCampaignActivities } from '../../src/activities/campaign.ts';
import type { ActivityDeps } from '../../src/activities/deps.ts';
import { createRerunActivities } from '../../src/activities/rerun.ts';
import { fileActivityDeps } from '../helpers/activity-deps.ts';
import type { CampaignProgress, CampaignReport } from '../../src/domain/campaign.ts';

let root: string;
let deps: ActivityDeps;
let campaign: ReturnType<typeof createCampaignActivities>;
let rerun: ReturnType<typeof createRerunActivities>;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-campaign-act-'));
  await seedCatalogue({
    dataRoot: root,
    samples: 30,
    regions: ['hovedstaden', 'syddanmark', 'nordjylland'],
    perSubmission: 10,
  });
  deps = fileActivityDeps(root);
  campaign = createCampaignActivities(deps);
  rerun = createRerunActivities(deps);
  // NGC000020-29 (nordjylland) are already done with the noop pipeline.
  for (let n = 20; n < 30; n++) {
    const id = `NGC${String(n).padStart(6, '0')}`;
    const record = (await deps.catalogue.get(id))!;
    await deps.catalogue.recordVersion(record, {
      ...record.versions['1']!,
      pipelineVersion: 'noop',
      status: 'benchmark',
      publishedAt: '2026-06-01T00:00:00.000Z',
    });
  }
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const request = (selection: { expression: string } | { samplesFile: string }) => ({
  name: '',
  pipelineVersion: 'noop',
  selection,
  maxConcurrent: 10,
  requestedBy: 'test',
});

describe('resolveCampaign', () => {
  it('writes the selected samples to disk and counts those already done', async () => {
    const resolution = await campaign.resolveCampaign({
      campaignId: 'c-select',
      request: request({ expression: 'region=hovedstaden|nordjylland' }),
    });
    expect(resolution).toMatchObject({ total: 10, alreadyDone: 10, unknown: [] });
    const ids = (await fs.readFile(resolution.listFile, 'utf8')).trim().split('\n');
    expect(ids).toEqual(Array.from({ length: 10 }, (_, n) => `NGC${String(n).padStart(6, '0')}`));
    // Resolving again (a retried activity) returns the same list.
    await deps.catalogue.recordVersion((await deps.catalogue.get('NGC000001'))!, {
      ...(await deps.catalogue.get('NGC000001'))!.versions['1']!,
      pipelineVersion: 'noop',
      publishedAt: '2026-07-01T00:00:00.000Z',
    });
    const again = await campaign.resolveCampaign({
      campaignId: 'c-select',
      request: request({ expression: 'region=hovedstaden|nordjylland' }),
    });
    expect(again).toEqual(resolution);
    expect(
      await campaign.readCampaignPage({ listFile: resolution.listFile, offset: 8, limit: 5 }),
    ).toEqual(['NGC000008', 'NGC000009']);
  });

  it('reads a samples file, reporting ids the catalogue does not have', async () => {
    const file = path.join(root, 'ids.txt');
    await fs.writeFile(file, '# rerun list\nNGC000011\n\nNGC000025\nNGC000011\nXYZ999\n');
    const resolution = await campaign.resolveCampaign({
      campaignId: 'c-file',
      request: request({ samplesFile: file }),
    });
    expect(resolution).toMatchObject({ total: 1, alreadyDone: 1, unknown: ['XYZ999'] });
  });

  it('refuses a bad selection or samples file, naming the problem', async () => {
    await expect(
      campaign.resolveCampaign({ campaignId: 'c-bad', request: request({ expression: 'x=1' }) }),
    ).rejects.toThrow(/unknown field "x"/);
    const file = path.join(root, 'bad-ids.txt');
    await fs.writeFile(file, 'NGC000001\n010203-1234\n../etc\n');
    await expect(
      campaign.resolveCampaign({ campaignId: 'c-bad2', request: request({ samplesFile: file }) }),
    ).rejects.toThrow(/line 2 "010203-1234".*CPR.*line 3/);
  });
});

describe('prepareRerun', () => {
  it('finds the submitted files again, checks them, and takes the mode from the policy', async () => {
    await fs.writeFile(
      deps.config.policyFile,
      JSON.stringify({ schema: 'harmonise.policy/v1', regions: { syddanmark: 'partial' } }),
    );
    const prepared = await rerun.prepareRerun({
      sampleId: 'NGC000012',
      pipelineVersion: 'noop',
      mode: null,
    });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.issues));
    expect(prepared.work).toMatchObject({
      region: 'syddanmark',
      mode: 'partial',
      submissionId: 'seed-0001',
    });
    expect(prepared.work.files.map((f) => f.kind)).toEqual(['fastq-r1', 'fastq-r2']);
    expect(prepared.from).toEqual({ pipelineVersion: '1', submissionId: 'seed-0001' });
    const override = await rerun.prepareRerun({
      sampleId: 'NGC000012',
      pipelineVersion: 'noop',
      mode: 'full',
    });
    expect(override.ok && override.work.mode).toBe('full');
  });

  it('refuses unknown samples, vanished submissions and inputs changed since', async () => {
    const unknown = await rerun.prepareRerun({
      sampleId: 'NOPE01',
      pipelineVersion: 'noop',
      mode: null,
    });
    expect(!unknown.ok && unknown.issues[0]!.code).toBe('RERUN_SAMPLE_UNKNOWN');

    // A provenance that recorded other checksums: the inputs changed since pipeline 1 ran.
    const id = 'NGC000013';
    const record = (await deps.catalogue.get(id))!;
    const seeded = JSON.parse(
      await fs.readFile(record.versions['1']!.files.provenance!, 'utf8'),
    ) as {
      inputs: { md5: string | null }[];
    };
    seeded.inputs[0]!.md5 = '0'.repeat(32);
    const provenance = path.join(root, 'prov-13.json');
    await fs.writeFile(provenance, JSON.stringify(seeded));
    await deps.catalogue.recordVersion(record, {
      ...record.versions['1']!,
      files: { provenance },
    });
    const changed = await rerun.prepareRerun({ sampleId: id, pipelineVersion: 'noop', mode: null });
    expect(!changed.ok && changed.issues[0]).toMatchObject({ code: 'RERUN_INPUTS_CHANGED' });
    expect(!changed.ok && changed.issues[0]!.message).toMatch(
      /R1\.fastq\.gz md5 was 0+, is [0-9a-f]{32}/,
    );

    // A file that no longer matches its manifest checksum is caught by intake itself.
    const dir = deps.layout.submissionDir('syddanmark', 'seed-0001');
    const r2 = path.join(dir, 'NGC000014_R2.fastq.gz');
    await fs.rm(r2);
    await fs.writeFile(r2, 'not gzip');
    const corrupt = await rerun.prepareRerun({
      sampleId: 'NGC000014',
      pipelineVersion: 'noop',
      mode: null,
    });
    expect(!corrupt.ok && corrupt.issues.map((i) => i.code)).toEqual(['FILE_CHECKSUM_MISMATCH']);

    await fs.rm(path.join(deps.layout.submissionDir('hovedstaden', 'seed-0000'), 'manifest.json'));
    const gone = await rerun.prepareRerun({
      sampleId: 'NGC000002',
      pipelineVersion: 'noop',
      mode: null,
    });
    expect(!gone.ok && gone.issues[0]).toMatchObject({ code: 'RERUN_INPUTS_MISSING' });
  });
});

describe('campaign outcomes and report', () => {
  it('keeps the last word per sample and lists every non-done sample as a failure', async () => {
    const at = '2026-11-26T00:00:00.000Z';
    const first = {
      campaignId: 'c-report',
      seq: 0,
      outcomes: [
        { sampleId: 'B', status: 'done' as const, workflowId: 'w-b', errors: [], at },
        {
          sampleId: 'A',
          status: 'failed' as const,
          workflowId: 'w-a',
          errors: [{ code: 'X', path: 'p', message: 'm' }],
          at,
        },
      ],
    };
    await campaign.recordCampaignOutcomes(first);
    // The same batch written again (a retried activity) changes nothing.
    await campaign.recordCampaignOutcomes(first);
    await campaign.recordCampaignOutcomes({
      campaignId: 'c-report',
      seq: 1,
      outcomes: [{ sampleId: 'C', status: 'rejected', workflowId: 'w-c', errors: [], at }],
    });
    // Later batches speak last: A ran again and was done; B, once done, failed afterwards.
    // Batch 10 is written before batch 2, and sorts after it only by number.
    const later = '2026-11-27T00:00:00.000Z';
    await campaign.recordCampaignOutcomes({
      campaignId: 'c-report',
      seq: 10,
      outcomes: [{ sampleId: 'A', status: 'done', workflowId: 'w-a2', errors: [], at: later }],
    });
    await campaign.recordCampaignOutcomes({
      campaignId: 'c-report',
      seq: 2,
      outcomes: [
        {
          sampleId: 'B',
          status: 'failed',
          workflowId: 'w-b2',
          errors: [{ code: 'Y', path: 'q', message: 'n' }],
          at: later,
        },
        { sampleId: 'A', status: 'cancelled', workflowId: 'w-a1', errors: [], at: later },
      ],
    });
    const file = await campaign.writeCampaignReport({
      progress: { campaignId: 'c-report', state: 'completed' } as CampaignProgress,
    });
    const report = JSON.parse(await fs.readFile(file, 'utf8')) as CampaignReport;
    expect(report.schema).toBe('harmonise.campaign-report/v1');
    expect(report.reportFile).toBe(file);
    expect(report.samples.map((s) => [s.sampleId, s.status, s.workflowId])).toEqual([
      ['A', 'done', 'w-a2'],
      ['B', 'failed', 'w-b2'],
      ['C', 'rejected', 'w-c'],
    ]);
    expect(report.samples.find((s) => s.sampleId === 'A')!.errors).toEqual([]);
    expect(report.failures.map((s) => s.sampleId)).toEqual(['B', 'C']);
  });
});
