/**
 * What registration writes as provenance.json is what a rerun accepts reading back: the builder's
 * output passes the v1 schema, and the schema refuses what a rerun could not compare with.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProvenance } from '../../src/activities/provenance.ts';
import type { RegisterSampleInput } from '../../src/activities/registration.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import { PROVENANCE_SCHEMA, provenanceSchema } from '../../src/domain/provenance.ts';
import { PipelineRegistry } from '../../src/store/pipelines.ts';

const resources = { cpus: 2, memMiB: 2048, timeMinutes: 60 };

/** A registration of a realigned sample whose align step needed a second attempt. */
const input: RegisterSampleInput = {
  workflowId: 'sample:HOV000001:1',
  runId: '0198c6c2-6a5e-7000-8000-000000000001',
  sampleId: 'HOV000001',
  region: 'hovedstaden',
  submissionId: 'sub-2026-11',
  readType: 'short',
  consent: { research: true },
  mode: 'full',
  pipelineVersion: '1',
  verdict: { alignment: 'aligned', variants: 'called', reasons: ['full mode'] },
  inputs: [
    {
      kind: 'fastq-r1',
      relativePath: 'HOV000001_R1.fastq.gz',
      md5: 'a'.repeat(32),
      sha256: null,
      identity: { dev: '2049', ino: '1234', size: 100, mtimeNs: '1764000000000000000', host: 'h' },
    },
    { kind: 'fastq-r2', relativePath: 'HOV000001_R2.fastq.gz', md5: null, sha256: 'b'.repeat(64) },
  ],
  steps: [
    {
      step: 'align',
      attempt: 2,
      key: 'sample:HOV000001:1/align/2',
      jobId: 'local-2',
      executor: 'local',
      state: 'COMPLETED',
      workDir: '/data/work/sample:HOV000001:1/align/2',
      outputs: { bam: '/data/work/x.bam' },
      resources: { ...resources, memMiB: 4096 },
      toolVersions: { bwa: '0.7.17-r1188' },
      commands: ['bwa mem -K 100000000 -Y ref.fa r1 r2'],
      submittedAt: '2026-11-26T10:00:00.000Z',
      endedAt: '2026-11-26T10:01:00.000Z',
    },
  ],
  attempts: [
    {
      step: 'align',
      attempt: 1,
      jobId: 'local-1',
      state: 'OUT_OF_MEMORY',
      resources,
      startedAt: '2026-11-26T09:59:00.000Z',
      endedAt: '2026-11-26T09:59:30.000Z',
      reason: 'over its memory',
    },
    {
      step: 'align',
      attempt: 2,
      jobId: 'local-2',
      state: 'COMPLETED',
      resources: { ...resources, memMiB: 4096 },
      startedAt: '2026-11-26T10:00:00.000Z',
      endedAt: '2026-11-26T10:01:00.000Z',
      reason: null,
    },
  ],
  publish: { cram: '/data/work/x.cram' },
};

describe('provenance.json', () => {
  it('is written as a document the v1 schema accepts', async () => {
    const pipeline = await new PipelineRegistry(path.join(PROJECT_ROOT, 'pipelines'), '/data').load(
      '1',
    );
    const built = buildProvenance(input, pipeline, { 'sample.cram': 'c'.repeat(64) });
    // Through JSON, as it is written and read.
    const parsed = provenanceSchema.safeParse(JSON.parse(JSON.stringify(built)));
    expect(parsed.success && parsed.data).toMatchObject({
      schema: PROVENANCE_SCHEMA,
      sampleId: 'HOV000001',
      pipeline: { version: '1', specSha256: pipeline.specSha256 },
      inputs: input.inputs,
      outputs: { 'sample.cram': { sha256: 'c'.repeat(64) } },
    });
  });

  it.each([
    ['another schema', { schema: 'harmonise.provenance/v0' }, 'schema'],
    [
      'a checksum that is not hex',
      { inputs: [{ ...input.inputs[0], md5: 'x'.repeat(32) }] },
      'inputs',
    ],
    ['an input of no known kind', { inputs: [{ ...input.inputs[0], kind: 'zip' }] }, 'inputs'],
    ['no inputs at all', { inputs: undefined }, 'inputs'],
  ])('refuses %s', async (_case, change, field) => {
    const pipeline = await new PipelineRegistry(path.join(PROJECT_ROOT, 'pipelines'), '/data').load(
      '1',
    );
    const bad = { ...buildProvenance(input, pipeline, {}), ...change };
    const parsed = provenanceSchema.safeParse(JSON.parse(JSON.stringify(bad)));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path[0])).toEqual([field]);
  });
});
