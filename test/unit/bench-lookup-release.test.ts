/**
 * The lookup benchmark's synthetic release (bench/lookup-*.ts): records normalised as the
 * lookup normalises queries, counts that add up as the engine's do, AF printed as C's %g, a
 * track that covers every base and agrees with the records, and checks that catch a wrong answer.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { formatG, infoWriter, PIPELINE_2_LAYOUT } from '../../bench/lookup-info.ts';
import { GROUPS, LOOKUP_REGIONS, SEQUENCES } from '../../bench/lookup-model.ts';
import { basesAt, makeSequence } from '../../bench/lookup-reference.ts';
import { recordsPerSequence } from '../../bench/lookup-release.ts';
import { sequenceLines, type TrackStats } from '../../bench/lookup-sequence.ts';
import { drawAlleles, ploidyOf, recordCounts, type SiteTruth } from '../../bench/lookup-sites.ts';
import { wrongReaderAnswer, type Query } from '../../bench/lookup-queries.ts';
import { createRng } from '../../src/demo/prng.ts';
import { releaseFields } from '../../src/frequency/strata.ts';
import { normalise } from '../../src/lookup/variant-id.ts';

const CHR_Y = SEQUENCES.findIndex((s) => s.name === 'chrY');
const CHR_X = SEQUENCES.findIndex((s) => s.name === 'chrX');

function infoMap(info: string): Map<string, string> {
  return new Map(info.split(';').map((kv) => kv.split('=') as [string, string]));
}

describe('the lookup benchmark release', () => {
  it('prints AF as printf %g does', async () => {
    const values = [1 / 3, 1 / 12, 1 / 120_000, 1e-5, 0.5, 1, 1e-4, 0.000099999999, 2 / 7e6];
    const { stdout } = await execa('/usr/bin/printf', [
      values.map(() => '%g').join('\\n'),
      ...values.map(String),
    ]);
    expect(values.map(formatG)).toEqual(stdout.split('\n'));
  });

  it('draws alleles the lookup finds as they are written: REF on the reference, normalised', async () => {
    const sequence = makeSequence(1, CHR_Y);
    const alleles = drawAlleles(createRng(7), sequence, 3_000);
    expect(alleles).toHaveLength(3_000);
    const reference = (chrom: string, pos: number, length: number) =>
      Promise.resolve(basesAt(sequence, pos, length));
    for (const allele of alleles) {
      const asked = { chrom: 'chrY', ...allele };
      await expect(normalise(asked, reference)).resolves.toEqual(asked);
    }
    const keys = alleles.map((a) => `${a.pos}-${a.ref}-${a.alt}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(alleles.some((a) => a.ref.length !== a.alt.length)).toBe(true);
    expect(alleles.filter((a, i) => i > 0 && alleles[i - 1]!.pos === a.pos).length).toBe(90);
  });

  it('gives each group counts that add up, on autosomes and outside the PAR', () => {
    const rng = createRng(3);
    for (const [chrom, pos] of [
      ['chr1', 500_000],
      ['chrX', 1_000_000],
    ] as const) {
      const ploidy = ploidyOf(chrom, pos);
      for (let i = 0; i < 500; i++) {
        const an = Int32Array.from(GROUPS, (g, j) => ploidy[j]! * rng.int(0, g.samples));
        const c = recordCounts(rng, ploidy, an);
        GROUPS.forEach((g, j) => {
          const p = ploidy[j]!;
          expect(c.ac[j]).toBeLessThanOrEqual(an[j]!);
          expect(c.hom[j]! + c.het[j]! + c.hemi[j]!).toBe(c.ac[j]);
          expect(c.hom[j]).toBe(2 * c.nhom[j]!);
          expect(c.ns[j]).toBe(p > 0 ? an[j]! / p : 0);
          if (p === 2) expect(c.het[j]! + c.nhom[j]!).toBeLessThanOrEqual(c.ns[j]!);
          expect(c.anRaw[j]).toBeGreaterThanOrEqual(an[j]!);
          expect(c.anRaw[j]).toBeLessThanOrEqual(p * g.samples);
          expect(c.acRaw[j]).toBeGreaterThanOrEqual(c.ac[j]!);
          expect(c.acRaw[j]).toBeLessThanOrEqual(c.anRaw[j]!);
        });
      }
    }
  });

  it("writes the engine's fields in the engine's order, regions summing to the nation", () => {
    const write = infoWriter(PIPELINE_2_LAYOUT, LOOKUP_REGIONS);
    const ploidy = ploidyOf('chrX', 1_000_000);
    const an = Int32Array.from(GROUPS, (g, j) => ploidy[j]! * g.samples);
    const rng = createRng(11);
    for (let i = 0; i < 200; i++) {
      const info = infoMap(write(recordCounts(rng, ploidy, an)));
      expect([...info.keys()]).toEqual(
        releaseFields(PIPELINE_2_LAYOUT, LOOKUP_REGIONS).map((f) => f.id),
      );
      const n = (key: string) => Number(info.get(key));
      for (const tag of ['AC', 'AN', 'AC_Hom', 'AC_Het', 'NS', 'nhomalt', 'AC_raw', 'AC_hemi'])
        expect(LOOKUP_REGIONS.reduce((s, r) => s + n(`${tag}_${r}`), 0)).toBe(n(tag));
      expect(n('AC_Hom') + n('AC_Het') + n('AC_hemi')).toBe(n('AC'));
      // Outside the PAR the unknown karyotype is counted in no stratum, and not at all.
      expect(n('AN_XX') + n('AN_XY')).toBe(n('AN'));
    }
  });

  it('covers every base with runs the records agree with', () => {
    const sequence = makeSequence(1, CHR_X);
    const stats: TrackStats = { bases: 0, wellCovered: 0 };
    const info = infoWriter(PIPELINE_2_LAYOUT, LOOKUP_REGIONS);
    const runs: number[][] = [];
    const records: SiteTruth[] = [];
    for (const item of sequenceLines(1, sequence, 400, info, stats)) {
      if (item.kind === 'track') runs.push(item.line.split('\t').slice(1).map(Number));
      else records.push(item.truth);
    }
    expect(runs[0]![0]).toBe(1);
    expect(runs.at(-1)![1]).toBe(sequence.seq.length);
    runs.forEach((run, i) => {
      if (i > 0) expect(run[0]).toBe(runs[i - 1]![1]! + 1);
      if (i > 0) expect(run.slice(2)).not.toEqual(runs[i - 1]!.slice(2));
      expect(run.slice(3).reduce((s, v) => s + v, 0)).toBe(run[2]);
    });
    // AN 0 over the leading N; a run ends at the PAR's last base.
    expect(runs[0]!.slice(2).every((v) => v === 0)).toBe(true);
    expect(runs.some((r) => r[1] === 150_000)).toBe(true);
    expect(stats.bases).toBe(sequence.seq.length);
    expect(records).toHaveLength(400);
    for (const record of records) {
      const run = runs.find((r) => r[0]! <= record.pos && record.pos <= r[1]!)!;
      expect(record.AN).toBe(run[2]);
      expect(record.AN).toBeGreaterThan(0);
    }
  });

  it('shares the records out over the sequences exactly', () => {
    const sequences = SEQUENCES.map((_, i) => makeSequence(2, i));
    const counts = recordsPerSequence(sequences, 100_003);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(100_003);
    expect(counts[CHR_Y]!).toBeLessThan(counts[0]! / 10);
  });
});

describe("the lookup benchmark's checks", () => {
  const site: SiteTruth = { chrom: 'chr1', pos: 100, ref: 'A', alt: 'G', AC: 12, AN: 1000 };
  const query: Query = { kind: 'variant', path: '/x', site };
  const answer = (overall: unknown, belowFloor = false) =>
    JSON.stringify({ found: true, belowFloor, overall });

  it('accepts the right counts and refuses wrong ones', () => {
    expect(wrongReaderAnswer(query, 200, answer({ AC: 12, AN: 1000 }))).toBeNull();
    expect(wrongReaderAnswer(query, 200, answer({ AC: 11, AN: 1000 }))).toMatch(/AC 12/);
    expect(wrongReaderAnswer(query, 429, '{}')).toMatch(/429/);
    const rare: Query = { ...query, site: { ...site, AC: 3 } };
    expect(wrongReaderAnswer(rare, 200, answer({ suppressed: true }, true))).toBeNull();
    expect(wrongReaderAnswer(rare, 200, answer({ AC: 3, AN: 1000 }, false))).toMatch(/belowFloor/);
  });

  it('expects a window to give its first page and say whether there is more', () => {
    const window: Query = {
      kind: 'window',
      path: '/w',
      chrom: 'chr1',
      start: 1,
      end: 9,
      records: 120,
    };
    const page = (n: number, next: string | null) =>
      JSON.stringify({ variants: Array.from({ length: n }, () => ({})), nextPageToken: next });
    expect(wrongReaderAnswer(window, 200, page(100, 'abc'))).toBeNull();
    expect(wrongReaderAnswer(window, 200, page(100, null))).toMatch(/holds 120/);
  });
});
