/** The "Frequency releases" variables: the shards, batches and jobs of a release. */
import type { ConfigSection } from './variable.ts';

export const FREQUENCY_SECTION: ConfigSection = {
  title: 'Frequency releases',
  variables: [
    {
      name: 'HARMONISE_FREQUENCY_SHARD_BASES',
      setting: 'frequency.shardBases',
      default: { value: 50_000_000 },
      meaning: 'the length of the genomic shards a release is aggregated in, one job each',
    },
    {
      name: 'HARMONISE_FREQUENCY_BATCH_SIZE',
      setting: 'frequency.batchSize',
      default: { value: 500 },
      meaning:
        "genomes per batch of the frequency database (new batches only): a batch's partial is rebuilt when one of them leaves or changes",
    },
    {
      name: 'HARMONISE_FREQUENCY_CONTRIBUTIONS_PER_JOB',
      setting: 'frequency.contributionsPerJob',
      default: { value: 100 },
      meaning: 'gVCFs one contribution job reads',
    },
    {
      name: 'HARMONISE_FREQUENCY_NODE',
      setting: 'frequency.engineNode',
      format: 'path',
      default: { computed: 'the `node` that runs the worker' },
      meaning:
        'the node binary frequency jobs run the engine with (on Slurm: a path every node has)',
    },
    {
      name: 'HARMONISE_FREQUENCY_FLOOR',
      setting: 'frequency.floor',
      default: { value: 5 },
      meaning:
        "the reporting floor: readers see no count with 0 < AC < floor; recorded in each new release's summary.json, and the API applies the higher of the release's and this",
    },
    {
      name: 'HARMONISE_FREQUENCY_BELOW_FLOOR',
      setting: 'frequency.belowFloor',
      default: { value: 'flag' },
      meaning:
        'what readers learn of a variant under the floor: `flag` (present, below the reporting floor) or `hide` (nothing; absence is then "not reported")',
    },
  ],
};
