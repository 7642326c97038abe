// The seeded random demo genome: its reference and truth calls. Pure; generate.ts does the I/O.
import type { Karyotype } from '../domain/karyotype.ts';
import { ploidyAt } from '../domain/ploidy.ts';
import {
  DEMO_CONTIGS,
  DEMO_SEX_CHROMOSOMES,
  DEMO_SUBMISSIONS,
  UNCOVERED,
  overlaps,
  type Call,
  type Contig,
  type DemoGenome,
  type Interval,
  type Site,
  type VariantKind,
} from './model.ts';
import { createRng, deriveSeed, type Rng } from './prng.ts';

// Re-exported so the tests keep one import for the whole demo genome.
export {
  DEMO_CONTIGS,
  DEMO_REFERENCES,
  DEMO_SEX_CHROMOSOMES,
  DEMO_SUBMISSIONS,
  NATIONAL_PIPELINE_VERSION,
  UNCOVERED,
  demoPolicy,
  genotypeOf,
  inputKinds,
  modeOf,
  overlaps,
  readTypeOf,
  type Allele,
  type Call,
  type Contig,
  type ContigSpec,
  type DemoGenome,
  type DemoInput,
  type DemoPolicy,
  type DemoSampleSpec,
  type DemoSubmissionSpec,
  type HarmonisationMode,
  type Interval,
  type ReadType,
  type SampleTruth,
  type Site,
  type VariantKind,
} from './model.ts';
export {
  reverseComplement,
  simulateLongReads,
  type LongRead,
  type LongReadOptions,
} from './longreads.ts';
export { applyVariants, haplotypeRecords, sampleHaplotypes } from './haplotypes.ts';
export { fastaText, truthVcfText, type FastaRecord } from './formats.ts';

/** Distance kept from contig ends and from the edges of zero-coverage stretches. */
export const END_MARGIN = 1_000;
/** Minimum distance between any two truth sites (across all samples). */
export const MIN_GAP = 100;
export const MAX_INDEL = 8;
/** Shared sites per sample; each shared site has 2..n carriers, (n + 2) / 2 on average. */
const SHARED_CALLS_PER_SAMPLE = 100;
const PRIVATE_SITES_PER_SAMPLE = 20;
const SHARED_SITES_IN_EACH_STRETCH = 6;
const HOM_FRACTION = 0.3;
const INDEL_FRACTION = 0.3;
const BASES = ['A', 'C', 'G', 'T'] as const;

/**
 * The seed the demo reference is drawn from. The pipeline specs pin that reference's MD5s, as a
 * national pipeline pins GRCh38, so it does not follow the cohort's seed: another seed draws
 * other genomes on the same reference.
 */
export const REFERENCE_SEED = 20261126;

export function generateReference(seed: number, specs = DEMO_CONTIGS): Contig[] {
  const rng = createRng(deriveSeed(seed, 'reference'));
  const codes = BASES.map((b) => b.charCodeAt(0));
  return specs.map(({ name, length }) => {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i += 16) {
      const bits = rng.nextU32();
      for (let k = 0; k < 16 && i + k < length; k++) bytes[i + k] = codes[(bits >>> (2 * k)) & 3]!;
    }
    return { name, seq: Buffer.from(bytes).toString('latin1') };
  });
}

interface Placement {
  contig: Contig;
  pos: number;
}

function makeVariant(rng: Rng, seq: string, pos: number, kind: VariantKind): Site | null {
  const anchor = seq[pos - 1]!;
  const others = BASES.filter((b) => b !== anchor);
  const base = { id: '', contig: '', pos, kind, pool: 'shared' as const };
  if (kind === 'snv') return { ...base, ref: anchor, alt: rng.pick(others) };
  const len = rng.int(1, MAX_INDEL);
  if (kind === 'del') {
    const ref = seq.slice(pos - 1, pos + len);
    // Left-aligned only if the last deleted base differs from the anchor; otherwise try elsewhere.
    return ref.at(-1) === anchor ? null : { ...base, ref, alt: anchor };
  }
  let inserted = '';
  for (let i = 0; i < len - 1; i++) inserted += rng.pick(BASES);
  // Same rule for insertions: the last inserted base must differ from the anchor.
  return { ...base, ref: anchor, alt: anchor + inserted + rng.pick(others) };
}

/** Picks a random free position: away from ends, other sites and stretch edges. */
class SitePlacer {
  private readonly placed = new Map<string, number[]>();
  private readonly totalLength: number;

  constructor(
    private readonly rng: Rng,
    private readonly contigs: readonly Contig[],
    /** Sites keep END_MARGIN from these stretches' edges. */
    private readonly stretches: readonly Interval[],
    /** No site lies in these. */
    private readonly forbidden: readonly Interval[],
  ) {
    this.totalLength = contigs.reduce((n, c) => n + c.seq.length, 0);
  }

  private isFree(contig: Contig, pos: number): boolean {
    const last = pos + MAX_INDEL;
    if (pos <= END_MARGIN || last > contig.seq.length - END_MARGIN) return false;
    const nearEdge = (edge: number) =>
      pos - END_MARGIN - MAX_INDEL <= edge && edge <= last + END_MARGIN;
    for (const s of this.stretches) {
      if (s.contig === contig.name && (nearEdge(s.start) || nearEdge(s.end))) return false;
    }
    if (this.forbidden.some((f) => overlaps(f, contig.name, pos, last))) return false;
    const taken = this.placed.get(contig.name) ?? [];
    return taken.every((p) => Math.abs(p - pos) >= MIN_GAP + MAX_INDEL);
  }

  /** Makes something at a free position (optionally inside `within`); `make` may decline one. */
  take<T>(within: Interval | null, make: (p: Placement) => T | null): T {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      let contig: Contig;
      let pos: number;
      if (within) {
        contig = this.contigs.find((c) => c.name === within.contig)!;
        pos = this.rng.int(within.start, within.end);
      } else {
        let offset = this.rng.int(0, this.totalLength - 1);
        contig = this.contigs.find((c) => (offset -= c.seq.length) < 0)!;
        pos = offset + contig.seq.length + 1;
      }
      const made = this.isFree(contig, pos) ? make({ contig, pos }) : null;
      if (made !== null) {
        this.placed.set(contig.name, [...(this.placed.get(contig.name) ?? []), pos]);
        return made;
      }
    }
    throw new Error('demo genome: could not place another variant site; genome too small');
  }
}

const randomKind = (rng: Rng): VariantKind =>
  rng.chance(INDEL_FRACTION) ? rng.pick(['ins', 'del'] as const) : 'snv';

/** Copies of the site's position in a sample of this karyotype (the demo's ploidy rule). */
export const ploidyOf = (karyotype: Karyotype, site: Pick<Site, 'contig' | 'pos'>): 0 | 1 | 2 =>
  ploidyAt(DEMO_SEX_CHROMOSOMES, karyotype, site.contig, site.pos) ?? 0;

/** A haploid carrier has the one allele; a diploid one is het or hom. */
const randomCall = (rng: Rng, site: Site, hom: boolean, ploidy: 1 | 2): Call => ({
  site,
  haplotypes: ploidy === 1 ? [1] : hom ? [1, 1] : rng.chance(0.5) ? [1, 0] : [0, 1],
});

const parIntervals = (): Interval[] =>
  DEMO_SEX_CHROMOSOMES.par.map((r) => ({ contig: r.chrom, start: r.start, end: r.end }));

interface SpecRow {
  sampleId: string;
  zeroCoverage: Interval | null;
  karyotype: Karyotype;
}

/** Samples that can carry a site: reads over it and at least one copy of its position. */
const carriersPossible = (specs: readonly SpecRow[], site: Site) =>
  specs.filter(
    (s) =>
      ploidyOf(s.karyotype, site) > 0 &&
      !(s.zeroCoverage && overlaps(s.zeroCoverage, site.contig, site.pos, site.pos + MAX_INDEL)),
  );

export function buildDemoGenome(seed: number, submissions = DEMO_SUBMISSIONS): DemoGenome {
  const contigs = generateReference(REFERENCE_SEED);
  const rng = createRng(deriveSeed(seed, 'variants'));
  const specs = submissions.flatMap((sub) =>
    sub.samples.map((s) => ({ ...s, region: sub.region, submissionId: sub.submissionId })),
  );
  const stretches = specs.flatMap((s) => (s.zeroCoverage ? [s.zeroCoverage] : []));
  const placer = new SitePlacer(
    rng,
    contigs,
    [...stretches, UNCOVERED, ...parIntervals()],
    [UNCOVERED],
  );
  const calls = new Map<string, Call[]>(specs.map((s) => [s.sampleId, []]));
  const sites: Site[] = [];

  const place = (kind: VariantKind, within: Interval | null, accept: (s: Site) => boolean) => {
    const site = placer.take(within, ({ contig, pos }) => {
      const made = makeVariant(rng, contig.seq, pos, kind);
      const site = made && { ...made, contig: contig.name };
      return site && accept(site) ? site : null;
    });
    sites.push(site);
    return site;
  };

  const addShared = (within: Interval | null): void => {
    // Somewhere two samples can carry it (on chrY: two XY samples with reads there).
    const site = place(randomKind(rng), within, (s) => carriersPossible(specs, s).length >= 2);
    const eligible = carriersPossible(specs, site);
    const carriers = rng.shuffle(eligible).slice(0, rng.int(2, eligible.length));
    for (const c of carriers) {
      const ploidy = ploidyOf(c.karyotype, site) === 1 ? 1 : 2;
      calls.get(c.sampleId)!.push(randomCall(rng, site, rng.chance(HOM_FRACTION), ploidy));
    }
  };

  for (const stretch of stretches) {
    const inner = { ...stretch, start: stretch.start + END_MARGIN, end: stretch.end - END_MARGIN };
    for (let i = 0; i < SHARED_SITES_IN_EACH_STRETCH; i++) addShared(inner);
  }
  const n = specs.length;
  const sharedSites = Math.round((SHARED_CALLS_PER_SAMPLE * n) / ((n + 2) / 2));
  for (let i = 0; i < sharedSites; i++) addShared(null);

  for (const spec of specs) {
    // The first four private sites guarantee every sample has het and hom SNVs and indels, so
    // they go where the sample is diploid.
    const forced: [VariantKind, boolean][] = [
      ['snv', false],
      ['snv', true],
      [rng.pick(['ins', 'del'] as const), false],
      [rng.pick(['ins', 'del'] as const), true],
    ];
    for (let i = 0; i < PRIVATE_SITES_PER_SAMPLE; i++) {
      const [kind, hom] = forced[i] ?? [randomKind(rng), rng.chance(HOM_FRACTION)];
      const minPloidy = i < forced.length ? 2 : 1;
      const site = place(
        kind,
        null,
        (s) =>
          ploidyOf(spec.karyotype, s) >= minPloidy &&
          !(spec.zeroCoverage && overlaps(spec.zeroCoverage, s.contig, s.pos, s.pos + MAX_INDEL)),
      );
      site.pool = 'private';
      const ploidy = ploidyOf(spec.karyotype, site) === 1 ? 1 : 2;
      calls.get(spec.sampleId)!.push(randomCall(rng, site, hom, ploidy));
    }
  }

  const order = new Map(contigs.map((c, i) => [c.name, i]));
  const bySite = (a: Site, b: Site) => order.get(a.contig)! - order.get(b.contig)! || a.pos - b.pos;
  sites.sort(bySite);
  sites.forEach((s, i) => (s.id = `demo${String(i + 1).padStart(4, '0')}`));

  const samples = specs.map((spec) => ({
    sampleId: spec.sampleId,
    region: spec.region,
    submissionId: spec.submissionId,
    input: spec.input,
    zeroCoverage: spec.zeroCoverage,
    karyotype: spec.karyotype,
    statedKaryotype: spec.statedKaryotype ?? null,
    calls: calls.get(spec.sampleId)!.sort((a, b) => bySite(a.site, b.site)),
  }));
  return { seed, contigs, sites, samples };
}
