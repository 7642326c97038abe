/**
 * Command lines of the karyotype step (pure): the sample's depth on the autosomes and on chrX and
 * chrY outside their PARs, by `samtools bedcov` (MAPQ ≥ 20, deletions not counted) over the
 * regions of domain/karyotype-depth.ts. The step's activity turns the depth into the verdict and
 * the ploidy file the call step is given (activities/karyotype.ts).
 */
import { karyotypeRegions } from '../domain/karyotype-depth.ts';
import type { PipelineSpec } from '../domain/pipeline.ts';
import { KARYOTYPE_OUTPUTS } from '../domain/plan.ts';
import { rename, run, tmpName } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

const REGIONS_BED = 'karyotype-regions.bed';

export function karyotypeDepth(args: {
  pipeline: PipelineSpec;
  reference: string;
  cram: string;
}): StepCommands {
  const sex = args.pipeline.sexChromosomes;
  if (!sex) throw new Error(`pipeline ${args.pipeline.version} names no sex chromosomes`);
  const bed = karyotypeRegions(sex, args.pipeline.reference.sequences);
  const depth = KARYOTYPE_OUTPUTS.depth;
  return {
    tools: ['samtools', 'htslib'],
    lines: [
      run([['printf', '%s\\n', ...bed]], REGIONS_BED),
      run(
        [
          [
            'samtools',
            'bedcov',
            '-Q',
            '20',
            '-j',
            '--reference',
            args.reference,
            REGIONS_BED,
            args.cram,
          ],
        ],
        tmpName(depth),
      ),
      rename(tmpName(depth), depth),
    ],
  };
}
