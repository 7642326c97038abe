// The demo's contig and sample tables and the types of a demo genome, shared by its modules.
import type { Karyotype } from '../domain/karyotype.ts';
import type { SexChromosomes } from '../domain/ploidy.ts';

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

// Appended after chr1–3, which the reference generator draws first: their sequences (and
// pipeline 1's md5s) stay the same.
export const DEMO_CONTIGS: readonly ContigSpec[] = [
  { name: 'chr1', length: 300_000 },
  { name: 'chr2', length: 200_000 },
  { name: 'chr3', length: 100_000 },
  { name: 'chrX', length: 150_000 },
  { name: 'chrY', length: 60_000 },
];

/**
 * The demo's sex chromosomes, as pipeline 2 names them: one PAR at the start of chrX and none on
 * chrY (an XY genome's Y PAR reads are drawn from a copy of chrX's PAR and align there).
 */
export const DEMO_SEX_CHROMOSOMES: SexChromosomes = {
  x: 'chrX',
  y: 'chrY',
  par: [{ chrom: 'chrX', start: 1, end: 20_000 }],
};

/** The national pipeline of the demo: its layout names it, region-made inputs align to it. */
export const NATIONAL_PIPELINE_VERSION = '2';

/** The reference folders the demo builds: reference/<version>, each with these sequences. */
export const DEMO_REFERENCES: readonly { version: string; contigs: readonly string[] }[] = [
  // Pipeline 1 stays loadable: its reference is the autosomes alone.
  { version: '1', contigs: ['chr1', 'chr2', 'chr3'] },
  { version: NATIONAL_PIPELINE_VERSION, contigs: DEMO_CONTIGS.map((c) => c.name) },
];

/** A stretch no demo sample has reads over, and no truth site is in (AN 0, not "absent"). */
export const UNCOVERED: Interval = { contig: 'chr3', start: 60_001, end: 70_000 };

export type HarmonisationMode = 'full' | 'partial' | 'none';
export type ReadType = 'short' | 'long';

/** What a demo sample submits; `kinds` below lists the manifest kinds of each. */
export type DemoInput =
  /** dwgsim 2×150 reads as gzipped R1 and R2 FASTQ. */
  | 'fastq-pair'
  /** PacBio-HiFi-like reads simulated by longreads.ts, one gzipped FASTQ. */
  | 'long-fastq'
  /** The dwgsim pair as an unaligned CRAM (`samtools import`). */
  | 'ucram'
  /** bwa mem + markdup CRAM on the national reference, its index and the region's own gVCF. */
  | 'bwa-cram-gvcf'
  /** A CRAM on the national reference made by `minimap2 -ax sr` (not the approved aligner). */
  | 'minimap2-cram';

const KINDS: Record<DemoInput, readonly string[]> = {
  'fastq-pair': ['fastq-r1', 'fastq-r2'],
  'long-fastq': ['fastq'],
  ucram: ['ucram'],
  'bwa-cram-gvcf': ['cram', 'crai', 'gvcf', 'tbi'],
  'minimap2-cram': ['cram', 'crai'],
};

/** The manifest kinds a sample with this input lists, in manifest order. */
export const inputKinds = (input: DemoInput): string[] => [...KINDS[input]];
export const readTypeOf = (input: DemoInput): ReadType =>
  input === 'long-fastq' ? 'long' : 'short';

export interface DemoSampleSpec {
  sampleId: string;
  input: DemoInput;
  /** A stretch with no reads for this sample (at most one per sample). */
  zeroCoverage: Interval | null;
  /** What the sample's reads are: its true karyotype. */
  karyotype: Karyotype;
  /** What its manifest states, if anything (it may contradict the truth). */
  statedKaryotype?: Karyotype;
}

export interface DemoSubmissionSpec {
  region: string;
  submissionId: string;
  pipeline: { name: string; version: string };
  samples: readonly DemoSampleSpec[];
}

type Sex = Pick<DemoSampleSpec, 'karyotype' | 'statedKaryotype'>;
/** Stated in the manifest; the truth is the same unless given. */
const stated = (karyotype: Karyotype, truth: Karyotype = karyotype): Sex => ({
  karyotype: truth,
  statedKaryotype: karyotype,
});
/** Not stated: harmonise must infer it from the depth. */
const unstated = (truth: Karyotype): Sex => ({ karyotype: truth });

const sample = (
  sampleId: string,
  input: DemoInput,
  sex: Sex,
  zeroCoverage: Interval | null = null,
): DemoSampleSpec => ({ sampleId, input, zeroCoverage, ...sex });

/** The demo's regions and samples. Add rows here to grow the demo. */
export const DEMO_SUBMISSIONS: readonly DemoSubmissionSpec[] = [
  {
    region: 'hovedstaden',
    submissionId: 'HOV-2026-0001',
    pipeline: { name: 'hovedstaden-germline', version: '2.4.1' },
    samples: [
      sample('HOV001', 'fastq-pair', stated('XX')),
      sample('HOV002', 'fastq-pair', stated('XY'), {
        contig: 'chr2',
        start: 100_001,
        end: 120_000,
      }),
      sample('HOV003', 'fastq-pair', unstated('XX')),
    ],
  },
  {
    region: 'syddanmark',
    submissionId: 'RSD-2026-0001',
    pipeline: { name: 'rsd-germline', version: '3.1.0' },
    samples: [
      sample('RSD001', 'fastq-pair', unstated('XY')),
      // The manifest says XY, the reads are XX: kept as stated, with a warning.
      sample('RSD002', 'fastq-pair', stated('XY', 'XX')),
      sample('RSD003', 'fastq-pair', stated('XY')),
      sample('RSD004', 'long-fastq', stated('XX')),
      sample('RSD005', 'ucram', unstated('XY')),
    ],
  },
  {
    region: 'midtjylland',
    submissionId: 'MID-2026-0001',
    pipeline: { name: 'midt-germline', version: '1.4.0' },
    samples: [
      sample('MID001', 'bwa-cram-gvcf', stated('XY')),
      sample('MID002', 'minimap2-cram', unstated('XX')),
    ],
  },
  {
    region: 'nordjylland',
    submissionId: 'NOR-2026-0001',
    pipeline: { name: 'rn-germline', version: '2.0.0' },
    samples: [sample('NOR001', 'bwa-cram-gvcf', stated('XY'))],
  },
];

/** NGC's policy for the demo (harmonise's policy.json); regions not listed get `default`. */
export interface DemoPolicy {
  schema: 'harmonise.policy/v1';
  default: 'full';
  regions: Record<string, HarmonisationMode>;
}

export const demoPolicy = (): DemoPolicy => ({
  schema: 'harmonise.policy/v1',
  default: 'full',
  regions: { midtjylland: 'partial', nordjylland: 'none' },
});

export const modeOf = (policy: DemoPolicy, region: string): HarmonisationMode =>
  policy.regions[region] ?? policy.default;

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

/**
 * One sample's alleles at a site, per haplotype: two where the sample is diploid, one where it is
 * haploid (an XY sample outside the PAR on chrX, and on chrY). At least one is 1.
 */
export interface Call {
  site: Site;
  haplotypes: readonly [Allele] | readonly [Allele, Allele];
}

export interface SampleTruth {
  sampleId: string;
  region: string;
  submissionId: string;
  input: DemoInput;
  zeroCoverage: Interval | null;
  karyotype: Karyotype;
  statedKaryotype: Karyotype | null;
  /** Sorted by contig (reference order), then position. */
  calls: Call[];
}

export interface DemoGenome {
  seed: number;
  contigs: Contig[];
  sites: Site[];
  samples: SampleTruth[];
}

/** The truth VCF's GT: `1` where the sample is haploid. */
export const genotypeOf = (call: Call): '1' | '0/1' | '1/1' => {
  const [a, b] = call.haplotypes;
  if (b === undefined) return '1';
  return a + b === 2 ? '1/1' : '0/1';
};

export const overlaps = (iv: Interval, contig: string, start: number, end: number): boolean =>
  iv.contig === contig && start <= iv.end && end >= iv.start;
