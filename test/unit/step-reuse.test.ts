import { describe, expect, it } from 'vitest';
import type { PlanStep, SamplePlan } from '../../src/domain/plan.ts';
import {
  planStepReuse,
  type ReuseCandidate,
  type StepReuseArgs,
} from '../../src/domain/step-reuse.ts';

const resources = { cpus: 1, memMiB: 1024, timeMinutes: 60 };
const sha = (c: string) => c.repeat(64);
const R1 = '/inbox/s1_R1.fastq.gz';
const R2 = '/inbox/s1_R2.fastq.gz';

/** The demo's full-mode chain: align → markdup → call. */
const steps: PlanStep[] = [
  {
    name: 'align',
    kind: 'align-bwa',
    inputs: { r1: { path: R1 }, r2: { path: R2 } },
    outputs: ['aligned.bam'],
    resources,
  },
  {
    name: 'markdup',
    kind: 'markdup-cram',
    inputs: { bam: { fromStep: 'align', output: 'aligned.bam' } },
    outputs: ['sample.cram', 'sample.cram.crai'],
    resources,
  },
  {
    name: 'call',
    kind: 'call-gvcf',
    inputs: { cram: { fromStep: 'markdup', output: 'sample.cram' } },
    outputs: ['sample.g.vcf.gz', 'sample.g.vcf.gz.tbi'],
    resources,
  },
];
const publish: SamplePlan['publish'] = {
  cram: { fromStep: 'markdup', output: 'sample.cram' },
  crai: { fromStep: 'markdup', output: 'sample.cram.crai' },
  gvcf: { fromStep: 'call', output: 'sample.g.vcf.gz' },
  tbi: { fromStep: 'call', output: 'sample.g.vcf.gz.tbi' },
};

/** A stand-in for the sha256 of the basis: the kind, the step's "arguments" and its inputs. */
function fingerprinter(args: Record<string, string>) {
  return (step: PlanStep, inputs: Record<string, string>) =>
    step.kind === 'noop'
      ? null
      : `${step.kind}|${args[step.name] ?? ''}|${Object.entries(inputs)
          .sort()
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}`;
}

const v1Args = { align: 'bwa 0.7.17', markdup: 'samtools 1.16', call: 'call -m' };
const fp1 = fingerprinter(v1Args);

/** What version 1 recorded, with every published file still there unless told otherwise. */
function version1(gone: string[] = [], version = '1'): ReuseCandidate[] {
  const dir = `/gdb/samples/s1/${version}`;
  const published = (names: string[]) =>
    Object.fromEntries(names.filter((n) => !gone.includes(n)).map((n) => [n, `${dir}/${n}`]));
  const align: ReuseCandidate = {
    version,
    step: 'align',
    fingerprint: fp1(steps[0]!, { r1: sha('1'), r2: sha('2') })!,
    outputs: { 'aligned.bam': sha('b') },
    published: {},
    cpuSeconds: 100,
  };
  const markdup: ReuseCandidate = {
    version,
    step: 'markdup',
    fingerprint: fp1(steps[1]!, { bam: sha('b') })!,
    outputs: { 'sample.cram': sha('c'), 'sample.cram.crai': sha('d') },
    published: published(['sample.cram', 'sample.cram.crai']),
    cpuSeconds: 20,
  };
  const call: ReuseCandidate = {
    version,
    step: 'call',
    fingerprint: fp1(steps[2]!, { cram: sha('c') })!,
    outputs: { 'sample.g.vcf.gz': sha('e'), 'sample.g.vcf.gz.tbi': sha('f') },
    published: published(['sample.g.vcf.gz', 'sample.g.vcf.gz.tbi']),
    cpuSeconds: 10,
  };
  return [align, markdup, call];
}

function byFingerprint(...lists: ReuseCandidate[][]): Map<string, ReuseCandidate[]> {
  const map = new Map<string, ReuseCandidate[]>();
  for (const c of lists.flat()) map.set(c.fingerprint, [...(map.get(c.fingerprint) ?? []), c]);
  return map;
}

function plan(overrides: Partial<StepReuseArgs>) {
  return planStepReuse({
    steps,
    publish,
    submittedSha256: { [R1]: sha('1'), [R2]: sha('2') },
    fingerprintOf: fp1,
    candidates: byFingerprint(version1()),
    ...overrides,
  });
}

const reused = (d: ReturnType<typeof plan>) =>
  Object.fromEntries(d.map((s) => [s.step, s.reuse && Object.keys(s.reuse.materialise).sort()]));

describe('planStepReuse', () => {
  it('reuses alignment and duplicate marking for a caller-only change, linking only the CRAM', () => {
    const decisions = plan({
      fingerprintOf: fingerprinter({ ...v1Args, call: 'call -m -P 0.01' }),
    });
    expect(reused(decisions)).toEqual({
      align: [],
      markdup: ['sample.cram', 'sample.cram.crai'],
      call: null,
    });
    expect(decisions[1]!.reuse!.materialise['sample.cram']).toBe('/gdb/samples/s1/1/sample.cram');
    expect(decisions[0]!.reuse!.from).toMatchObject({ version: '1', step: 'align' });
    expect(decisions[2]!.reason).toMatch(/no earlier version ran it/);
  });

  it('reuses every step of an unchanged pipeline, linking what is published', () => {
    expect(reused(plan({}))).toEqual({
      align: [],
      markdup: ['sample.cram', 'sample.cram.crai'],
      call: ['sample.g.vcf.gz', 'sample.g.vcf.gz.tbi'],
    });
  });

  it('runs everything after a changed aligner: later inputs are known only once it ran', () => {
    const decisions = plan({ fingerprintOf: fingerprinter({ ...v1Args, align: 'bwa 0.7.18' }) });
    expect(reused(decisions)).toEqual({ align: null, markdup: null, call: null });
    expect(decisions[1]!.fingerprint).toBeNull();
    expect(decisions[1]!.reason).toMatch(/input bam is known only once it has run/);
  });

  it('runs duplicate marking, and so alignment, when the CRAM is no longer published', () => {
    const decisions = plan({
      candidates: byFingerprint(version1(['sample.cram'])),
      fingerprintOf: fingerprinter({ ...v1Args, call: 'other' }),
    });
    expect(reused(decisions)).toEqual({ align: null, markdup: null, call: null });
    expect(decisions[1]!.reason).toMatch(/sample\.cram.*not published/);
    expect(decisions[0]!.reason).toMatch(/aligned\.bam.*not published/);
  });

  it('takes an older version that still publishes the file when the newest does not', () => {
    const decisions = plan({
      candidates: byFingerprint(version1(['sample.cram'], '1.1'), version1([], '1')),
      fingerprintOf: fingerprinter({ ...v1Args, call: 'other' }),
    });
    expect(decisions[1]!.reuse!.from.version).toBe('1');
    expect(decisions[0]!.reuse!.from.version).toBe('1.1');
  });

  it('runs every step when no earlier version has fingerprints', () => {
    const decisions = plan({ candidates: new Map() });
    expect(reused(decisions)).toEqual({ align: null, markdup: null, call: null });
    expect(decisions.map((d) => d.fingerprint === null)).toEqual([false, true, true]);
  });

  it('cannot fingerprint a step whose submitted file has no sha256', () => {
    const decisions = plan({ submittedSha256: { [R1]: sha('1') } });
    expect(decisions[0]!.fingerprint).toBeNull();
    expect(decisions[0]!.reason).toMatch(/input r2/);
    expect(reused(decisions)).toEqual({ align: null, markdup: null, call: null });
  });

  it('leaves out a candidate with the same fingerprint but other outputs', () => {
    const odd = version1([], '0.9');
    odd[1] = { ...odd[1]!, outputs: { ...odd[1]!.outputs, 'sample.cram': sha('9') } };
    const decisions = plan({
      candidates: byFingerprint(version1(['sample.cram'], '1'), odd),
      fingerprintOf: fingerprinter({ ...v1Args, call: 'other' }),
    });
    expect(decisions[1]!.reuse).toBeNull();
  });
});
