/**
 * The text of a single-sample gVCF as bcftools 1.16 writes it for `mpileup -a FORMAT/AD,FORMAT/DP
 * | call -m -g 0,10,20`: the same header lines in the same order, reference blocks with ALT `.`
 * and `END=..;MinDP=..` (no END for one base), FORMAT `GT:DP`, and variant records with QUAL,
 * mpileup's INFO annotations and FORMAT `GT:PL:DP:AD`.
 */
import type { Rng } from '../../src/demo/prng.ts';

/**
 * The INFO and FORMAT header lines after the contigs and ALT, in bcftools' order: mpileup's, then
 * the gVCF block tags, then call's. Each is [kind, ID, Number, Type, Description, extra].
 */
const META_LINES: readonly (readonly [
  'INFO' | 'FORMAT',
  string,
  string,
  string,
  string,
  string?,
])[] = [
  ['INFO', 'INDEL', '0', 'Flag', 'Indicates that the variant is an INDEL.'],
  ['INFO', 'IDV', '1', 'Integer', 'Maximum number of raw reads supporting an indel'],
  ['INFO', 'IMF', '1', 'Float', 'Maximum fraction of raw reads supporting an indel'],
  ['INFO', 'DP', '1', 'Integer', 'Raw read depth'],
  [
    'INFO',
    'VDB',
    '1',
    'Float',
    'Variant Distance Bias for filtering splice-site artefacts in RNA-seq data (bigger is better)',
    ',Version="3"',
  ],
  [
    'INFO',
    'RPBZ',
    '1',
    'Float',
    'Mann-Whitney U-z test of Read Position Bias (closer to 0 is better)',
  ],
  [
    'INFO',
    'MQBZ',
    '1',
    'Float',
    'Mann-Whitney U-z test of Mapping Quality Bias (closer to 0 is better)',
  ],
  [
    'INFO',
    'BQBZ',
    '1',
    'Float',
    'Mann-Whitney U-z test of Base Quality Bias (closer to 0 is better)',
  ],
  [
    'INFO',
    'MQSBZ',
    '1',
    'Float',
    'Mann-Whitney U-z test of Mapping Quality vs Strand Bias (closer to 0 is better)',
  ],
  [
    'INFO',
    'NMBZ',
    '1',
    'Float',
    'Mann-Whitney U-z test of Number of Mismatches within supporting reads (closer to 0 is better)',
  ],
  [
    'INFO',
    'SCBZ',
    '1',
    'Float',
    'Mann-Whitney U-z test of Soft-Clip Length Bias (closer to 0 is better)',
  ],
  [
    'INFO',
    'FS',
    '1',
    'Float',
    "Phred-scaled p-value using Fisher's exact test to detect strand bias",
  ],
  ['INFO', 'SGB', '1', 'Float', 'Segregation based metric.'],
  ['INFO', 'MQ0F', '1', 'Float', 'Fraction of MQ0 reads (smaller is better)'],
  ['FORMAT', 'PL', 'G', 'Integer', 'List of Phred-scaled genotype likelihoods'],
  ['FORMAT', 'DP', '1', 'Integer', 'Number of high-quality bases'],
  ['FORMAT', 'AD', 'R', 'Integer', 'Allelic depths (high-quality bases)'],
  ['INFO', 'END', '1', 'Integer', 'End position of the variant described in this record'],
  ['INFO', 'MinDP', '1', 'Integer', 'Minimum per-sample depth in this gVCF block'],
  ['FORMAT', 'GT', '1', 'String', 'Genotype'],
  [
    'INFO',
    'AC',
    'A',
    'Integer',
    'Allele count in genotypes for each ALT allele, in the same order as listed',
  ],
  ['INFO', 'AN', '1', 'Integer', 'Total number of alleles in called genotypes'],
  [
    'INFO',
    'DP4',
    '4',
    'Integer',
    'Number of high-quality ref-forward , ref-reverse, alt-forward and alt-reverse bases',
  ],
  ['INFO', 'MQ', '1', 'Integer', 'Average mapping quality'],
];

export function headerText(
  contigs: readonly { name: string; length: number }[],
  fasta: string,
  sampleId: string,
): string {
  return [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    `##reference=file://${fasta}`,
    ...contigs.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    '##ALT=<ID=*,Description="Represents allele(s) other than observed.">',
    ...META_LINES.map(
      ([kind, id, number, type, description, extra = '']) =>
        `##${kind}=<ID=${id},Number=${number},Type=${type},Description="${description}"${extra}>`,
    ),
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${sampleId}`,
    '',
  ].join('\n');
}

/** A reference block (`dp` > 0) or a no-call block (`dp` 0); one base is written without END. */
export function blockLine(chrom: string, start: number, end: number, base: string, dp: number) {
  const info = start === end ? `MinDP=${dp}` : `END=${end};MinDP=${dp}`;
  return `${chrom}\t${start}\t.\t${base}\t.\t.\t.\t${info}\tGT:DP\t${dp > 0 ? '0/0' : './.'}:${dp}\n`;
}

/** One variant record of one sample: its REF, its ALT alleles and its genotype (sorted). */
export interface CalledRecord {
  ref: string;
  alts: string[];
  gt: [number, number];
  indel: boolean;
}

/** bcftools prints floats with six significant digits (`%g`). */
const g = (x: number) => String(Number(x.toPrecision(6)));

export function variantLine(
  rng: Rng,
  chrom: string,
  pos: number,
  call: CalledRecord,
  depth: number,
) {
  const [a, b] = call.gt;
  const het = a === 0;
  const n = call.alts.length;
  // Depth per allele: half the reads per haplotype, give or take.
  const ad = new Array<number>(n + 1).fill(0);
  const half = Math.max(1, Math.round(depth / 2));
  ad[a] = ad[a]! + Math.max(1, half + rng.int(-3, 3));
  ad[b] = ad[b]! + Math.max(1, depth - half + rng.int(-3, 3));
  if (!het && rng.chance(0.1)) ad[0] = 1;
  const dp = ad.reduce((s, x) => s + x, 0);
  const altReads = dp - ad[0]!;
  const ac = call.alts.map((_, i) => (a === i + 1 ? 1 : 0) + (b === i + 1 ? 1 : 0));
  const pl: number[] = [];
  for (let y = 0; y <= n; y++) {
    for (let x = 0; x <= y; x++) {
      if (x === a && y === b) pl.push(0);
      else if (x === 0 && y === 0) pl.push(het ? rng.int(60, 255) : 255);
      else pl.push(het ? rng.int(100, 255) : rng.int(20, 90));
    }
  }
  const split = (reads: number) => {
    const forward = rng.int(0, reads);
    return [forward, reads - forward];
  };
  const dp4 = [...split(ad[0]!), ...split(altReads)].join(',');
  const qual = !het && rng.chance(0.6) ? 225.417 : 20 + rng.next() * 205;
  const info: string[] = [];
  if (call.indel)
    info.push('INDEL', `IDV=${altReads}`, `IMF=${g(altReads / (dp + rng.int(0, 3)))}`);
  info.push(
    `DP=${dp + rng.int(0, 4)}`,
    `VDB=${g(rng.next())}`,
    `SGB=${g(-0.45 - rng.next() * 0.25)}`,
  );
  const z = () => g((rng.next() - 0.5) * 4);
  if (het || call.indel) info.push(`RPBZ=${z()}`, 'MQBZ=0');
  info.push('MQSBZ=0');
  if (het || call.indel) info.push(`BQBZ=${z()}`);
  if (het) info.push(`NMBZ=${z()}`, `SCBZ=${call.indel ? z() : '0'}`);
  else if (call.indel) info.push(`SCBZ=${z()}`);
  info.push('FS=0', 'MQ0F=0', `AC=${ac.join(',')}`, 'AN=2', `DP4=${dp4}`, 'MQ=60');
  return `${chrom}\t${pos}\t.\t${call.ref}\t${call.alts.join(',')}\t${g(qual)}\t.\t${info.join(';')}\tGT:PL:DP:AD\t${a}/${b}:${pl.join(',')}:${dp}:${ad.join(',')}\n`;
}
