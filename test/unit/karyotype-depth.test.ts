/**
 * A sample's depth ratios from `samtools bedcov` over the karyotype regions, on alignments made
 * here with known depths: an XY genome (half the autosomes' depth on non-PAR X, some on Y) and an
 * XX one, each with full depth in the PAR, which must not count.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideKaryotype } from '../../src/domain/karyotype.ts';
import { depthRatiosFromBedcov, karyotypeRegions } from '../../src/domain/karyotype-depth.ts';
import type { SexChromosomes } from '../../src/domain/ploidy.ts';

const SEX: SexChromosomes = {
  x: 'chrX',
  y: 'chrY',
  par: [
    { chrom: 'chrX', start: 1, end: 400 },
    { chrom: 'chrY', start: 1, end: 100 },
  ],
};
const SEQUENCES = [
  { name: 'chr1', length: 2000 },
  { name: 'chrX', length: 1000 },
  { name: 'chrY', length: 600 },
];
const READ = 50;

/** Reads of READ bases tiling chrom:from-to at `depth` (a read starts every READ/depth bases). */
function pile(chrom: string, from: number, to: number, depth: number): string[] {
  if (depth === 0) return [];
  const step = READ / depth;
  const reads: string[] = [];
  for (let pos = from, i = 0; pos + READ - 1 <= to; pos = from + Math.round(++i * step))
    reads.push(
      [`${chrom}-${pos}-${i}`, '0', chrom, pos, '60', `${READ}M`, '*', '0', '0', '*', '*'].join(
        '\t',
      ),
    );
  return reads;
}

describe('karyotype regions and depth ratios', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-karyotype-'));
    await fs.writeFile(
      path.join(dir, 'regions.bed'),
      `${karyotypeRegions(SEX, SEQUENCES).join('\n')}\n`,
    );
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function ratiosOf(name: string, x: number, y: number) {
    const header = [
      '@HD\tVN:1.6\tSO:coordinate',
      ...SEQUENCES.map((s) => `@SQ\tSN:${s.name}\tLN:${s.length}`),
    ];
    const reads = [
      ...pile('chr1', 1, 2000, 30),
      ...pile('chrX', 1, 400, 30),
      ...pile('chrX', 401, 1000, x),
      ...pile('chrY', 101, 600, y),
    ];
    await fs.writeFile(path.join(dir, `${name}.sam`), `${[...header, ...reads].join('\n')}\n`);
    await execa('samtools', ['sort', '-o', `${name}.bam`, `${name}.sam`], { cwd: dir });
    await execa('samtools', ['index', `${name}.bam`], { cwd: dir });
    const { stdout } = await execa(
      'samtools',
      ['bedcov', '-Q', '20', '-j', 'regions.bed', `${name}.bam`],
      { cwd: dir },
    );
    return depthRatiosFromBedcov(stdout);
  }

  it('lists the autosomes whole and the sex chromosomes outside their PARs', () => {
    expect(karyotypeRegions(SEX, SEQUENCES)).toEqual([
      'chr1\t0\t2000\tautosome',
      'chrX\t400\t1000\tx',
      'chrY\t100\t600\ty',
    ]);
  });

  it('tells an XY genome from an XX one by depth alone, whatever the PAR holds', async () => {
    const xy = (await ratiosOf('xy', 15, 10))!;
    expect(xy.xAutosome).toBeGreaterThan(0.4);
    expect(xy.xAutosome).toBeLessThan(0.6);
    expect(decideKaryotype(undefined, xy)).toMatchObject({ karyotype: 'XY', inferred: true });
    const xx = (await ratiosOf('xx', 30, 0))!;
    expect(xx.yAutosome).toBe(0);
    expect(decideKaryotype(undefined, xx)).toMatchObject({ karyotype: 'XX', inferred: true });
    // A stated XX that the depth contradicts stays XX, with the warning.
    expect(decideKaryotype('XX', xy).warning).toMatch(/the depth says XY/);
  });

  it('gives no ratios without autosome depth, and refuses lines it cannot read', () => {
    expect(
      depthRatiosFromBedcov('chr1\t0\t2000\tautosome\t0\nchrX\t400\t1000\tx\t10\n'),
    ).toBeNull();
    expect(() => depthRatiosFromBedcov('chr1\t0\t2000\tother\t5\n')).toThrow(/bedcov line 1/);
    expect(() =>
      karyotypeRegions(SEX, [
        { name: 'chrX', length: 1000 },
        { name: 'chrY', length: 600 },
      ]),
    ).toThrow(/no autosome/);
  });
});
