// The demo's contig and sample tables and the types of a demo genome, shared by its modules.

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
}

export interface DemoSubmissionSpec {
  region: string;
  submissionId: string;
  pipeline: { name: string; version: string };
  samples: readonly DemoSampleSpec[];
}

const fastq = (sampleId: string, zeroCoverage: Interval | null = null): DemoSampleSpec => ({
  sampleId,
  input: 'fastq-pair',
  zeroCoverage,
});

/** The demo's regions and samples. Add rows here to grow the demo. */
export const DEMO_SUBMISSIONS: readonly DemoSubmissionSpec[] = [
  {
    region: 'hovedstaden',
    submissionId: 'HOV-2026-0001',
    pipeline: { name: 'hovedstaden-germline', version: '2.4.1' },
    samples: [
      fastq('HOV001'),
      fastq('HOV002', { contig: 'chr2', start: 100_001, end: 120_000 }),
      fastq('HOV003'),
    ],
  },
  {
    region: 'syddanmark',
    submissionId: 'RSD-2026-0001',
    pipeline: { name: 'rsd-germline', version: '3.1.0' },
    samples: [
      fastq('RSD001'),
      fastq('RSD002'),
      fastq('RSD003'),
      { sampleId: 'RSD004', input: 'long-fastq', zeroCoverage: null },
      { sampleId: 'RSD005', input: 'ucram', zeroCoverage: null },
    ],
  },
  {
    region: 'midtjylland',
    submissionId: 'MID-2026-0001',
    pipeline: { name: 'midt-germline', version: '1.4.0' },
    samples: [
      { sampleId: 'MID001', input: 'bwa-cram-gvcf', zeroCoverage: null },
      { sampleId: 'MID002', input: 'minimap2-cram', zeroCoverage: null },
    ],
  },
  {
    region: 'nordjylland',
    submissionId: 'NOR-2026-0001',
    pipeline: { name: 'rn-germline', version: '2.0.0' },
    samples: [{ sampleId: 'NOR001', input: 'bwa-cram-gvcf', zeroCoverage: null }],
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

/** One sample's alleles at a site, per haplotype. At least one is 1. */
export interface Call {
  site: Site;
  haplotypes: readonly [Allele, Allele];
}

export interface SampleTruth {
  sampleId: string;
  region: string;
  submissionId: string;
  input: DemoInput;
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

export const overlaps = (iv: Interval, contig: string, start: number, end: number): boolean =>
  iv.contig === contig && start <= iv.end && end >= iv.start;
