/**
 * Command lines of a frequency aggregation (pure): gVCF merge, variant sites, biallelic split,
 * AC / AN / AF / hom-alt counts overall and per region. Only a gVCF merge gets AN right where a
 * sample has no coverage, so the inputs are gVCFs, never variant-only VCFs. It finishes the
 * releases that started before the additive engine (docs/frequency.md).
 */
import type { JobResources, PipelineSpec } from '../domain/pipeline.ts';
import { FREQUENCY_OUTPUTS } from '../domain/shards.ts';
import { rename, run, tmpName, type ScriptLine } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

export { FREQUENCY_OUTPUTS };

/** INFO tag with the number of hom-alt individuals (`AC_Hom` counts alleles: two per person). */
export const HOM_ALT_TAG = 'nhomalt';

/** Halves every AC_Hom column (5th on) into a hom-alt person count; "." stays missing. */
const HALVE_AC_HOM =
  'BEGIN { FS = OFS = "\\t" } { for (i = 5; i <= NF; i++) if ($i != ".") $i = int($i / 2); print }';

export function aggregateFrequencies(args: {
  pipeline: PipelineSpec;
  reference: string;
  /** A file listing one gVCF path per line. */
  gvcfList: string;
  /** A file of `sampleId<TAB>region` lines: the groups for per-region tags. */
  groups: string;
  /** The regions present in `groups`, in a fixed order. */
  regions: readonly string[];
  /**
   * One genomic shard (`chr1:1-50000000`), or null for the whole genome. The merge reads every
   * gVCF record overlapping the shard (a reference block that starts before it still counts for
   * AN inside it), and only records whose POS lies in the shard are kept, so that a variant
   * spanning a boundary is counted once, in the shard where it starts.
   */
  shard: string | null;
  resources: JobResources;
}): StepCommands {
  const threads = String(args.resources.cpus);
  const tags = args.pipeline.frequency.tags.includes('AC_Hom')
    ? args.pipeline.frequency.tags
    : [...args.pipeline.frequency.tags, 'AC_Hom'];
  const homTags = [HOM_ALT_TAG, ...args.regions.map((r) => `${HOM_ALT_TAG}_${r}`)];
  const acHomColumns = ['AC_Hom', ...args.regions.map((r) => `AC_Hom_${r}`)];
  const header = [
    `##INFO=<ID=${HOM_ALT_TAG},Number=A,Type=Integer,Description="Number of homozygous-alternate individuals">`,
    ...args.regions.map(
      (r) =>
        `##INFO=<ID=${HOM_ALT_TAG}_${r},Number=A,Type=Integer,Description="Number of homozygous-alternate individuals in region ${r}">`,
    ),
  ];
  const tagged = 'tagged.bcf';
  const homAlt = 'nhomalt.tsv.gz';
  const { vcf, tbi } = FREQUENCY_OUTPUTS;
  const lines: ScriptLine[] = [
    run([
      [
        'bcftools',
        'merge',
        '--no-version',
        '--threads',
        threads,
        '-g',
        args.reference,
        // The default `-m both` splits an SNV and an indel at one POS into two rows, each with
        // the other's carriers missing, and leaves 1-bp reference records out of indel rows:
        // AN comes out low there. `-m all` merges every record at a POS into one row.
        '-m',
        'all',
        '-l',
        args.gvcfList,
        ...(args.shard ? ['-r', args.shard] : []),
        '-Ou',
      ],
      ['bcftools', 'view', '--no-version', '--min-ac', '1', '-Ou'],
      ['bcftools', 'norm', '--no-version', '-f', args.reference, '-m', '-any', '-Ou'],
      [
        'bcftools',
        'view',
        '--no-version',
        '--min-ac',
        '1',
        ...(args.shard ? ['-t', args.shard, '--targets-overlap', '0'] : []),
        '-Ou',
      ],
      [
        'bcftools',
        '+fill-tags',
        '--no-version',
        '-Ob',
        '-o',
        tmpName(tagged),
        '--',
        '-S',
        args.groups,
        '-t',
        tags.join(','),
      ],
    ]),
    rename(tmpName(tagged), tagged),
    run([['printf', '%s\\n', ...header]], 'nhomalt.hdr'),
    run(
      [
        [
          'bcftools',
          'query',
          '-f',
          `%CHROM\\t%POS\\t%REF\\t%ALT${acHomColumns.map((c) => `\\t%INFO/${c}`).join('')}\\n`,
          tagged,
        ],
        ['awk', HALVE_AC_HOM],
        ['bgzip', '-c'],
      ],
      tmpName(homAlt),
    ),
    rename(tmpName(homAlt), homAlt),
    run([['tabix', '-f', '-s', '1', '-b', '2', '-e', '2', homAlt]]),
    // A release holds counts only: the genotypes (and sample names) are dropped here.
    run([
      [
        'bcftools',
        'annotate',
        '--no-version',
        '-a',
        homAlt,
        '-h',
        'nhomalt.hdr',
        '-c',
        ['CHROM', 'POS', 'REF', 'ALT', ...homTags.map((t) => `INFO/${t}`)].join(','),
        '-Ou',
        tagged,
      ],
      ['bcftools', 'view', '--no-version', '--drop-genotypes', '-Oz', '-o', tmpName(vcf)],
    ]),
    run([['bcftools', 'index', '-t', '-o', tmpName(tbi), tmpName(vcf)]]),
    rename(tmpName(tbi), tbi),
    rename(tmpName(vcf), vcf),
  ];
  return { tools: ['bcftools', 'htslib'], lines };
}

/** Joins the shards' VCFs, given in genome order, into the release VCF and its index. */
export function gatherFrequencies(args: { shardVcfs: readonly string[] }): StepCommands {
  if (args.shardVcfs.length === 0) throw new Error('a gather needs at least one shard');
  const { vcf, tbi } = FREQUENCY_OUTPUTS;
  return {
    tools: ['bcftools', 'htslib'],
    lines: [
      run([['bcftools', 'concat', '--no-version', '-Oz', '-o', tmpName(vcf), ...args.shardVcfs]]),
      run([['bcftools', 'index', '-t', '-o', tmpName(tbi), tmpName(vcf)]]),
      rename(tmpName(tbi), tbi),
      rename(tmpName(vcf), vcf),
    ],
  };
}
