/**
 * Karyotype verdicts from depth, ploidy by position, and the ploidy file bcftools is given: the
 * rule by hand, then bcftools 1.16 itself calling one read pile as XX and as XY with that file.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideKaryotype, karyotypeFromDepth } from '../../src/domain/karyotype.ts';
import {
  outsidePars,
  ploidyAt,
  ploidyFileLines,
  type SexChromosomes,
} from '../../src/domain/ploidy.ts';

const SEX: SexChromosomes = {
  x: 'chrX',
  y: 'chrY',
  par: [
    { chrom: 'chrX', start: 1, end: 200 },
    { chrom: 'chrY', start: 1, end: 100 },
  ],
};

describe('karyotype from depth', () => {
  it('tells two X from one, and needs Y for XY', () => {
    expect(karyotypeFromDepth({ xAutosome: 1.02, yAutosome: 0.001 })).toBe('XX');
    expect(karyotypeFromDepth({ xAutosome: 0.49, yAutosome: 0.31 })).toBe('XY');
    // One X and no Y (X0), or half an X's depth between the two: no verdict.
    expect(karyotypeFromDepth({ xAutosome: 0.5, yAutosome: 0.0 })).toBe('unknown');
    expect(karyotypeFromDepth({ xAutosome: 0.74, yAutosome: 0.0 })).toBe('unknown');
    // XXY: two X and a Y.
    expect(karyotypeFromDepth({ xAutosome: 1.0, yAutosome: 0.4 })).toBe('unknown');
    expect(karyotypeFromDepth({ xAutosome: NaN, yAutosome: 0 })).toBe('unknown');
  });

  it('keeps a stated karyotype and warns when the depth contradicts it', () => {
    const agreed = decideKaryotype('XX', { xAutosome: 0.98, yAutosome: 0 });
    expect(agreed).toMatchObject({ karyotype: 'XX', inferred: false, warning: null });
    const contradicted = decideKaryotype('XX', { xAutosome: 0.5, yAutosome: 0.3 });
    expect(contradicted).toMatchObject({ karyotype: 'XX', inferred: false, depthSays: 'XY' });
    expect(contradicted.warning).toMatch(/stated XX, but the depth says XY \(X\/autosomes 0\.50/);
    expect(decideKaryotype('XY', null)).toMatchObject({ karyotype: 'XY', warning: null });
  });

  it('infers when nothing is stated, and says why it could not', () => {
    expect(decideKaryotype(undefined, { xAutosome: 0.5, yAutosome: 0.4 })).toMatchObject({
      karyotype: 'XY',
      inferred: true,
      reason: null,
    });
    expect(decideKaryotype(undefined, { xAutosome: 0.7, yAutosome: 0.05 }).reason).toMatch(
      /ambiguous \(X\/autosomes 0\.70, Y\/autosomes 0\.05\)/,
    );
    expect(decideKaryotype(undefined, null)).toMatchObject({
      karyotype: 'unknown',
      reason: expect.stringMatching(/could not be measured/) as unknown,
    });
  });
});

describe('ploidy', () => {
  it('follows the karyotype outside the PARs and is diploid inside them', () => {
    expect(ploidyAt(SEX, 'XY', 'chr1', 5)).toBe(2);
    expect(ploidyAt(SEX, 'XY', 'chrX', 150)).toBe(2);
    expect(ploidyAt(SEX, 'XX', 'chrX', 150)).toBe(2);
    expect(ploidyAt(SEX, 'XY', 'chrX', 201)).toBe(1);
    expect(ploidyAt(SEX, 'XX', 'chrX', 201)).toBe(2);
    expect(ploidyAt(SEX, 'XY', 'chrY', 101)).toBe(1);
    expect(ploidyAt(SEX, 'XX', 'chrY', 101)).toBe(0);
    // chrY's PAR is counted on chrX only.
    expect(ploidyAt(SEX, 'XY', 'chrY', 50)).toBe(0);
    expect(ploidyAt(SEX, 'unknown', 'chrX', 500)).toBeNull();
    expect(ploidyAt(SEX, 'unknown', 'chrX', 50)).toBe(2);
  });

  it('cuts a sex chromosome into its stretches outside the PARs', () => {
    const two: SexChromosomes = {
      ...SEX,
      par: [
        { chrom: 'chrX', start: 901, end: 1000 },
        { chrom: 'chrX', start: 1, end: 100 },
      ],
    };
    expect(outsidePars(two, 'chrX', 1000)).toEqual([{ chrom: 'chrX', start: 101, end: 900 }]);
    expect(outsidePars(two, 'chrY', 300)).toEqual([{ chrom: 'chrY', start: 1, end: 300 }]);
  });

  it('refuses a PAR off the sex chromosomes, or a sex chromosome not in the reference', () => {
    const sequences = [
      { name: 'chrX', length: 1000 },
      { name: 'chrY', length: 500 },
    ];
    expect(() =>
      ploidyFileLines({ ...SEX, par: [{ chrom: 'chr1', start: 1, end: 5 }] }, sequences),
    ).toThrow(/PAR chr1:1-5 is on neither chrX nor chrY/);
    expect(() => ploidyFileLines(SEX, [{ name: 'chrX', length: 1000 }])).toThrow(
      /the sex chromosome chrY is not in the reference/,
    );
  });
});

describe('bcftools with the ploidy file', () => {
  let dir: string;
  const base = (i: number) => 'ACGT'[(i * 7 + (i >> 3)) % 4]!;
  const seq = (n: number, offset: number) =>
    Array.from({ length: n }, (_, i) => base(i + offset)).join('');
  const chrX = seq(1000, 0);
  const chrY = seq(500, 3);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-ploidy-'));
    await fs.writeFile(path.join(dir, 'ref.fa'), `>chrX\n${chrX}\n>chrY\n${chrY}\n`);
    await execa('samtools', ['faidx', 'ref.fa'], { cwd: dir });
    // 30 reads over chrX:121-180 (PAR) and 30 over chrX:521-580 (outside), each carrying the
    // other base at 150 and at 550: hom-alt in a diploid genome, one allele in a haploid one.
    const alt = (b: string) => ({ A: 'C', C: 'G', G: 'T', T: 'A' })[b]!;
    const read = (name: string, start: number, snv: number) => {
      const bases = chrX.slice(start - 1, start + 59).split('');
      bases[snv - start] = alt(bases[snv - start]!);
      return [
        name,
        '0',
        'chrX',
        start,
        '60',
        '60M',
        '*',
        '0',
        '0',
        bases.join(''),
        'I'.repeat(60),
      ].join('\t');
    };
    const reads: string[] = [];
    for (let i = 0; i < 30; i++) reads.push(read(`par${i}`, 121, 150), read(`non${i}`, 521, 550));
    const header = [
      '@HD\tVN:1.6\tSO:coordinate',
      '@SQ\tSN:chrX\tLN:1000',
      '@SQ\tSN:chrY\tLN:500',
      '@RG\tID:rg\tSM:S1',
    ];
    const sam = [
      ...header,
      ...reads
        .sort((a, b) => Number(a.split('\t')[3]) - Number(b.split('\t')[3]))
        .map((r) => `${r}\tRG:Z:rg`),
    ];
    await fs.writeFile(path.join(dir, 'reads.sam'), `${sam.join('\n')}\n`);
    await execa('samtools', ['view', '-b', '-o', 'reads.bam', 'reads.sam'], { cwd: dir });
    await execa('samtools', ['index', 'reads.bam'], { cwd: dir });
    const lines = ploidyFileLines(SEX, [
      { name: 'chrX', length: 1000 },
      { name: 'chrY', length: 500 },
    ]);
    await fs.writeFile(path.join(dir, 'ploidy.txt'), `${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function genotypes(karyotype: 'XX' | 'XY'): Promise<Record<number, string>> {
    await fs.writeFile(path.join(dir, 'sex.txt'), `S1\t${karyotype}\n`);
    const { stdout } = await execa(
      'sh',
      [
        '-c',
        'bcftools mpileup -f ref.fa -a FORMAT/AD,FORMAT/DP reads.bam 2>/dev/null | ' +
          'bcftools call -m -g 0,10,20 --ploidy-file ploidy.txt -S sex.txt 2>/dev/null | ' +
          "bcftools query -i 'ALT!=\".\"' -f '%POS\\t[%GT]\\n'",
      ],
      { cwd: dir },
    );
    return Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')),
    );
  }

  it('calls XY haploid outside the PAR and diploid inside it; XX diploid everywhere', async () => {
    expect(await genotypes('XY')).toEqual({ 150: '1/1', 550: '1' });
    expect(await genotypes('XX')).toEqual({ 150: '1/1', 550: '1/1' });
  });
});
