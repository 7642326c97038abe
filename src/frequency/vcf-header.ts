/**
 * The header of a release VCF (pure): the reference's contigs and one INFO line per field
 * (strata.ts), worded as bcftools +fill-tags words its tags, so that readers of earlier releases
 * find the same fields with the same meaning.
 */
import { HOM_ALT_TAG, releaseFields, type Field, type FieldLayout } from './strata.ts';

const TAG_LINES: Record<string, { number: string; type: string; description: string }> = {
  AC: { number: 'A', type: 'Integer', description: 'Allele count in genotypes' },
  AN: { number: '1', type: 'Integer', description: 'Total number of alleles in called genotypes' },
  AF: { number: 'A', type: 'Float', description: 'Allele frequency' },
  AC_Hom: { number: 'A', type: 'Integer', description: 'Allele counts in homozygous genotypes' },
  AC_Het: { number: 'A', type: 'Integer', description: 'Allele counts in heterozygous genotypes' },
  NS: { number: '1', type: 'Integer', description: 'Number of samples with data' },
  [HOM_ALT_TAG]: {
    number: 'A',
    type: 'Integer',
    description: 'Number of homozygous-alternate individuals',
  },
};

/** What a stratum adds to its tag's description. */
const STRATA: Record<Field['stratum'], string> = {
  '': '',
  raw: ', over every called genotype (raw, before the quality rule)',
  XX: ' of XX samples',
  XY: ' of XY samples',
  hemi: ' in hemizygous (haploid) genotypes',
};

export function releaseVcfHeader(args: {
  reference: string;
  contigs: readonly { name: string; length: number }[];
  regions: readonly string[];
  layout: FieldLayout;
}): string {
  const info = releaseFields(args.layout, args.regions).map((field) => {
    const line = TAG_LINES[field.tag];
    if (!line) throw new Error(`${field.tag} is not a count tag a release can carry`);
    const where = field.region === null ? '' : ` in ${args.regions[field.region]}`;
    const number = field.stratum === 'hemi' ? 'A' : line.number;
    return `##INFO=<ID=${field.id},Number=${number},Type=${line.type},Description="${line.description}${STRATA[field.stratum]}${where}">`;
  });
  return [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##source=harmonise frequency engine',
    `##reference=file://${args.reference}`,
    ...args.contigs.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    ...info,
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
    '',
  ].join('\n');
}
