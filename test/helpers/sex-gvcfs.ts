/**
 * Five hand-made gVCFs on a small reference with an autosome (chr1, 200 bp), a chrX (300 bp, PAR
 * 1-100) and a chrY (200 bp, PAR 1-50), written as bcftools 1.16 `call -m -g … -a FORMAT/GQ`
 * writes them (blocks `GT:DP` with END and MinDP, no GQ; variants `GT:GQ:DP:AD`):
 *
 * - XXA01 (XX, hovedstaden), XXB02 (XX, syddanmark): diploid everywhere; XXA01 also has chrY
 *   records (mis-mapped reads), which must add nothing;
 * - XYA01 (XY, hovedstaden): a region's own gVCF, called diploid everywhere (0/0, 1/1, 0/1 on
 *   non-PAR X and Y);
 * - XYB02 (XY, syddanmark): called with the national ploidy, haploid (`0`, `1`) on non-PAR X and Y;
 * - UNK01 (unknown, hovedstaden): diploid everywhere, as an unknown karyotype is called.
 *
 * Everyone is called over every base (depth 30) except a gap in everyone at chrX:270-280 and a
 * low-depth block (MinDP 3) of XXA01 at chr1:150-170. The sites and their counts are in
 * test/activities/frequency-ploidy.test.ts, worked out by hand from these records.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CountedKaryotype } from '../../src/domain/karyotype.ts';

export const SEX_LENGTHS = { chr1: 200, chrX: 300, chrY: 200 } as const;
type Chrom = keyof typeof SEX_LENGTHS;

/** A variant record: chrom, pos, GT, GQ, DP, AD (the ALT is the next base in ACGT order). */
type Variant = [Chrom, number, string, number, number, string];

interface SexSample {
  region: string;
  karyotype: CountedKaryotype;
  /** The GT of its reference blocks on non-PAR X and Y (chrY left out when absent). */
  haploid: boolean;
  chrY: boolean;
  variants: Variant[];
  /** Blocks of low depth: chrom, start, end, MinDP. */
  lowDepth: [Chrom, number, number, number][];
}

const ok = (gt: string): [string, number, number, string] =>
  gt === '1' ? [gt, 50, 30, '0,30'] : gt === '1/1' ? [gt, 60, 30, '0,30'] : [gt, 60, 30, '15,15'];
const v = (chrom: Chrom, pos: number, gt: string): Variant => [chrom, pos, ...ok(gt)];

export const SEX_SAMPLES: Record<string, SexSample> = {
  XXA01: {
    region: 'hovedstaden',
    karyotype: 'XX',
    haploid: false,
    chrY: true,
    variants: [
      v('chr1', 50, '0/1'),
      v('chr1', 100, '0/1'),
      v('chrX', 40, '1/1'),
      v('chrX', 150, '0/1'),
      v('chrY', 100, '1/1'),
    ],
    lowDepth: [['chr1', 150, 170, 3]],
  },
  XXB02: {
    region: 'syddanmark',
    karyotype: 'XX',
    haploid: false,
    chrY: false,
    // A het of GQ 10 (under 20) at chr1:100.
    variants: [['chr1', 100, '0/1', 10, 30, '15,15'], v('chrX', 200, '0/1')],
    lowDepth: [],
  },
  XYA01: {
    region: 'hovedstaden',
    karyotype: 'XY',
    haploid: false,
    chrY: true,
    variants: [
      v('chr1', 50, '1/1'),
      v('chrX', 150, '1/1'),
      v('chrX', 200, '0/1'),
      v('chrY', 100, '1/1'),
    ],
    lowDepth: [],
  },
  XYB02: {
    region: 'syddanmark',
    karyotype: 'XY',
    haploid: true,
    chrY: true,
    variants: [
      // A het of depth 8 (under 10) at chr1:100; a haploid call of depth 3 (under 5) at chrX:180;
      // a haploid call of depth 8 (at least 5) at chrY:100.
      ['chr1', 100, '0/1', 60, 8, '4,4'],
      v('chrX', 40, '0/1'),
      v('chrX', 150, '1'),
      ['chrX', 180, '1', 40, 3, '0,3'],
      ['chrY', 100, '1', 50, 8, '0,8'],
    ],
    lowDepth: [],
  },
  UNK01: {
    region: 'hovedstaden',
    karyotype: 'unknown',
    haploid: false,
    chrY: true,
    // A het whose alt reads are 1 of 30 (allele balance under 0.2) at chr1:100.
    variants: [
      v('chr1', 50, '0/1'),
      ['chr1', 100, '0/1', 60, 30, '29,1'],
      v('chrX', 150, '1/1'),
      v('chrY', 100, '1/1'),
    ],
    lowDepth: [],
  },
};

export const SEX_PARS = [
  { chrom: 'chrX', start: 1, end: 100 },
  { chrom: 'chrY', start: 1, end: 50 },
];
const GAP = { chrom: 'chrX', start: 270, end: 280 };

/** A fixed sequence per chromosome (an LCG over ACGT). */
export function sequence(seed: number, length: number): string {
  let state = seed;
  let seq = '';
  while (seq.length < length) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    seq += 'ACGT'[(state >>> 16) % 4];
  }
  return seq;
}

const altOf = (base: string) => 'ACGT'[('ACGT'.indexOf(base) + 1) % 4]!;

function rows(sample: SexSample, chrom: Chrom, seq: string): string[] {
  const haploidAt = (pos: number) =>
    sample.haploid &&
    chrom !== 'chr1' &&
    !SEX_PARS.some((p) => p.chrom === chrom && pos >= p.start && pos <= p.end);
  const out: string[] = [];
  const block = (start: number, end: number, depth: number) => {
    // A block never spans a PAR boundary where the sample's GT changes there.
    for (let s = start; s <= end;) {
      let e = s;
      while (e < end && haploidAt(e + 1) === haploidAt(s)) e++;
      const gt = haploidAt(s) ? '0' : '0/0';
      out.push(
        `${chrom}\t${s}\t.\t${seq[s - 1]}\t.\t.\t.\tEND=${e};MinDP=${depth}\tGT:DP\t${gt}:${depth}`,
      );
      s = e + 1;
    }
  };
  const stops: [number, number, string | null][] = [
    ...sample.variants
      .filter((r) => r[0] === chrom)
      .map((r): [number, number, string] => {
        const [, pos, gt, gq, dp, ad] = r;
        const ref = seq[pos - 1]!;
        return [
          pos,
          pos,
          `${chrom}\t${pos}\t.\t${ref}\t${altOf(ref)}\t50\t.\tDP=${dp}\tGT:GQ:DP:AD\t${gt}:${gq}:${dp}:${ad}`,
        ];
      }),
    ...sample.lowDepth
      .filter((r) => r[0] === chrom)
      .map((r): [number, number, string | null] => [r[1], r[2], `low:${r[3]}`]),
    ...(chrom === GAP.chrom ? [[GAP.start, GAP.end, null] as [number, number, null]] : []),
  ].sort((a, b) => a[0] - b[0]);
  let next = 1;
  for (const [start, end, what] of stops) {
    if (start > next) block(next, start - 1, 30);
    if (what?.startsWith('low:')) block(start, end, Number(what.slice(4)));
    else if (what !== null) out.push(what);
    next = end + 1;
  }
  if (next <= SEX_LENGTHS[chrom]) block(next, SEX_LENGTHS[chrom], 30);
  return out;
}

export interface SexCohort {
  reference: string;
  sequences: Record<Chrom, string>;
  samples: { sampleId: string; region: string; gvcf: string; karyotype: CountedKaryotype }[];
}

export async function writeSexCohort(dir: string): Promise<SexCohort> {
  await fs.mkdir(dir, { recursive: true });
  const sequences = {
    chr1: sequence(11, SEX_LENGTHS.chr1),
    chrX: sequence(23, SEX_LENGTHS.chrX),
    chrY: sequence(37, SEX_LENGTHS.chrY),
  };
  const reference = path.join(dir, 'ref.fa');
  await fs.writeFile(
    reference,
    Object.entries(sequences)
      .map(([name, seq]) => `>${name}\n${seq.replace(/(.{60})/g, '$1\n')}\n`)
      .join(''),
  );
  await execa('samtools', ['faidx', reference]);
  const samples: SexCohort['samples'] = [];
  for (const [sampleId, sample] of Object.entries(SEX_SAMPLES)) {
    const chroms = (Object.keys(SEX_LENGTHS) as Chrom[]).filter((c) => c !== 'chrY' || sample.chrY);
    const header = [
      '##fileformat=VCFv4.2',
      '##FILTER=<ID=PASS,Description="All filters passed">',
      ...Object.entries(SEX_LENGTHS).map(([c, l]) => `##contig=<ID=${c},length=${l}>`),
      '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
      '##INFO=<ID=MinDP,Number=1,Type=Integer,Description="Minimum per-sample depth in this gVCF block">',
      '##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw read depth">',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Phred-scaled Genotype Quality">',
      '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Number of high-quality bases">',
      '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths (high-quality bases)">',
      `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${sampleId}`,
    ];
    const body = chroms.flatMap((c) => rows(sample, c, sequences[c]));
    const gvcf = path.join(dir, `${sampleId}.g.vcf.gz`);
    await execa('bgzip', ['-c'], {
      input: `${[...header, ...body].join('\n')}\n`,
      stdout: { file: gvcf },
    });
    await execa('tabix', ['-p', 'vcf', gvcf]);
    samples.push({ sampleId, region: sample.region, gvcf, karyotype: sample.karyotype });
  }
  return { reference, sequences, samples };
}
