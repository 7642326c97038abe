/**
 * Queried variants are normalised as releases are (trimmed, left-aligned against the
 * reference, biallelic), and bad ones are refused with a message naming what is wrong.
 */
import { describe, expect, it } from 'vitest';
import {
  normalise,
  parseVariantId,
  parseWindow,
  variantIdOf,
  type ReferenceBases,
} from '../../src/lookup/variant-id.ts';

// chr1 from position 1: a CA repeat from 5 to 12.
const SEQUENCE = 'GATTCACACACAGGTTA';
const reference: ReferenceBases = async (chrom, pos, length) =>
  chrom === 'chr1' ? SEQUENCE.slice(pos - 1, pos - 1 + length) : '';

const norm = async (id: string, ref: ReferenceBases | null = reference) =>
  variantIdOf(await normalise(parseVariantId(id), ref));

describe('normalise', () => {
  it.each([
    ['chr1-3-T-C', 'chr1-3-T-C'], // an SNV is as it is
    ['chr1-10-ACA-A', 'chr1-4-TCA-T'], // a CA deleted at the repeat's end is left-aligned
    ['chr1-12-A-ACA', 'chr1-4-T-TCA'], // an insertion, likewise
    ['chr1-5-CACA-CA', 'chr1-4-TCA-T'], // trimmed on the right, then extended and aligned
    ['chr1-3-TTCA-TTGA', 'chr1-5-C-G'], // an MNV-looking SNV is trimmed to its base
    ['chr1-3-tt-at', 'chr1-3-T-A'], // case does not matter
  ])('%s is %s', async (asked, expected) => {
    expect(await norm(asked)).toBe(expected);
  });

  it('checks REF against the reference, naming the bases there', async () => {
    await expect(norm('chr1-3-G-C')).rejects.toThrow(/REF G is not the reference's T at chr1:3/);
  });

  it('trims without a reference, but cannot left-align', async () => {
    expect(await norm('chr1-5-CACA-CA', null)).toBe('chr1-5-CAC-C');
  });
});

describe('parseVariantId', () => {
  it.each([
    ['chr1-5581-A', /write it chrom-pos-ref-alt/],
    ['chr1-5581-A-G,T', /one alternate allele at a time/],
    ['chr1-5581-A-<DEL>', /not symbolic alleles/],
    ['chr1-5581-A-*', /not symbolic alleles/],
    ['chr1-0-A-G', /not a 1-based position/],
    ['chr1-10-A-A', /equals the reference/],
  ])('refuses %s', (id, message) => {
    expect(() => parseVariantId(id)).toThrow(message);
  });
});

describe('parseWindow', () => {
  it('reads chrom:start-end, with thousands separators', () => {
    expect(parseWindow('chr2:1,000-2,000', 10_000)).toEqual({
      chrom: 'chr2',
      start: 1000,
      end: 2000,
    });
  });
  it.each([
    ['chr2:5-1', /start must be at least 1 and at most end/],
    ['chr2:1-20001', /20001 bases; a window holds at most 20000/],
    ['chr2-1-5', /write it chrom:start-end/],
  ])('refuses %s', (text, message) => {
    expect(() => parseWindow(text, 20_000)).toThrow(message);
  });
});
