import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ploidyAt } from '../../src/domain/ploidy.ts';
import {
  DEMO_CONTIGS,
  DEMO_REFERENCES,
  DEMO_SEX_CHROMOSOMES,
  DEMO_SUBMISSIONS,
  END_MARGIN,
  NATIONAL_PIPELINE_VERSION,
  UNCOVERED,
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
  ploidyOf,
  readTypeOf,
  reverseComplement,
  sampleHaplotypes,
  simulateLongReads,
  truthVcfText,
  type Call,
  type LongRead,
  type Site,
} from '../../src/demo/genome.ts';
import { HIFI, longReadsFastq } from '../../src/demo/longreads.ts';
import { createRng, deriveSeed } from '../../src/demo/prng.ts';
import { expectedSequences } from '../../src/demo/reference.ts';

interface PipelineFile {
  version: string;
  reference: { sequences: { name: string; length: number; md5: string }[] };
  sexChromosomes?: unknown;
}
const pipelineFile = (version: string) =>
  JSON.parse(readFileSync(`pipelines/${version}.json`, 'utf8')) as PipelineFile;

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
  it('has the five contigs of uppercase ACGT with the specified lengths', () => {
    expect(DEMO_CONTIGS.map((c) => c.name)).toEqual(['chr1', 'chr2', 'chr3', 'chrX', 'chrY']);
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

  it('keeps chr1–3 as pipeline 1 lists them, and gives pipeline 2 all five', () => {
    const byVersion = (v: string) =>
      expectedSequences(
        genome.contigs.filter((c) =>
          DEMO_REFERENCES.find((r) => r.version === v)!.contigs.includes(c.name),
        ),
      );
    expect(byVersion('1')).toEqual(pipelineFile('1').reference.sequences);
    expect(byVersion('2')).toEqual(pipelineFile('2').reference.sequences);
    expect(byVersion('2').slice(0, 3)).toEqual(byVersion('1'));
    expect(NATIONAL_PIPELINE_VERSION).toBe('2');
    expect(pipelineFile(NATIONAL_PIPELINE_VERSION).version).toBe(NATIONAL_PIPELINE_VERSION);
  });

  it('has the sex chromosomes of pipeline 2', () => {
    expect(DEMO_SEX_CHROMOSOMES).toEqual(pipelineFile('2').sexChromosomes);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(generateReference(SEED)).toEqual(genome.contigs);
    expect(generateReference(SEED + 1)[0]!.seq).not.toBe(genome.contigs[0]!.seq);
  });

  it('is the one the pipelines pin whatever the cohort seed', () => {
    const other = buildDemoGenome(1);
    expect(other.contigs).toEqual(genome.contigs);
    expect(expectedSequences(other.contigs)).toEqual(pipelineFile('2').reference.sequences);
    expect(other.sites).not.toEqual(genome.sites);
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
      expect(gts.has('0/1') && gts.has('1/1')).toBe(true);
      expect(gts.has('1')).toBe(sample(id).karyotype === 'XY');
      const kinds = new Set(calls.map((c) => c.site.kind));
      expect(kinds.has('snv')).toBe(true);
      expect(kinds.has('ins') || kinds.has('del')).toBe(true);
      const indels = calls.filter((c) => c.site.kind !== 'snv').map(genotypeOf);
      expect(indels).toContain('0/1');
      expect(indels).toContain('1/1');
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

  it('follows the ploidy rule on chrX and chrY', () => {
    const par = DEMO_SEX_CHROMOSOMES.par[0]!;
    const onX = (c: Call) => c.site.contig === 'chrX';
    const inPar = (c: Call) => onX(c) && c.site.pos >= par.start && c.site.pos <= par.end;
    for (const s of genome.samples) {
      for (const c of s.calls) {
        const copies = ploidyAt(DEMO_SEX_CHROMOSOMES, s.karyotype, c.site.contig, c.site.pos);
        expect(c.haplotypes.length, `${s.sampleId} ${c.site.id}`).toBe(copies);
        // The whole variant lies on one side of the PAR's end.
        const last = c.site.pos + c.site.ref.length - 1;
        expect(ploidyOf(s.karyotype, { contig: c.site.contig, pos: last })).toBe(copies);
      }
      const onY = s.calls.filter((c) => c.site.contig === 'chrY');
      if (s.karyotype === 'XX') expect(onY).toEqual([]);
      else {
        expect(onY.length).toBeGreaterThan(0);
        expect(s.calls.filter((c) => onX(c) && !inPar(c)).length).toBeGreaterThan(0);
      }
    }
    // Across the demo: PAR sites, carried as two copies by XY samples too.
    const xyPar = genome.samples.flatMap((s) =>
      s.karyotype === 'XY' ? s.calls.filter(inPar) : [],
    );
    expect(xyPar.length).toBeGreaterThan(0);
    expect(xyPar.map(genotypeOf)).toContain('0/1');
    for (const c of xyPar) expect(c.haplotypes).toHaveLength(2);
  });

  it('has no site in the uncovered stretch, which is clear of the contig ends', () => {
    const contig = genome.contigs.find((c) => c.name === UNCOVERED.contig)!;
    expect(UNCOVERED.start).toBeGreaterThan(END_MARGIN);
    expect(UNCOVERED.end).toBeLessThanOrEqual(contig.seq.length - END_MARGIN);
    const near = genome.sites.filter(
      (s) =>
        s.contig === UNCOVERED.contig &&
        s.pos + s.ref.length - 1 >= UNCOVERED.start - END_MARGIN &&
        s.pos <= UNCOVERED.end + END_MARGIN,
    );
    expect(near).toEqual([]);
    expect(genome.sites.some((s) => s.contig === UNCOVERED.contig)).toBe(true);
  });

  it('gives each sample a truth karyotype and states some, one wrongly', () => {
    const rows = genome.samples.map(
      (s) => `${s.sampleId} ${s.karyotype} ${s.statedKaryotype ?? '-'}`,
    );
    expect(rows).toEqual([
      'HOV001 XX XX',
      'HOV002 XY XY',
      'HOV003 XX -',
      'RSD001 XY -',
      'RSD002 XX XY',
      'RSD003 XY XY',
      'RSD004 XX XX',
      'RSD005 XY -',
      'MID001 XY XY',
      'MID002 XX -',
      'NOR001 XY XY',
    ]);
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
    const rows = lines.filter((l) => !l.startsWith('#')).map((l) => l.split('\t'));
    expect(rows).toHaveLength(sample('RSD001').calls.length);
    // RSD001 is XY: haploid outside the PAR on chrX and on chrY, diploid elsewhere.
    for (const row of rows) {
      const copies = ploidyOf('XY', { contig: row[0]!, pos: Number(row[1]) });
      expect(row.at(-1)).toMatch(copies === 1 ? /^1$/ : /^(0\/1|1\/1)$/);
    }
    expect(rows.some((r) => r[0] === 'chrY')).toBe(true);
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
    expect(haplotypeRecords(contigs, calls, 0, [])).toEqual([
      { name: 'c', seq: 'ATGTACGTACGTGGACGT' },
    ]);
    expect(haplotypeRecords(contigs, calls, 1, [])).toEqual([{ name: 'c', seq: 'ATGTACACGTACGT' }]);
  });

  it('cuts stretches with no reads out, leaving the pieces between them', () => {
    const calls: Call[] = [
      { site: snv, haplotypes: [1, 1] },
      { site: ins, haplotypes: [1, 1] },
    ];
    const gap = { contig: 'c', start: 5, end: 9 };
    expect(haplotypeRecords([{ name: 'c', seq }], calls, 0, [gap])).toEqual([
      { name: 'c-1', seq: 'ATGT' },
      { name: 'c-2', seq: 'CGTGGACGT' },
    ]);
    const two = [{ contig: 'c', start: 14, end: 16 }, gap];
    expect(haplotypeRecords([{ name: 'c', seq }], calls, 0, two)).toEqual([
      { name: 'c-1', seq: 'ATGT' },
      { name: 'c-2', seq: 'CGTGGA' },
    ]);
    const inside = [{ site: site(7, 'G', 'A'), haplotypes: [0, 1] as const }];
    expect(() => haplotypeRecords([{ name: 'c', seq }], inside, 1, [gap])).toThrow(/no reads/);
  });

  it('gives HOV002 haplotypes without its stretch, and every sample none of UNCOVERED', () => {
    const [records] = sampleHaplotypes(genome.contigs, sample('HOV002'));
    expect(records.map((r) => r.name)).toEqual([
      ...['chr1', 'chr2-1', 'chr2-2', 'chr3-1', 'chr3-2', 'chrX', 'chrY'],
    ]);
    expect(records[1]!.seq.length).toBeGreaterThan(99_900);
    expect(records[1]!.seq.length).toBeLessThan(100_100);
    // chr3 after UNCOVERED, give or take HOV002's indels there.
    expect(Math.abs(records[4]!.seq.length - (100_000 - UNCOVERED.end))).toBeLessThan(100);
    expect(records[3]!.seq.length - (UNCOVERED.start - 1)).toBeLessThan(100);
  });

  it('gives XX two chrX and no chrY, XY one chrX, one chrY and a second copy of the PAR', () => {
    const lengths = (id: string) =>
      sampleHaplotypes(genome.contigs, sample(id)).map((h) =>
        Object.fromEntries(h.map((r) => [r.name, r.seq.length])),
      );
    const [xx1, xx2] = lengths('HOV001');
    for (const h of [xx1!, xx2!]) {
      expect(Object.keys(h)).toEqual(['chr1', 'chr2', 'chr3-1', 'chr3-2', 'chrX']);
    }
    const [xy1, xy2] = lengths('MID001');
    expect(Object.keys(xy1!)).toEqual(['chr1', 'chr2', 'chr3-1', 'chr3-2', 'chrX', 'chrY']);
    expect(Object.keys(xy2!)).toEqual(['chr1', 'chr2', 'chr3-1', 'chr3-2', 'chrY_PAR-1']);
    const par = DEMO_SEX_CHROMOSOMES.par[0]!;
    expect(xy2!['chrY_PAR-1']).toBe(par.end - par.start + 1);
    // The PAR copy carries the second haplotype's PAR alleles.
    const [, second] = sampleHaplotypes(genome.contigs, sample('MID001'));
    const chrX = genome.contigs.find((c) => c.name === 'chrX')!;
    const parCalls = sample('MID001').calls.filter(
      (c) => c.site.contig === 'chrX' && c.site.pos <= par.end && c.haplotypes[1] === 1,
    );
    expect(second.at(-1)!.seq).toBe(
      applyVariants(
        chrX.seq.slice(0, par.end),
        parCalls.map((c) => c.site),
      ),
    );
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

  it('draws lengths in 8–15 kb, inside the record, for about 20x in all', () => {
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
    expect(depth).toBeGreaterThanOrEqual(20);
    expect(depth).toBeLessThan(21);
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
