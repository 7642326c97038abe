import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintStep, type FingerprintStep } from '../../src/activities/step-fingerprint.ts';
import { pipelineSpecSchema, type PipelineSpec } from '../../src/domain/pipeline.ts';
import type { LoadedPipeline } from '../../src/store/pipelines.ts';

const root = path.resolve(import.meta.dirname, '../..');
const spec1 = pipelineSpecSchema.parse(
  JSON.parse(fs.readFileSync(path.join(root, 'pipelines/1.json'), 'utf8')),
);
const spec2 = pipelineSpecSchema.parse(
  JSON.parse(fs.readFileSync(path.join(root, 'pipelines/2.json'), 'utf8')),
);

function loaded(spec: PipelineSpec, fasta = '/data/reference/genome.fa'): LoadedPipeline {
  return { spec, specSha256: 'f'.repeat(64), specFile: '/x.json', referenceFasta: fasta };
}

/** Pipeline 1 with only the caller's arguments changed. */
const callerOnly: PipelineSpec = {
  ...spec1,
  version: '1.1',
  caller: { ...spec1.caller, callArgs: ['-m', '-P', '0.01', '-g', '0,10,20'] },
};

const versions = { bwa: '0.7.17-r1188', samtools: '1.16.1', bcftools: '1.16', htslib: '1.16' };
const sha = (c: string) => c.repeat(64);
const align: FingerprintStep = {
  kind: 'align-bwa',
  inputNames: ['r1', 'r2'],
  settings: { readsFormat: 'fastq-pair' },
};
const markdup: FingerprintStep = { kind: 'markdup-cram', inputNames: ['bam'] };
const call: FingerprintStep = {
  kind: 'call-gvcf',
  inputNames: ['cram'],
  settings: { longReads: false },
};

function fp(
  spec: PipelineSpec,
  step: FingerprintStep,
  tools = versions,
  inputs?: Record<string, string>,
) {
  const sums = inputs ?? Object.fromEntries(step.inputNames.map((n) => [n, sha('a')]));
  const result = fingerprintStep(loaded(spec), 'DK-H-000001', step, tools, sums);
  if (!result.ok) throw new Error(result.reason);
  return result;
}

describe('fingerprintStep', () => {
  it('is the same for alignment and duplicate marking when only the caller changed', () => {
    expect(fp(callerOnly, align).fingerprint).toBe(fp(spec1, align).fingerprint);
    expect(fp(callerOnly, markdup).fingerprint).toBe(fp(spec1, markdup).fingerprint);
    expect(fp(callerOnly, call).fingerprint).not.toBe(fp(spec1, call).fingerprint);
  });

  it('differs on another reference, even with the same arguments', () => {
    expect(fp(spec2, markdup).fingerprint).not.toBe(fp(spec1, markdup).fingerprint);
  });

  it('differs when the cluster reports another bwa, and ignores tools the step does not run', () => {
    expect(fp(spec1, align, { ...versions, bwa: '0.7.18-r1243' }).fingerprint).not.toBe(
      fp(spec1, align).fingerprint,
    );
    expect(fp(spec1, markdup, { ...versions, bwa: '0.7.18-r1243' }).fingerprint).toBe(
      fp(spec1, markdup).fingerprint,
    );
  });

  it('differs with an input checksum, not with where the reference lies', () => {
    expect(fp(spec1, markdup, versions, { bam: sha('b') }).fingerprint).not.toBe(
      fp(spec1, markdup).fingerprint,
    );
    const elsewhere = fingerprintStep(
      loaded(spec1, '/other/place.fa'),
      'DK-H-000001',
      markdup,
      versions,
      {
        bam: sha('a'),
      },
    );
    expect(elsewhere.ok && elsewhere.fingerprint).toBe(fp(spec1, markdup).fingerprint);
  });

  it('differs for another sample: its read group is in the alignment', () => {
    const other = fingerprintStep(loaded(spec1), 'DK-H-000002', align, versions, {
      r1: sha('a'),
      r2: sha('a'),
    });
    expect(other.ok && other.fingerprint).not.toBe(fp(spec1, align).fingerprint);
  });

  it('keeps placeholders, not paths or CPUs, in the commands it fingerprints', () => {
    const { basis } = fp(spec1, align);
    const text = basis.commands.join('\n');
    expect(text).toContain('{input:r1}');
    expect(text).toContain('{reference}');
    expect(text).not.toContain('/data/reference');
    expect(basis.tools).toEqual({
      bwa: versions.bwa,
      samtools: versions.samtools,
      htslib: versions.htslib,
    });
  });

  it('refuses a step without a tool version or an input checksum', () => {
    const noBwa = fingerprintStep(
      loaded(spec1),
      'DK-H-000001',
      align,
      { samtools: '1.16.1', htslib: '1.16' },
      {
        r1: sha('a'),
        r2: sha('a'),
      },
    );
    expect(noBwa).toEqual({ ok: false, reason: 'the job reported no version of bwa' });
    const noSum = fingerprintStep(loaded(spec1), 'DK-H-000001', markdup, versions, {});
    expect(noSum).toEqual({ ok: false, reason: 'input bam has no sha256' });
    const frequency = fingerprintStep(
      loaded(spec1),
      'x',
      { kind: 'frequency-partial', inputNames: [] },
      versions,
      {},
    );
    expect(frequency.ok).toBe(false);
  });
});
