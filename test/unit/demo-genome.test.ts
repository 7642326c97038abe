import { describe, expect, it } from 'vitest';
import {
  DEMO_CONTIGS,
  DEMO_SUBMISSIONS,
  END_MARGIN,
  MIN_GAP,
  applyVariants,
  buildDemoGenome,
  fastaText,
  generateReference,
  genotypeOf,
  haplotypeRecords,
  truthVcfText,
  type Call,
  type Site,
} from '../../infra/demo/genome.ts';
import { createRng, deriveSeed } from '../../infra/demo/prng.ts';

const SEED = 20261126;
const genome = buildDemoGenome(SEED);
const stretch = { contig: 'chr2', start: 100_001, end: 120_000 };
const inStretch = (s: Site) =>
  s.contig === 'chr2' && s.pos >= stretch.start && s.pos <= stretch.end;
const sample = (id: string) => genome.samples.find((s) => s.sampleId === id)!;

describe('prng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => Array.from({ length: 8 }, createRng(seed).nextU32);
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps int() within bounds and reaches both ends', () => {
    const rng = createRng(7);
    const seen = new Set(Array.from({ length: 2000 }, () => rng.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(() => rng.int(5, 4)).toThrow();
  });

  it('derives stable, positive 31-bit seeds that depend on every label', () => {
    const a = deriveSeed(SEED, 'dwgsim', 'HOV001', 1);
    expect(a).toBe(deriveSeed(SEED, 'dwgsim', 'HOV001', 1));
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(2 ** 31);
    expect(deriveSeed(SEED, 'dwgsim', 'HOV001', 2)).not.toBe(a);
    expect(deriveSeed(SEED + 1, 'dwgsim', 'HOV001', 1)).not.toBe(a);
  });
});

describe('reference', () => {
  it('has the three contigs of uppercase ACGT with the specified lengths', () => {
    expect(genome.contigs.map((c) => [c.name, c.seq.length])).toEqual(
      DEMO_CONTIGS.map((c) => [c.name, c.length]),
    );
    for (const c of genome.contigs) {
      expect(c.seq).toMatch(/^[ACGT]+$/);
      const gc = (c.seq.match(/[GC]/g) ?? []).length / c.seq.length;
      expect(gc).toBeGreaterThan(0.48);
      expect(gc).toBeLessThan(0.52);
    }
  });

  it('is the same for the same seed and differs for another', () => {
    expect(generateReference(SEED)).toEqual(genome.contigs);
    expect(generateReference(SEED + 1)[0]!.seq).not.toBe(genome.contigs[0]!.seq);
  });
});

describe('truth variants', () => {
  it('are the same for the same seed', () => {
    expect(buildDemoGenome(SEED)).toEqual(genome);
    expect(buildDemoGenome(SEED + 1).sites).not.toEqual(genome.sites);
  });

  it.each([SEED, 1, 99])('keep their distance from ends and each other (seed %i)', (seed) => {
    const g = seed === SEED ? genome : buildDemoGenome(seed);
    for (const contig of g.contigs) {
      const sites = g.sites.filter((s) => s.contig === contig.name);
      for (const [i, s] of sites.entries()) {
        expect(s.pos).toBeGreaterThan(END_MARGIN);
        expect(s.pos + s.ref.length - 1).toBeLessThanOrEqual(contig.seq.length - END_MARGIN);
        const prev = sites[i - 1];
        if (prev) expect(s.pos - (prev.pos + prev.ref.length - 1)).toBeGreaterThanOrEqual(MIN_GAP);
      }
    }
  });

  it('take REF from the reference and are already left-aligned', () => {
    const seqs = new Map(genome.contigs.map((c) => [c.name, c.seq]));
    for (const s of genome.sites) {
      expect(seqs.get(s.contig)!.slice(s.pos - 1, s.pos - 1 + s.ref.length)).toBe(s.ref);
      expect(s.alt).not.toBe(s.ref);
      if (s.kind !== 'snv') {
        expect(s.ref[0]).toBe(s.alt[0]);
        expect(s.ref.at(-1)).not.toBe(s.alt.at(-1));
        expect(Math.abs(s.ref.length - s.alt.length)).toBeGreaterThanOrEqual(1);
        expect(Math.abs(s.ref.length - s.alt.length)).toBeLessThanOrEqual(8);
      }
    }
  });

  it.each(genome.samples.map((s) => s.sampleId))(
    '%s has ~120 variants, het and hom, SNVs and indels',
    (id) => {
      const calls = sample(id).calls;
      expect(calls.length).toBeGreaterThan(90);
      expect(calls.length).toBeLessThan(150);
      const gts = new Set(calls.map(genotypeOf));
      expect(gts).toEqual(new Set(['0/1', '1/1']));
      const kinds = new Set(calls.map((c) => c.site.kind));
      expect(kinds.has('snv')).toBe(true);
      expect(kinds.has('ins') || kinds.has('del')).toBe(true);
      const indels = calls.filter((c) => c.site.kind !== 'snv');
      expect(new Set(indels.map(genotypeOf))).toEqual(new Set(['0/1', '1/1']));
    },
  );

  it('has shared sites at varying frequency and private sites with one carrier', () => {
    const carriers = new Map<string, number>();
    for (const s of genome.samples) {
      for (const c of s.calls) carriers.set(c.site.id, (carriers.get(c.site.id) ?? 0) + 1);
    }
    const shared = genome.sites.filter((s) => s.pool === 'shared');
    const priv = genome.sites.filter((s) => s.pool === 'private');
    expect(shared.length).toBeGreaterThan(50);
    expect(priv.length).toBeGreaterThan(50);
    for (const s of priv) expect(carriers.get(s.id)).toBe(1);
    for (const s of shared) expect(carriers.get(s.id)).toBeGreaterThanOrEqual(2);
    expect(new Set(shared.map((s) => carriers.get(s.id))).size).toBeGreaterThanOrEqual(4);
  });

  it('leaves HOV002 without variants in its zero-coverage stretch, while others carry some', () => {
    expect(sample('HOV002').zeroCoverage).toEqual(stretch);
    expect(sample('HOV002').calls.filter((c) => inStretch(c.site))).toEqual([]);
    const sharedInside = genome.sites.filter((s) => s.pool === 'shared' && inStretch(s));
    expect(sharedInside.length).toBeGreaterThanOrEqual(5);
    for (const other of genome.samples.filter((s) => s.sampleId !== 'HOV002')) {
      expect(other.calls.some((c) => inStretch(c.site))).toBe(true);
    }
  });

  it('follows the sample table', () => {
    const table = DEMO_SUBMISSIONS.flatMap((s) => s.samples.map((x) => [s.region, x.sampleId]));
    expect(genome.samples.map((s) => [s.region, s.sampleId])).toEqual(table);
    expect(table).toHaveLength(6);
  });

  it('writes a truth VCF with one row per call and the sample column', () => {
    const text = truthVcfText(genome, sample('RSD001'));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('##fileformat=VCFv4.2');
    expect(lines).toContain('##contig=<ID=chr2,length=200000>');
    expect(
      lines
        .find((l) => l.startsWith('#CHROM'))!
        .split('\t')
        .at(-1),
    ).toBe('RSD001');
    expect(lines.filter((l) => !l.startsWith('#'))).toHaveLength(sample('RSD001').calls.length);
  });
});

describe('haplotypes', () => {
  //            1234567890123456
  const seq = 'ACGTACGTACGTACGT';
  const site = (pos: number, ref: string, alt: string): Site => ({
    id: `s${pos}`,
    contig: 'c',
    pos,
    ref,
    alt,
    kind: ref.length === alt.length ? 'snv' : ref.length > alt.length ? 'del' : 'ins',
    pool: 'private',
  });
  const snv = site(2, 'C', 'T');
  const del = site(6, 'CGT', 'C');
  const ins = site(12, 'T', 'TGG');

  it('applies SNVs, deletions and insertions', () => {
    expect(applyVariants(seq, [snv, del, ins])).toBe('ATGTAC' + 'ACGTGG' + 'ACGT');
    expect(applyVariants(seq, [])).toBe(seq);
    expect(applyVariants(seq.slice(4), [del], 5)).toBe('AC' + 'ACGTACGT');
  });

  it('rejects a REF mismatch and overlapping variants', () => {
    expect(() => applyVariants(seq, [site(2, 'G', 'T')])).toThrow(/REF mismatch/);
    expect(() => applyVariants(seq, [del, site(7, 'G', 'A')])).toThrow(/overlaps/);
  });

  it('puts het alleles on one haplotype and hom-alt on both', () => {
    const calls: Call[] = [
      { site: snv, haplotypes: [1, 1] },
      { site: del, haplotypes: [0, 1] },
      { site: ins, haplotypes: [1, 0] },
    ];
    const contigs = [{ name: 'c', seq }];
    expect(haplotypeRecords(contigs, calls, 0, null)).toEqual([
      { name: 'c', seq: 'ATGTACGTACGTGGACGT' },
    ]);
    expect(haplotypeRecords(contigs, calls, 1, null)).toEqual([
      { name: 'c', seq: 'ATGTACACGTACGT' },
    ]);
  });

  it('cuts the zero-coverage stretch out as two records', () => {
    const calls: Call[] = [
      { site: snv, haplotypes: [1, 1] },
      { site: ins, haplotypes: [1, 1] },
    ];
    const gap = { contig: 'c', start: 5, end: 9 };
    expect(haplotypeRecords([{ name: 'c', seq }], calls, 0, gap)).toEqual([
      { name: 'c-left', seq: 'ATGT' },
      { name: 'c-right', seq: 'CGTGGACGT' },
    ]);
    const inside = [{ site: site(7, 'G', 'A'), haplotypes: [0, 1] as const }];
    expect(() => haplotypeRecords([{ name: 'c', seq }], inside, 1, gap)).toThrow(/zero-coverage/);
  });

  it('gives HOV002 haplotypes without the stretch and others whole contigs', () => {
    const h2 = sample('HOV002');
    const records = haplotypeRecords(genome.contigs, h2.calls, 0, h2.zeroCoverage);
    expect(records.map((r) => r.name)).toEqual(['chr1', 'chr2-left', 'chr2-right', 'chr3']);
    expect(records[1]!.seq.length).toBeGreaterThan(99_900);
    expect(records[1]!.seq.length).toBeLessThan(100_100);
  });

  it('wraps FASTA at 60 columns', () => {
    const text = fastaText([{ name: 'x', seq: 'A'.repeat(130) }]);
    expect(text.split('\n').map((l) => l.length)).toEqual([2, 60, 60, 10, 0]);
  });
});
