// The adj rule the demo checks apply to a sample's calls (test/helpers/genomics.ts), on lines of
// `bcftools query -f ADJ_FORMAT` captured from bcftools 1.16 calls of the demo's XX and XY samples.
import { describe, expect, it } from 'vitest';
import { ADJ, adjFailure, adjKeys } from '../helpers/genomics.ts';

const line = (key: string, gt: string, gq: string, dp: string, ad: string) =>
  [key, gt, gq, dp, ad].join('\t');

describe('adj', () => {
  it.each([
    ['hom-alt diploid', ['1/1', '127', '25', '0,25'], null],
    ['het diploid', ['0/1', '127', '29', '16,13'], null],
    ['haploid with 7 reads', ['1', '127', '7', '0,7'], null],
    ['haploid with 4 reads', ['1', '127', '4', '0,4'], 'DP 4 < 5'],
    ['diploid with 7 reads', ['1/1', '127', '7', '0,7'], 'DP 7 < 10'],
    ['low GQ', ['0/1', '19', '30', '15,15'], 'GQ 19 < 20'],
    ['no GQ (a region gVCF without it)', ['0/1', '.', '30', '15,15'], 'GQ . < 20'],
    ['het with 5 of 30 reads alt', ['0/1', '40', '30', '25,5'], 'allele balance 5/30 < 0.2'],
    ['het with 6 of 30 reads alt', ['0/1', '40', '30', '24,6'], null],
    ['phased het', ['1|0', '40', '30', '25,5'], 'allele balance 5/30 < 0.2'],
  ])('judges a %s call', (_, fields, why) => {
    expect(adjFailure(fields, ADJ)).toBe(why);
  });

  it('keeps carried calls that pass, names the others, and skips <*> and reference calls', () => {
    const text = [
      line('chrX:22069:G:A', '1', '127', '16', '0,16'),
      line('chrX:17927:AC:A', '0/1', '127', '29', '16,13'),
      line('chr1:3360:C:T', '0/1', '12', '25', '12,13'),
      line('chr1:3360:C:<*>', '0/1', '12', '25', '12,0'),
      line('chr1:24:A:.', '0/0', '.', '1', '.'),
    ].join('\n');
    const { passed, failed } = adjKeys(text);
    expect([...passed]).toEqual(['chrX:22069:G:A', 'chrX:17927:AC:A']);
    expect([...failed]).toEqual([['chr1:3360:C:T', 'GQ 12 < 20']]);
  });
});
