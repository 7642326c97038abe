/**
 * Plans under a pipeline that names the sex chromosomes: a plan that publishes a CRAM measures
 * the karyotype from it just before the call, and the call gets that karyotype's ploidy; one that
 * publishes no CRAM measures nothing; pipeline 1 plans as before. And the command lines of the
 * karyotype step and of a call given a ploidy file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FileKind } from '../../src/domain/manifest.ts';
import { pipelineSpecSchema, type PipelineSpec } from '../../src/domain/pipeline.ts';
import { KARYOTYPE_OUTPUTS, type PlanFile, type PlanInput } from '../../src/domain/plan.ts';
import { planSample } from '../../src/domain/planner.ts';
import { commandLines } from '../../src/tools/job-script.ts';
import { buildStepCommands } from '../../src/tools/step-commands.ts';

const spec = (version: string): PipelineSpec =>
  pipelineSpecSchema.parse(
    JSON.parse(readFileSync(new URL(`../../pipelines/${version}.json`, import.meta.url), 'utf8')),
  );
const v1 = spec('1');
const v2 = spec('2');

const file = (kind: FileKind, path: string): PlanFile => ({ kind, path, facts: null });

function input(pipeline: PipelineSpec, overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    sampleId: 'S01',
    region: 'hovedstaden',
    submissionId: 'H-1',
    readType: 'short',
    mode: 'full',
    files: [file('fastq-r1', '/in/r1.fq.gz'), file('fastq-r2', '/in/r2.fq.gz')],
    pipeline,
    springAvailable: false,
    ...overrides,
  };
}

function planOf(outcome: ReturnType<typeof planSample>) {
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.issues));
  return outcome.plan;
}

describe('plans that measure the karyotype', () => {
  it('measures it from the new CRAM before the call, which gets its ploidy', () => {
    const plan = planOf(planSample(input(v2, { karyotype: 'XY' })));
    expect(plan.steps.map((s) => s.name)).toEqual(['align', 'markdup', 'karyotype', 'call']);
    const karyotype = plan.steps[2]!;
    expect(karyotype).toMatchObject({
      kind: 'karyotype-depth',
      inputs: { cram: { fromStep: 'markdup', output: 'sample.cram' } },
      statedKaryotype: 'XY',
      resources: v2.steps.karyotype,
    });
    expect(plan.steps[3]!.inputs).toEqual({
      cram: { fromStep: 'markdup', output: 'sample.cram' },
      ploidy: { fromStep: 'karyotype', output: KARYOTYPE_OUTPUTS.ploidy },
    });
  });

  it('records nothing stated as null, and measures a registered CRAM in mode none', () => {
    const plan = planOf(
      planSample(
        input(v2, {
          mode: 'none',
          files: [
            file('cram', '/in/S.cram'),
            file('crai', '/in/S.cram.crai'),
            file('gvcf', '/in/S.g.vcf.gz'),
            file('tbi', '/in/S.g.vcf.gz.tbi'),
          ],
        }),
      ),
    );
    expect(plan.steps.at(-1)).toMatchObject({ name: 'karyotype', statedKaryotype: null });
    expect(plan.steps.filter((s) => s.kind === 'call-gvcf')).toEqual([]);
  });

  it('measures nothing without a CRAM, or under a pipeline without sex chromosomes', () => {
    const gvcfOnly = planOf(
      planSample(
        input(v2, {
          mode: 'none',
          files: [file('gvcf', '/in/S.g.vcf.gz'), file('tbi', '/in/S.g.vcf.gz.tbi')],
        }),
      ),
    );
    expect(gvcfOnly.steps.map((s) => s.kind)).not.toContain('karyotype-depth');
    const old = planOf(planSample(input(v1, { karyotype: 'XX' })));
    expect(old.steps.map((s) => s.name)).toEqual(['align', 'markdup', 'call']);
    expect(Object.keys(old.steps[2]!.inputs)).toEqual(['cram']);
  });

  it('runs bedcov over the autosomes and non-PAR X and Y, and calls with the ploidy file', () => {
    const pipeline = { spec: v2, reference: '/ref/genome.fa' };
    const measure = commandLines(
      buildStepCommands({
        kind: 'karyotype-depth',
        inputs: { cram: '/w/sample.cram' },
        resources: v2.steps.karyotype!,
        pipeline,
        sampleId: 'S01',
        regions: [],
      }).lines,
    ).join('\n');
    expect(measure).toContain("'chrX\t20000\t150000\tx'");
    expect(measure).toContain("'chr1\t0\t300000\tautosome'");
    expect(measure).toMatch(
      /samtools bedcov -Q 20 -j --reference \/ref\/genome\.fa .* \/w\/sample\.cram/,
    );
    const call = commandLines(
      buildStepCommands({
        kind: 'call-gvcf',
        inputs: { cram: '/w/sample.cram', ploidy: '/w/k/ploidy.txt' },
        resources: v2.steps.call,
        pipeline,
        sampleId: 'S01',
        regions: [],
      }).lines,
    ).join('\n');
    expect(call).toMatch(
      /bcftools call --no-version -m -g 0,5,10,20 -a FORMAT\/GQ --ploidy-file \/w\/k\/ploidy\.txt -Oz/,
    );
  });
});
