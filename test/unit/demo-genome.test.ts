import { describe, expect, it } from 'vitest';
import {
  DEMO_CONTIGS,
  DEMO_SUBMISSIONS,
  END_MARGIN,
  MIN_GAP,
  applyVariants,
  buildDemoGenome,
  demoPolicy,
  fastaText,
  generateReference,
  genotypeOf,
  haplotypeRecords,
  inputKinds,
  modeOf,
  readTypeOf,
  reverseComplement,
  simulateLongReads,
  truthVcfText,
  type Call,
  type LongRead,
  type Site,
} from '../../src/demo/genome.ts';
import { HIFI, longReadsFastq } from '../../src/demo/longreads.ts';
import { createRng, deriveSeed } from '../../src/demo/prng.ts';

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
    const table = DEMO_SUBMISSIONS.flatMap((s) =>
      s.samples.map((x) => [s.region, x.sampleId, x.input]),
    );
    expect(genome.samples.map((s) => [s.region, s.sampleId, s.input])).toEqual(table);
    expect(table).toHaveLength(11);
    for (const [, id] of table) expect(id!.length).toBeGreaterThanOrEqual(3);
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

describe('sample table and policy', () => {
  it('covers every harmonisation mode and input kind the demo needs', () => {
    const rows = DEMO_SUBMISSIONS.flatMap((sub) =>
      sub.samples.map((s) =>
        [
          s.sampleId,
          sub.region,
          modeOf(demoPolicy(), sub.region),
          inputKinds(s.input).join(','),
          readTypeOf(s.input),
        ].join(' '),
      ),
    );
    const fastq = (id: string, region: string) => `${id} ${region} full fastq-r1,fastq-r2 short`;
    expect(rows).toEqual([
      ...['HOV001', 'HOV002', 'HOV003'].map((id) => fastq(id, 'hovedstaden')),
      ...['RSD001', 'RSD002', 'RSD003'].map((id) => fastq(id, 'syddanmark')),
      'RSD004 syddanmark full fastq long',
      'RSD005 syddanmark full ucram short',
      'MID001 midtjylland partial cram,crai,gvcf,tbi short',
      'MID002 midtjylland partial cram,crai short',
      'NOR001 nordjylland none cram,crai,gvcf,tbi short',
    ]);
    expect(demoPolicy()).toEqual({
      schema: 'harmonise.policy/v1',
      default: 'full',
      regions: { midtjylland: 'partial', nordjylland: 'none' },
    });
  });
});

describe('long reads', () => {
  // A tiny hand-made diploid genome: one 40 kb contig plus a 5 kb one too short for any read;
  // haplotype 2 differs from haplotype 1 at every 100th base, so a read's origin shows.
  const rng = createRng(5);
  const base = Array.from({ length: 40_000 }, () => rng.pick(['A', 'C', 'G', 'T'])).join('');
  const h2 = [...base].map((b, i) => (i % 100 === 50 ? (b === 'A' ? 'C' : 'A') : b)).join('');
  const short = { name: 'short', seq: 'ACGT'.repeat(1_250) };
  const haplotypes = [base, h2].map((seq) => [{ name: 'c', seq }, short]);
  const opts = { ...HIFI, seed: 11, namePrefix: 'TINY' };
  const reads = simulateLongReads(haplotypes, opts);
  const source = (r: LongRead, h = r.haplotype) => {
    const seq = haplotypes[h - 1]![0]!.seq.slice(r.start, r.end);
    return r.reverse ? reverseComplement(seq) : seq;
  };
  const mismatches = (a: string, b: string) => [...a].filter((c, i) => c !== b[i]).length;

  it('is seeded: the same seed gives the same reads, another seed others', () => {
    expect(simulateLongReads(haplotypes, opts)).toEqual(reads);
    expect(simulateLongReads(haplotypes, { ...opts, seed: 12 })[0]).not.toEqual(reads[0]);
  });

  it('draws lengths in 8–15 kb, inside the record, for about 15x in all', () => {
    for (const r of reads) {
      expect(r.seq.length).toBe(r.end - r.start);
      expect(r.seq.length).toBeGreaterThanOrEqual(8_000);
      expect(r.seq.length).toBeLessThanOrEqual(15_000);
      expect(r.start).toBeGreaterThanOrEqual(0);
      expect(r.end).toBeLessThanOrEqual(40_000);
      expect(r.record).toBe('c');
    }
    const lengths = new Set(reads.map((r) => r.seq.length));
    expect(lengths.size).toBeGreaterThan(reads.length / 2);
    const depth = reads.reduce((n, r) => n + r.seq.length, 0) / 40_000;
    expect(depth).toBeGreaterThanOrEqual(15);
    expect(depth).toBeLessThan(16);
    // Clipped at the ends, so the ends keep some depth.
    expect(reads.some((r) => r.start === 0)).toBe(true);
    expect(reads.some((r) => r.end === 40_000)).toBe(true);
  });

  it('has about 0.1% substitutions, each with a low base quality', () => {
    let errors = 0;
    let bases = 0;
    for (const r of reads) {
      const truth = source(r);
      const wrong = [...r.seq].flatMap((c, i) => (c !== truth[i] ? [i] : []));
      const lowQual = [...r.qual].flatMap((q, i) => (q !== 'I' ? [i] : []));
      expect(lowQual).toEqual(wrong);
      expect(r.qual.length).toBe(r.seq.length);
      errors += wrong.length;
      bases += r.seq.length;
    }
    expect(errors / bases).toBeGreaterThan(0.0008);
    expect(errors / bases).toBeLessThan(0.0012);
    const clean = simulateLongReads(haplotypes, { ...opts, errorRate: 0 });
    for (const r of clean) expect(r.seq).toBe(source(r));
  });

  it('takes reads from both haplotypes, half each, and both strands', () => {
    const perHaplotype = [1, 2].map((h) =>
      reads.filter((r) => r.haplotype === h).reduce((n, r) => n + r.seq.length, 0),
    );
    for (const bases of perHaplotype) expect(bases / 40_000).toBeGreaterThanOrEqual(7.5);
    for (const r of reads) {
      // Closer to its own haplotype (errors only) than to the other (1 difference per 100 bp).
      const other = r.haplotype === 1 ? 2 : 1;
      expect(mismatches(r.seq, source(r))).toBeLessThan(mismatches(r.seq, source(r, other)) / 2);
    }
    for (const h of [1, 2]) {
      const strands = new Set(reads.filter((r) => r.haplotype === h).map((r) => r.reverse));
      expect(strands).toEqual(new Set([true, false]));
    }
  });

  it('names reads uniquely, PacBio style, and writes FASTQ', () => {
    const names = reads.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toBe('TINY.h1/1/ccs');
    expect(names.every((n) => /^TINY\.h[12]\/\d+\/ccs$/.test(n))).toBe(true);
    const [a, b] = reads as [LongRead, LongRead];
    expect(longReadsFastq([a, b])).toBe(
      `@${a.name}\n${a.seq}\n+\n${a.qual}\n@${b.name}\n${b.seq}\n+\n${b.qual}\n`,
    );
    expect(reverseComplement('AACGTN')).toBe('NACGTT');
  });
});
