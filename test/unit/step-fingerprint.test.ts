import { describe, expect, it } from 'vitest';
import {
  basisProblem,
  canonicalJson,
  fingerprintText,
  type StepFingerprintBasis,
} from '../../src/domain/step-fingerprint.ts';

const sha = (c: string) => c.repeat(64);

const basis: StepFingerprintBasis = {
  kind: 'call-gvcf',
  tools: { bcftools: '1.16', htslib: '1.16' },
  commands: ['bcftools mpileup -f {reference} -q 20 {input:cram} | bcftools call -m -g 0,10,20'],
  settings: { longReads: false },
  reference: [
    { name: 'chr1', md5: 'c7215bbe99b03b958bead2c1cb67de49' },
    { name: 'chr2', md5: '867c8ac546dbaf62623080ae137ec726' },
  ],
  inputs: { cram: sha('a') },
};

describe('canonicalJson', () => {
  it('gives the same text whatever the order of keys, at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'z' } })).toBe(
      canonicalJson({ a: { c: 'z', d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('leaves out undefined members and keeps array order', () => {
    expect(canonicalJson({ a: undefined, b: [2, 1] })).toBe('{"b":[2,1]}');
  });

  it('refuses a number JSON cannot hold', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/no JSON form/);
  });
});

describe('fingerprintText', () => {
  it('does not depend on the order the basis was written in', () => {
    const reordered: StepFingerprintBasis = {
      inputs: { ...basis.inputs },
      reference: basis.reference,
      settings: basis.settings,
      commands: basis.commands,
      tools: { htslib: '1.16', bcftools: '1.16' },
      kind: basis.kind,
    };
    expect(fingerprintText(reordered)).toBe(fingerprintText(basis));
  });

  const changes: [string, Partial<StepFingerprintBasis>][] = [
    ['the kind', { kind: 'markdup-cram' }],
    ['a tool version (a silently upgraded tool)', { tools: { bcftools: '1.17', htslib: '1.16' } }],
    ['an argument', { commands: [basis.commands[0]!.replace('-q 20', '-q 30')] }],
    ['a setting', { settings: { longReads: true } }],
    [
      'a reference MD5',
      { reference: [basis.reference[0]!, { name: 'chr2', md5: sha('b').slice(0, 32) }] },
    ],
    ['the reference order', { reference: [...basis.reference].reverse() }],
    ['an input checksum', { inputs: { cram: sha('c') } }],
    ['an input name', { inputs: { bam: sha('a') } }],
  ];
  it.each(changes)('changes with %s', (_what, change) => {
    expect(fingerprintText({ ...basis, ...change })).not.toBe(fingerprintText(basis));
  });

  it('names its schema, so a change of what goes in is a new fingerprint', () => {
    expect(fingerprintText(basis)).toContain('"schema":"harmonise.step-fingerprint/v1"');
  });
});

describe('basisProblem', () => {
  it('accepts a complete basis', () => {
    expect(basisProblem(basis)).toBeNull();
  });

  it.each([
    ['a frequency step', { kind: 'frequency-partial' as const }, /never reused/],
    ['a noop step', { kind: 'noop' as const }, /never reused/],
    ['an input without sha256', { inputs: { cram: 'missing' } }, /input cram has no sha256/],
    ['no tool versions', { tools: {} }, /no tool versions/],
    ['an empty version', { tools: { bcftools: ' ' } }, /no version of bcftools/],
  ])('refuses %s', (_what, change: Partial<StepFingerprintBasis>, message) => {
    expect(basisProblem({ ...basis, ...change })).toMatch(message);
  });
});
