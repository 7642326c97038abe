/**
 * The reporting floor: no count with 0 < AC < floor reaches a reader, and no hidden stratum can
 * be recovered by subtracting the shown ones from the total (complementary suppression).
 */
import { describe, expect, it } from 'vitest';
import type { Counts, Shown } from '../../src/lookup/answer.ts';
import { effectivePrivacy, suppressPartition, underFloor } from '../../src/lookup/privacy.ts';

const c = (AC: number, AN = 100): Counts => ({ AC, AN, AF: AC / AN, nhomalt: 0 });
const total = (parts: Record<string, Counts>, extra = 0): Counts =>
  c(
    Object.values(parts).reduce((sum, p) => sum + p.AC, extra),
    1000,
  );

/** The hidden strata's alleles, as a reader could work them out: total minus the shown ones. */
function recoverable(whole: Counts, shown: Record<string, Shown>): number {
  return Object.values(shown).reduce((rest, s) => ('AC' in s ? rest - s.AC : rest), whole.AC);
}

describe('suppressPartition', () => {
  it.each([
    { name: 'nothing under the floor', parts: { a: 5, b: 0, c: 12 }, hidden: [] },
    { name: 'one small region and a large one', parts: { a: 3, b: 40 }, hidden: ['a', 'b'] },
    {
      name: 'a small region: the next smallest is hidden too',
      parts: { a: 2, b: 6, c: 50 },
      hidden: ['a', 'b'],
    },
    {
      name: 'two small regions holding enough together',
      parts: { a: 2, b: 3, c: 9 },
      hidden: ['a', 'b'],
    },
    { name: 'zeros are shown: they reveal no one', parts: { a: 0, b: 7, c: 0 }, hidden: [] },
    { name: 'everything small', parts: { a: 3, b: 1, c: 0 }, hidden: ['a', 'b'] },
  ])('$name', ({ parts, hidden }) => {
    const counts = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, c(v)]));
    const whole = total(counts);
    const shown = suppressPartition(whole, counts, 5);
    expect(
      Object.keys(shown)
        .filter((k) => 'suppressed' in shown[k]!)
        .sort(),
    ).toEqual(hidden);
    // Nothing hidden can be had back by subtraction: the hidden part is 0 or at least the floor
    // (or, when the national count is itself under the floor, nothing at all is shown).
    if (!underFloor(whole.AC, 5)) expect(underFloor(recoverable(whole, shown), 5)).toBe(false);
    else expect(Object.values(shown).every((s) => 'suppressed' in s || s.AC === 0)).toBe(true);
    for (const [k, s] of Object.entries(shown)) if ('AC' in s) expect(s).toEqual(counts[k]);
  });

  it('counts what the strata leave out (unknown karyotypes) as hidden', () => {
    // XX 10, XY 20, and 2 alleles in genomes of unknown karyotype: XX - XY - total reveals 2.
    const parts = { XX: c(10), XY: c(20) };
    const shown = suppressPartition(total(parts, 2), parts, 5);
    expect(shown.XX).toEqual({ suppressed: true });
    expect(shown.XY).toEqual(c(20));
    expect(underFloor(recoverable(total(parts, 2), shown), 5)).toBe(false);
  });

  it('holds for every partition of small counts (exhaustive over 3 regions, AC 0..7)', () => {
    for (let a = 0; a < 8; a++)
      for (let b = 0; b < 8; b++)
        for (let d = 0; d < 8; d++) {
          const parts = { a: c(a), b: c(b), d: c(d) };
          const whole = total(parts);
          // A national count under the floor hides the whole variant (lookup/record.ts).
          if (underFloor(whole.AC, 5)) continue;
          const shown = suppressPartition(whole, parts, 5);
          for (const s of Object.values(shown))
            if ('AC' in s) expect(underFloor(s.AC, 5)).toBe(false);
          expect(underFloor(recoverable(whole, shown), 5), `${a} ${b} ${d}`).toBe(false);
        }
  });
});

describe('effectivePrivacy', () => {
  it('takes the higher floor and the stricter policy of the release and the API', () => {
    expect(
      effectivePrivacy(
        { floor: 5, belowFloor: 'flag' },
        { floor: 10, belowFloor: 'flag' },
        'reader',
      ),
    ).toEqual({
      floor: 10,
      belowFloor: 'flag',
      audience: 'reader',
    });
    expect(
      effectivePrivacy(
        { floor: 20, belowFloor: 'hide' },
        { floor: 5, belowFloor: 'flag' },
        'operator',
      ),
    ).toEqual({
      floor: 20,
      belowFloor: 'hide',
      audience: 'operator',
    });
    // A release cut before the floor was recorded: the API's own rule.
    expect(effectivePrivacy(undefined, { floor: 5, belowFloor: 'flag' }, 'reader').floor).toBe(5);
  });
});
