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

interface AggregateArgs {
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
}

const TAGGED = 'tagged.bcf';
const HOM_ALT_COUNTS = 'nhomalt.tsv.gz';
const HOM_ALT_HEADER = 'nhomalt.hdr';

export function aggregateFrequencies(args: AggregateArgs): StepCommands {
  const { vcf, tbi } = FREQUENCY_OUTPUTS;
  const lines: ScriptLine[] = [
    mergeAndTag(args),
    rename(tmpName(TAGGED), TAGGED),
    ...countHomAlt(args.regions),
    // A release holds counts only: the genotypes (and sample names) are dropped here.
    run([
      [
        'bcftools',
        'annotate',
        '--no-version',
        '-a',
        HOM_ALT_COUNTS,
        '-h',
        HOM_ALT_HEADER,
        '-c',
        ['CHROM', 'POS', 'REF', 'ALT', ...homAltTags(args.regions).map((t) => `INFO/${t}`)].join(
          ',',
        ),
        '-Ou',
        TAGGED,
      ],
      ['bcftools', 'view', '--no-version', '--drop-genotypes', '-Oz', '-o', tmpName(vcf)],
    ]),
    run([['bcftools', 'index', '-t', '-o', tmpName(tbi), tmpName(vcf)]]),
    rename(tmpName(tbi), tbi),
    rename(tmpName(vcf), vcf),
  ];
  return { tools: ['bcftools', 'htslib'], lines };
}

const homAltTags = (regions: readonly string[]) => [
  HOM_ALT_TAG,
  ...regions.map((r) => `${HOM_ALT_TAG}_${r}`),
];

/** Merge the gVCFs, keep variant sites split to biallelic, and fill AC / AN / AF... per group. */
function mergeAndTag(args: AggregateArgs): ScriptLine {
  const tags = args.pipeline.frequency.tags.includes('AC_Hom')
    ? args.pipeline.frequency.tags
    : [...args.pipeline.frequency.tags, 'AC_Hom'];
  return run([
    [
      'bcftools',
      'merge',
      '--no-version',
      '--threads',
      String(args.resources.cpus),
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
      tmpName(TAGGED),
      '--',
      '-S',
      args.groups,
      '-t',
      tags.join(','),
    ],
  ]);
}

/** The hom-alt person counts (`nhomalt`, overall and per region) as an indexed table, and their header. */
function countHomAlt(regions: readonly string[]): ScriptLine[] {
  const acHomColumns = ['AC_Hom', ...regions.map((r) => `AC_Hom_${r}`)];
  const header = [
    `##INFO=<ID=${HOM_ALT_TAG},Number=A,Type=Integer,Description="Number of homozygous-alternate individuals">`,
    ...regions.map(
      (r) =>
        `##INFO=<ID=${HOM_ALT_TAG}_${r},Number=A,Type=Integer,Description="Number of homozygous-alternate individuals in region ${r}">`,
    ),
  ];
  return [
    run([['printf', '%s\\n', ...header]], HOM_ALT_HEADER),
    run(
      [
        [
          'bcftools',
          'query',
          '-f',
          `%CHROM\\t%POS\\t%REF\\t%ALT${acHomColumns.map((c) => `\\t%INFO/${c}`).join('')}\\n`,
          TAGGED,
        ],
        ['awk', HALVE_AC_HOM],
        ['bgzip', '-c'],
      ],
      tmpName(HOM_ALT_COUNTS),
    ),
    rename(tmpName(HOM_ALT_COUNTS), HOM_ALT_COUNTS),
    run([['tabix', '-f', '-s', '1', '-b', '2', '-e', '2', HOM_ALT_COUNTS]]),
  ];
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
