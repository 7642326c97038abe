/**
 * The header of a release VCF (pure): the reference's contigs and one INFO line per count tag,
 * overall and per region, worded as bcftools +fill-tags words them, so that readers of earlier
 * releases find the same fields with the same meaning.
 */
import { HOM_ALT_TAG } from './reduce.ts';

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

export function releaseVcfHeader(args: {
  reference: string;
  contigs: readonly { name: string; length: number }[];
  regions: readonly string[];
  tags: readonly string[];
}): string {
  const tags = [...args.tags, HOM_ALT_TAG];
  const info = (suffix: string, where: string) =>
    tags.map((tag) => {
      const line = TAG_LINES[tag];
      if (!line) throw new Error(`${tag} is not a count tag a release can carry`);
      return `##INFO=<ID=${tag}${suffix},Number=${line.number},Type=${line.type},Description="${line.description}${where}">`;
    });
  return [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##source=harmonise frequency engine',
    `##reference=file://${args.reference}`,
    ...args.contigs.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    ...info('', ''),
    ...args.regions.flatMap((region) => info(`_${region}`, ` in ${region}`)),
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
    '',
  ].join('\n');
}
