// The pure part of the demo data: a seeded random reference, truth variants for each sample and
// the haplotype sequences the reads are simulated from. No I/O here; generate.ts does that.
import { createRng, deriveSeed, type Rng } from './prng.ts';

/** 1-based, inclusive. */
export interface Interval {
  contig: string;
  start: number;
  end: number;
}

export interface ContigSpec {
  name: string;
  length: number;
}

export const DEMO_CONTIGS: readonly ContigSpec[] = [
  { name: 'chr1', length: 300_000 },
  { name: 'chr2', length: 200_000 },
  { name: 'chr3', length: 100_000 },
];

export interface DemoSampleSpec {
  sampleId: string;
  /** A stretch with no reads for this sample (at most one per sample). */
  zeroCoverage: Interval | null;
}

export interface DemoSubmissionSpec {
  region: string;
  submissionId: string;
  pipeline: { name: string; version: string };
  samples: readonly DemoSampleSpec[];
}

/** The demo's regions and samples. Add rows here to grow the demo. */
export const DEMO_SUBMISSIONS: readonly DemoSubmissionSpec[] = [
  {
    region: 'hovedstaden',
    submissionId: 'HOV-2026-0001',
    pipeline: { name: 'hovedstaden-germline', version: '2.4.1' },
    samples: [
      { sampleId: 'HOV001', zeroCoverage: null },
      { sampleId: 'HOV002', zeroCoverage: { contig: 'chr2', start: 100_001, end: 120_000 } },
      { sampleId: 'HOV003', zeroCoverage: null },
    ],
  },
  {
    region: 'syddanmark',
    submissionId: 'RSD-2026-0001',
    pipeline: { name: 'rsd-germline', version: '3.1.0' },
    samples: [
      { sampleId: 'RSD001', zeroCoverage: null },
      { sampleId: 'RSD002', zeroCoverage: null },
      { sampleId: 'RSD003', zeroCoverage: null },
    ],
  },
];

/** Distance kept from contig ends and from the edges of zero-coverage stretches. */
export const END_MARGIN = 1_000;
/** Minimum distance between any two truth sites (across all samples). */
export const MIN_GAP = 100;
export const MAX_INDEL = 8;
const SHARED_SITES_PER_SAMPLE = 25; // each shared site has 2..n carriers, so ~n*25*4/n per sample
const PRIVATE_SITES_PER_SAMPLE = 20;
const SHARED_SITES_IN_EACH_STRETCH = 6;
const HOM_FRACTION = 0.3;
const INDEL_FRACTION = 0.3;
const BASES = ['A', 'C', 'G', 'T'] as const;

export interface Contig {
  name: string;
  seq: string;
}

export type VariantKind = 'snv' | 'ins' | 'del';
export type Allele = 0 | 1;

/** A truth site in VCF form: REF taken from the reference, indels anchored on the base before. */
export interface Site {
  id: string;
  contig: string;
  pos: number;
  ref: string;
  alt: string;
  kind: VariantKind;
  pool: 'shared' | 'private';
}

/** One sample's alleles at a site, per haplotype. At least one is 1. */
export interface Call {
  site: Site;
  haplotypes: readonly [Allele, Allele];
}

export interface SampleTruth {
  sampleId: string;
  region: string;
  submissionId: string;
  zeroCoverage: Interval | null;
  /** Sorted by contig (reference order), then position. */
  calls: Call[];
}

export interface DemoGenome {
  seed: number;
  contigs: Contig[];
  sites: Site[];
  samples: SampleTruth[];
}

export const genotypeOf = (call: Call): '0/1' | '1/1' =>
  call.haplotypes[0] + call.haplotypes[1] === 2 ? '1/1' : '0/1';

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

export const overlaps = (iv: Interval, contig: string, start: number, end: number): boolean =>
  iv.contig === contig && start <= iv.end && end >= iv.start;

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
    private readonly stretches: readonly Interval[],
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

const randomCall = (rng: Rng, site: Site, hom: boolean): Call => ({
  site,
  haplotypes: hom ? [1, 1] : rng.chance(0.5) ? [1, 0] : [0, 1],
});

export function buildDemoGenome(seed: number, submissions = DEMO_SUBMISSIONS): DemoGenome {
  const contigs = generateReference(seed);
  const rng = createRng(deriveSeed(seed, 'variants'));
  const specs = submissions.flatMap((sub) =>
    sub.samples.map((s) => ({ ...s, region: sub.region, submissionId: sub.submissionId })),
  );
  const stretches = specs.flatMap((s) => (s.zeroCoverage ? [s.zeroCoverage] : []));
  const placer = new SitePlacer(rng, contigs, stretches);
  const calls = new Map<string, Call[]>(specs.map((s) => [s.sampleId, []]));
  const sites: Site[] = [];

  const place = (kind: VariantKind, within: Interval | null, avoid: Interval | null): Site => {
    const site = placer.take(within, ({ contig, pos }) => {
      if (avoid && overlaps(avoid, contig.name, pos, pos + MAX_INDEL)) return null;
      const made = makeVariant(rng, contig.seq, pos, kind);
      return made && { ...made, contig: contig.name };
    });
    sites.push(site);
    return site;
  };

  const addShared = (within: Interval | null): void => {
    const site = place(randomKind(rng), within, null);
    // A sample with no reads over the site cannot carry it in its truth.
    const eligible = specs.filter(
      (s) =>
        !(s.zeroCoverage && overlaps(s.zeroCoverage, site.contig, site.pos, site.pos + MAX_INDEL)),
    );
    if (eligible.length < 2) throw new Error('demo genome: a shared site needs two samples');
    const carriers = rng.shuffle(eligible).slice(0, rng.int(2, eligible.length));
    for (const c of carriers)
      calls.get(c.sampleId)!.push(randomCall(rng, site, rng.chance(HOM_FRACTION)));
  };

  for (const stretch of stretches) {
    const inner = { ...stretch, start: stretch.start + END_MARGIN, end: stretch.end - END_MARGIN };
    for (let i = 0; i < SHARED_SITES_IN_EACH_STRETCH; i++) addShared(inner);
  }
  for (let i = 0; i < SHARED_SITES_PER_SAMPLE * specs.length; i++) addShared(null);

  for (const spec of specs) {
    // The first four private sites guarantee every sample has het and hom SNVs and indels.
    const forced: [VariantKind, boolean][] = [
      ['snv', false],
      ['snv', true],
      [rng.pick(['ins', 'del'] as const), false],
      [rng.pick(['ins', 'del'] as const), true],
    ];
    for (let i = 0; i < PRIVATE_SITES_PER_SAMPLE; i++) {
      const [kind, hom] = forced[i] ?? [randomKind(rng), rng.chance(HOM_FRACTION)];
      const site = place(kind, null, spec.zeroCoverage);
      site.pool = 'private';
      calls.get(spec.sampleId)!.push(randomCall(rng, site, hom));
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
    zeroCoverage: spec.zeroCoverage,
    calls: calls.get(spec.sampleId)!.sort((a, b) => bySite(a.site, b.site)),
  }));
  return { seed, contigs, sites, samples };
}

/**
 * Applies VCF-style variants to a sequence whose first base is at 1-based `offset`. Variants must
 * be sorted, non-overlapping and inside the sequence; REF must match.
 */
export function applyVariants(
  seq: string,
  variants: readonly Pick<Site, 'pos' | 'ref' | 'alt'>[],
  offset = 1,
): string {
  const parts: string[] = [];
  let cursor = 0; // 0-based index into seq of the first base not yet copied
  for (const v of variants) {
    const at = v.pos - offset;
    if (at < cursor || at + v.ref.length > seq.length) {
      throw new Error(`variant at ${v.pos} overlaps another or lies outside the sequence`);
    }
    if (seq.slice(at, at + v.ref.length) !== v.ref) throw new Error(`REF mismatch at ${v.pos}`);
    parts.push(seq.slice(cursor, at), v.alt);
    cursor = at + v.ref.length;
  }
  parts.push(seq.slice(cursor));
  return parts.join('');
}

export interface FastaRecord {
  name: string;
  seq: string;
}

/**
 * One haplotype (0 or 1) of a sample as FASTA records. A contig with the sample's zero-coverage
 * stretch is written as two records, before and after it, so no read can come from the stretch.
 */
export function haplotypeRecords(
  contigs: readonly Contig[],
  calls: readonly Call[],
  haplotype: 0 | 1,
  zeroCoverage: Interval | null,
): FastaRecord[] {
  return contigs.flatMap(({ name, seq }) => {
    const variants = calls.filter((c) => c.site.contig === name && c.haplotypes[haplotype] === 1);
    const gap = zeroCoverage?.contig === name ? zeroCoverage : null;
    if (!gap)
      return [
        {
          name,
          seq: applyVariants(
            seq,
            variants.map((c) => c.site),
          ),
        },
      ];
    const pieces = [
      { name: `${name}-left`, start: 1, end: gap.start - 1 },
      { name: `${name}-right`, start: gap.end + 1, end: seq.length },
    ].filter((p) => p.end >= p.start);
    for (const c of variants) {
      if (overlaps(gap, name, c.site.pos, c.site.pos + c.site.ref.length - 1)) {
        throw new Error(`variant ${c.site.id} lies in the zero-coverage stretch`);
      }
    }
    return pieces.map((p) => ({
      name: p.name,
      seq: applyVariants(
        seq.slice(p.start - 1, p.end),
        variants.map((c) => c.site).filter((s) => s.pos >= p.start && s.pos <= p.end),
        p.start,
      ),
    }));
  });
}

export function fastaText(records: readonly FastaRecord[], width = 60): string {
  const lines: string[] = [];
  for (const { name, seq } of records) {
    lines.push(`>${name}`);
    for (let i = 0; i < seq.length; i += width) lines.push(seq.slice(i, i + width));
  }
  return lines.join('\n') + '\n';
}

/** The sample's truth as an uncompressed VCFv4.2 (to be normalised, bgzipped and indexed). */
export function truthVcfText(genome: DemoGenome, sample: SampleTruth): string {
  const header = [
    '##fileformat=VCFv4.2',
    `##source=harmonise-demo seed=${genome.seed}`,
    ...genome.contigs.map((c) => `##contig=<ID=${c.name},length=${c.seq.length}>`),
    '##INFO=<ID=POOL,Number=1,Type=String,Description="shared: several demo samples; private: one">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', sample.sampleId].join(
      '\t',
    ),
  ];
  const rows = sample.calls.map((call) => {
    const { contig, pos, id, ref, alt, pool } = call.site;
    return [contig, pos, id, ref, alt, '.', 'PASS', `POOL=${pool}`, 'GT', genotypeOf(call)].join(
      '\t',
    );
  });
  return [...header, ...rows].join('\n') + '\n';
}
