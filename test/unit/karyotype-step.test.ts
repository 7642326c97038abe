/**
 * The karyotype step's activity side: the verdict and ploidy file made from the job's bedcov
 * depth, and the verdict registration records when there was nothing to measure.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredKaryotype, writeKaryotypeVerdict } from '../../src/activities/karyotype.ts';
import type { StepResult } from '../../src/activities/jobs.ts';
import { KARYOTYPE_OUTPUTS } from '../../src/domain/plan.ts';
import { PipelineRegistry, type LoadedPipeline } from '../../src/store/pipelines.ts';

let dir: string;
let v1: LoadedPipeline;
let v2: LoadedPipeline;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-karyotype-step-'));
  const registry = new PipelineRegistry(path.resolve('pipelines'), dir);
  v1 = await registry.load('1');
  v2 = await registry.load('2');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** bedcov lines: autosomes at 25× over 600 kb, non-PAR X at `x`×, Y at `y`×. */
function bedcov(x: number, y: number): string {
  return [
    `chr1\t0\t300000\tautosome\t${25 * 300000}`,
    `chr2\t0\t200000\tautosome\t${25 * 200000}`,
    `chr3\t0\t100000\tautosome\t${25 * 100000}`,
    `chrX\t20000\t150000\tx\t${x * 130000}`,
    `chrY\t0\t60000\ty\t${y * 60000}`,
    '',
  ].join('\n');
}

async function measured(x: number, y: number, stated: 'XX' | 'XY' | null, name: string) {
  const work = path.join(dir, name);
  await fs.mkdir(work);
  await fs.writeFile(path.join(work, KARYOTYPE_OUTPUTS.depth), bedcov(x, y));
  const verdict = await writeKaryotypeVerdict(v2, stated, work);
  const ploidy = await fs.readFile(path.join(work, KARYOTYPE_OUTPUTS.ploidy), 'utf8');
  const result = {
    step: 'karyotype',
    outputs: { [KARYOTYPE_OUTPUTS.verdict]: path.join(work, KARYOTYPE_OUTPUTS.verdict) },
  };
  return { verdict, ploidy, result: result as unknown as StepResult };
}

describe('the karyotype step', () => {
  it('infers XY from half an X and a Y, and calls non-PAR X and Y haploid', async () => {
    const { verdict, ploidy, result } = await measured(12.5, 11, null, 'xy');
    expect(verdict).toMatchObject({ karyotype: 'XY', inferred: true, warning: null });
    expect(verdict.ratios!.xAutosome).toBeCloseTo(0.5, 5);
    expect(ploidy.split('\n').filter(Boolean)).toEqual([
      'chrX\t20001\t150000\tXY\t1',
      'chrY\t1\t60000\tXY\t1',
      '*\t*\t*\tXY\t2',
    ]);
    expect(await registeredKaryotype(v2, undefined, [result])).toEqual(verdict);
  });

  it('keeps a stated XY that the depth contradicts, with a warning, and calls it XY', async () => {
    const { verdict, ploidy } = await measured(25, 0, 'XY', 'contradicted');
    expect(verdict).toMatchObject({ karyotype: 'XY', inferred: false, depthSays: 'XX' });
    expect(verdict.warning).toMatch(/stated XY, but the depth says XX/);
    expect(ploidy).toContain('chrX\t20001\t150000\tXY\t1');
  });

  it('calls an ambiguous sample as XX (no Y) and records why it is unknown', async () => {
    const { verdict, ploidy } = await measured(18, 0, null, 'ambiguous');
    expect(verdict).toMatchObject({ karyotype: 'unknown', inferred: true });
    expect(verdict.reason).toMatch(/ambiguous/);
    expect(ploidy.split('\n').filter(Boolean)).toEqual(['chrY\t1\t60000\tXX\t0', '*\t*\t*\tXX\t2']);
  });

  it('records the stated karyotype, or unknown, when nothing was measured', async () => {
    expect(await registeredKaryotype(v2, 'XX', [])).toMatchObject({
      karyotype: 'XX',
      ratios: null,
      inferred: false,
    });
    expect(await registeredKaryotype(v2, undefined, [])).toMatchObject({
      karyotype: 'unknown',
      reason: expect.stringMatching(/could not be measured/) as unknown,
    });
    expect(await registeredKaryotype(v1, 'XX', [])).toBeUndefined();
  });

  it('names the depth file when it is not bedcov output', async () => {
    const work = path.join(dir, 'broken');
    await fs.mkdir(work);
    await fs.writeFile(path.join(work, KARYOTYPE_OUTPUTS.depth), 'chr1\t0\tx\n');
    await expect(writeKaryotypeVerdict(v2, null, work)).rejects.toThrow(
      /depth\.bedcov: bedcov line 1/,
    );
  });
});
