import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AlignmentFacts, VariantFacts } from '../../src/domain/file-facts.ts';
import type { FileKind } from '../../src/domain/manifest.ts';
import { pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import {
  resolveStepInputs,
  type PlanFile,
  type PlanInput,
  type SamplePlan,
} from '../../src/domain/plan.ts';
import { judgeAlignment, judgeVariants } from '../../src/domain/judgements.ts';
import { planSample } from '../../src/domain/planner.ts';
import { DEFAULT_POLICY, modeForRegion, policySchema } from '../../src/domain/policy.ts';

const pipeline = pipelineSpecSchema.parse(
  JSON.parse(readFileSync(new URL('../../pipelines/1.json', import.meta.url), 'utf8')),
);
const national = Object.fromEntries(pipeline.reference.sequences.map((s) => [s.name, s.md5]));

function alignment(overrides: Partial<AlignmentFacts> = {}): AlignmentFacts {
  return {
    format: 'cram',
    m5s: national,
    onNationalReference: true,
    programs: [{ id: 'bwa', name: 'bwa', version: '0.7.17-r1188', commandLine: 'bwa mem ...' }],
    unaligned: false,
    records: 1000,
    ...overrides,
  };
}

function variants(overrides: Partial<VariantFacts> = {}): VariantFacts {
  return {
    contigs: Object.keys(national),
    onNationalReference: true,
    refAllelesMatch: true,
    gvcf: true,
    records: 100,
    ...overrides,
  };
}

function file(kind: FileKind, facts: PlanFile['facts'] = null): PlanFile {
  const names: Partial<Record<FileKind, string>> = {
    cram: '/in/S.cram',
    crai: '/in/S.cram.crai',
    gvcf: '/in/S.g.vcf.gz',
    tbi: '/in/S.g.vcf.gz.tbi',
  };
  return { kind, path: names[kind] ?? `/in/S.${kind}`, facts };
}

const fastqPair = [file('fastq-r1'), file('fastq-r2')];
const keptCram = [file('cram', { kind: 'alignment', facts: alignment() }), file('crai')];
const keptGvcf = [file('gvcf', { kind: 'variants', facts: variants() }), file('tbi')];

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    sampleId: 'S01',
    region: 'midtjylland',
    submissionId: 'M-1',
    readType: 'short',
    mode: 'full',
    files: fastqPair,
    pipeline,
    springAvailable: false,
    ...overrides,
  };
}

function planned(overrides: Partial<PlanInput>): SamplePlan {
  const outcome = planSample(input(overrides));
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.issues));
  return outcome.plan;
}

const shape = (plan: SamplePlan) =>
  plan.steps.map((s) => `${s.name}:${s.kind}${s.readsFormat ? `:${s.readsFormat}` : ''}`);

describe('planSample, mode full', () => {
  it('aligns a FASTQ pair with bwa, marks duplicates, calls, each fed by the step before', () => {
    const plan = planned({});
    expect(shape(plan)).toEqual([
      'align:align-bwa:fastq-pair',
      'markdup:markdup-cram',
      'call:call-gvcf',
    ]);
    expect(plan.steps[0]!.inputs).toEqual({
      r1: { path: '/in/S.fastq-r1' },
      r2: { path: '/in/S.fastq-r2' },
    });
    expect(plan.steps[1]!.inputs).toEqual({ bam: { fromStep: 'align', output: 'aligned.bam' } });
    expect(plan.steps[2]!.inputs.cram).toEqual({ fromStep: 'markdup', output: 'sample.cram' });
    expect(plan.publish.gvcf).toEqual({ fromStep: 'call', output: 'sample.g.vcf.gz' });
    expect(plan.verdict).toMatchObject({ alignment: 'aligned', variants: 'called' });
    expect(plan.retry).toEqual(pipeline.retry);
  });

  it.each([
    ['an unaligned CRAM', [file('ucram')], 'align:align-bwa:alignment', /unaligned CRAM/],
    [
      'a submitted CRAM',
      keptCram,
      'align:align-bwa:alignment',
      /recovered from the submitted CRAM/,
    ],
    [
      'a submitted BAM',
      [file('bam', { kind: 'alignment', facts: alignment({ format: 'bam' }) })],
      'align:align-bwa:alignment',
      /BAM/,
    ],
  ])('re-processes from %s', (_name, files, first, reason) => {
    const plan = planned({ files });
    expect(shape(plan)[0]).toBe(first);
    expect(plan.verdict.reasons.join(' ')).toMatch(reason);
  });

  it('prefers raw reads to a submitted alignment', () => {
    const plan = planned({ files: [...keptCram, ...fastqPair] });
    expect(plan.steps[0]!.readsFormat).toBe('fastq-pair');
  });

  it('decompresses SPRING with the site binary, and refuses clearly without one', () => {
    expect(planned({ files: [file('spring')], springAvailable: true }).steps[0]!.readsFormat).toBe(
      'spring',
    );
    const refused = planSample(input({ files: [file('spring')], springAvailable: false }));
    expect(refused).toMatchObject({ ok: false, issues: [{ code: 'SPRING_UNAVAILABLE' }] });
    if (!refused.ok) expect(refused.issues[0]!.message).toMatch(/spring binary/);
  });

  it('aligns long reads with minimap2 and calls them with the long-read settings', () => {
    const plan = planned({ readType: 'long', files: [file('fastq')] });
    expect(shape(plan)).toEqual([
      'align:align-minimap2:fastq',
      'markdup:markdup-cram',
      'call:call-gvcf',
    ]);
    expect(plan.steps[2]!.longReads).toBe(true);
  });

  it.each([
    ['no R2', [file('fastq-r1')], 'PLAN_NO_READ_PAIR'],
    ['two R1', [file('fastq-r1'), file('fastq-r1'), file('fastq-r2')], 'PLAN_NO_READ_PAIR'],
    ['only a gVCF', keptGvcf, 'PLAN_NO_READS'],
  ])('refuses %s', (_name, files, code) => {
    expect(planSample(input({ files }))).toMatchObject({ ok: false, issues: [{ code }] });
  });

  it('refuses long reads that are not one FASTQ', () => {
    expect(planSample(input({ readType: 'long', files: fastqPair }))).toMatchObject({
      ok: false,
      issues: [{ code: 'PLAN_NO_READS' }],
    });
  });
});

describe('planSample, mode partial', () => {
  const partial = (files: PlanFile[]) => planned({ mode: 'partial', files });

  it('keeps a compliant CRAM and gVCF: nothing is re-computed, both are adopted', () => {
    const plan = partial([...keptCram, ...keptGvcf]);
    expect(shape(plan)).toEqual(['adopt:adopt-files']);
    expect(plan.steps[0]!.inputs).toEqual({
      'sample.cram': { path: '/in/S.cram' },
      'sample.cram.crai': { path: '/in/S.cram.crai' },
      'sample.g.vcf.gz': { path: '/in/S.g.vcf.gz' },
      'sample.g.vcf.gz.tbi': { path: '/in/S.g.vcf.gz.tbi' },
    });
    expect(plan.verdict).toMatchObject({ alignment: 'kept', variants: 'kept' });
    expect(plan.verdict.reasons[0]).toMatch(
      /CRAM kept: every @SQ M5 equals the national reference and @PG shows bwa 0\.7\.17/,
    );
  });

  it('keeps a compliant CRAM and calls with the national caller when no gVCF came', () => {
    const plan = partial(keptCram);
    expect(shape(plan)).toEqual(['adopt:adopt-files', 'call:call-gvcf']);
    expect(plan.steps[1]!.inputs.cram).toEqual({ fromStep: 'adopt', output: 'sample.cram' });
    expect(plan.publish.crai).toEqual({ fromStep: 'adopt', output: 'sample.cram.crai' });
    expect(plan.verdict).toMatchObject({ alignment: 'kept', variants: 'called' });
  });

  it('builds a missing index when it keeps a file', () => {
    const plan = partial([keptCram[0]!, keptGvcf[0]!]);
    expect(plan.steps[0]!.adopt?.index).toEqual([
      { of: 'sample.cram', to: 'sample.cram.crai' },
      { of: 'sample.g.vcf.gz', to: 'sample.g.vcf.gz.tbi' },
    ]);
  });

  it('turns a compliant BAM into CRAM on the national reference', () => {
    const plan = partial([file('bam', { kind: 'alignment', facts: alignment({ format: 'bam' }) })]);
    expect(plan.steps[0]!.adopt?.convertToCram).toEqual(['sample.cram']);
  });

  it.each([
    [
      'another aligner',
      alignment({
        programs: [{ id: 'minimap2', name: 'minimap2', version: '2.24', commandLine: null }],
      }),
      /@PG records \(minimap2\) show no approved aligner \(bwa\)/,
    ],
    ['another reference', alignment({ onNationalReference: false }), /not the national reference/],
    ['no @PG at all', alignment({ programs: [] }), /\(none\)/],
  ])('re-aligns a CRAM made with %s, from its own reads', (_name, facts, reason) => {
    const plan = partial([file('cram', { kind: 'alignment', facts }), file('crai')]);
    expect(shape(plan)).toEqual([
      'align:align-bwa:alignment',
      'markdup:markdup-cram',
      'call:call-gvcf',
    ]);
    expect(plan.verdict.alignment).toBe('realigned');
    expect(plan.verdict.reasons[0]).toMatch(reason);
  });

  it.each([
    ['not a gVCF', variants({ gvcf: false }), /not a gVCF/],
    [
      'on other contigs',
      variants({ onNationalReference: false, refAllelesMatch: null }),
      /contigs are not/,
    ],
    ['with wrong REF alleles', variants({ refAllelesMatch: false }), /REF alleles/],
  ])('calls again when the submitted gVCF is %s', (_name, facts, reason) => {
    const plan = partial([...keptCram, file('gvcf', { kind: 'variants', facts })]);
    expect(plan.verdict.variants).toBe('called');
    expect(plan.verdict.reasons[0]).toMatch(reason);
  });
});

describe('planSample, mode none', () => {
  it('registers the submitted files as they are, with one copy step', () => {
    const plan = planned({ mode: 'none', files: [...keptCram, ...keptGvcf] });
    expect(shape(plan)).toEqual(['adopt:adopt-files']);
    expect(Object.keys(plan.publish).sort()).toEqual(['crai', 'cram', 'gvcf', 'tbi']);
    expect(plan.verdict).toMatchObject({ alignment: 'registered', variants: 'registered' });
    expect(plan.verdict.reasons[0]).toMatch(/left out of frequency releases/);
    expect(plan.verdict.registeredGvcf).toEqual({
      releasable: true,
      reason: 'its contigs and REF alleles match the national reference',
    });
  });

  it.each([
    ['no gVCF', keptCram, /no gVCF was submitted/],
    [
      'a VCF without reference blocks',
      [file('gvcf', { kind: 'variants', facts: variants({ gvcf: false }) })],
      /not a gVCF/,
    ],
    [
      'a gVCF on another reference',
      [file('gvcf', { kind: 'variants', facts: variants({ onNationalReference: false }) })],
      /not the national reference/,
    ],
    [
      'REF alleles that differ',
      [file('gvcf', { kind: 'variants', facts: variants({ refAllelesMatch: false }) })],
      /REF alleles do not match/,
    ],
    ['a gVCF intake learnt nothing about', [file('gvcf')], /intake learnt nothing/],
  ])('judges a registered gVCF not releasable: %s', (_, files, reason) => {
    const plan = planned({ mode: 'none', files });
    expect(plan.verdict.registeredGvcf).toEqual({
      releasable: false,
      reason: expect.stringMatching(reason),
    });
  });
});

describe('judgements', () => {
  it('names the aligner by PN, or by ID without its numeric suffix', () => {
    const byId = alignment({
      programs: [{ id: 'bwa.1', name: null, version: null, commandLine: null }],
    });
    expect(judgeAlignment(byId, ['bwa']).keep).toBe(true);
    expect(judgeAlignment(alignment({ unaligned: true }), ['bwa']).keep).toBe(false);
    expect(judgeVariants(variants()).keep).toBe(true);
  });

  it('resolves step inputs from earlier outputs and refuses missing ones', () => {
    const markdup = planned({}).steps[1]!;
    expect(resolveStepInputs(markdup, { align: { 'aligned.bam': '/w/aligned.bam' } })).toEqual({
      bam: '/w/aligned.bam',
    });
    expect(() => resolveStepInputs(markdup, {})).toThrow(/aligned.bam of step align/);
  });
});

describe('policy', () => {
  it('gives the default mode to regions the file does not name', () => {
    const policy = policySchema.parse({
      schema: 'harmonise.policy/v1',
      default: 'partial',
      regions: { syddanmark: 'none' },
    });
    expect(modeForRegion(policy, 'syddanmark')).toBe('none');
    expect(modeForRegion(policy, 'hovedstaden')).toBe('partial');
    expect(modeForRegion(DEFAULT_POLICY, 'sjaelland')).toBe('full');
  });

  it('leaves mode none out of frequency releases unless it says otherwise', () => {
    const base = { schema: 'harmonise.policy/v1' };
    expect(policySchema.parse(base).frequency).toEqual({ includeModeNone: false });
    expect(policySchema.parse({ ...base, frequency: { includeModeNone: true } }).frequency).toEqual(
      { includeModeNone: true },
    );
    expect(policySchema.safeParse({ ...base, frequency: { includeModeNone: 'yes' } }).success).toBe(
      false,
    );
    expect(policySchema.safeParse({ ...base, frequency: { includeNone: true } }).success).toBe(
      false,
    );
  });

  it('rejects an unknown mode', () => {
    const parsed = policySchema.safeParse({
      schema: 'harmonise.policy/v1',
      regions: { syddanmark: 'some' },
    });
    expect(parsed.success).toBe(false);
  });
});
