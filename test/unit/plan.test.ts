import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import { planSample, resolveStepInputs, type PlanInput } from '../../src/domain/plan.ts';
import { DEFAULT_POLICY, modeForRegion, policySchema } from '../../src/domain/policy.ts';

const pipeline = pipelineSpecSchema.parse(
  JSON.parse(readFileSync(new URL('../../pipelines/1.json', import.meta.url), 'utf8')),
);

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    sampleId: 'HOV001',
    region: 'hovedstaden',
    submissionId: 'HOV-1',
    readType: 'short',
    mode: 'full',
    files: [
      { kind: 'fastq-r1', path: '/in/HOV001_R1.fastq.gz' },
      { kind: 'fastq-r2', path: '/in/HOV001_R2.fastq.gz' },
    ],
    pipeline,
    ...overrides,
  };
}

describe('planSample in mode full', () => {
  it('plans align, markdup and call, each fed by the step before', () => {
    const outcome = planSample(input());
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const { plan } = outcome;
    expect(plan.steps.map((s) => [s.name, s.kind])).toEqual([
      ['align', 'align-bwa'],
      ['markdup', 'markdup-cram'],
      ['call', 'call-gvcf'],
    ]);
    expect(plan.steps[0]!.inputs).toEqual({
      r1: { path: '/in/HOV001_R1.fastq.gz' },
      r2: { path: '/in/HOV001_R2.fastq.gz' },
    });
    expect(plan.steps[1]!.inputs).toEqual({ bam: { fromStep: 'align', output: 'aligned.bam' } });
    expect(plan.steps[2]!.inputs.cram).toEqual({ fromStep: 'markdup', output: 'sample.cram' });
    expect(plan.steps[0]!.resources).toEqual(pipeline.steps.align);
    expect(plan.retry).toEqual(pipeline.retry);
    expect(plan.pipelineVersion).toBe('1');
    expect(plan.publish.gvcf).toEqual({ fromStep: 'call', output: 'sample.g.vcf.gz' });
  });

  it('resolves step inputs from earlier outputs and refuses missing ones', () => {
    const outcome = planSample(input());
    if (!outcome.ok) throw new Error('plan failed');
    const markdup = outcome.plan.steps[1]!;
    expect(resolveStepInputs(markdup, { align: { 'aligned.bam': '/work/a/aligned.bam' } })).toEqual(
      {
        bam: '/work/a/aligned.bam',
      },
    );
    expect(() => resolveStepInputs(markdup, {})).toThrow(/aligned.bam of step align/);
  });

  it.each([
    ['mode partial', { mode: 'partial' as const }, 'PLAN_MODE_UNSUPPORTED'],
    ['mode none', { mode: 'none' as const }, 'PLAN_MODE_UNSUPPORTED'],
    ['long reads', { readType: 'long' as const }, 'PLAN_READ_TYPE_UNSUPPORTED'],
    [
      'no R2',
      { files: [{ kind: 'fastq-r1' as const, path: '/in/R1.fq.gz' }] },
      'PLAN_NO_READ_PAIR',
    ],
    [
      'two R1',
      {
        files: [
          { kind: 'fastq-r1' as const, path: '/a' },
          { kind: 'fastq-r1' as const, path: '/b' },
          { kind: 'fastq-r2' as const, path: '/c' },
        ],
      },
      'PLAN_NO_READ_PAIR',
    ],
  ])('refuses %s with a clear issue', (_name, overrides, code) => {
    const outcome = planSample(input(overrides));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.issues[0]!.code).toBe(code);
      expect(outcome.issues[0]!.message.length).toBeGreaterThan(10);
    }
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

  it('rejects an unknown mode', () => {
    const parsed = policySchema.safeParse({
      schema: 'harmonise.policy/v1',
      regions: { syddanmark: 'some' },
    });
    expect(parsed.success).toBe(false);
  });
});
