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

export const overlaps = (iv: Interval, contig: string, start: number, end: number): boolean =>
  iv.contig === contig && start <= iv.end && end >= iv.start;
