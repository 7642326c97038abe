/**
 * The reduce and gather of an additive release: the tables every reduce job reads (shards,
 * contigs, the released samples by karyotype), one reduce step per genomic shard, and the
 * gather step, which also makes the release's all-sites AN track from the shards' runs.
 */
import path from 'node:path';
import type { PlanStep } from '../domain/plan.ts';
import { FREQUENCY_OUTPUTS, shardStepName } from '../domain/shards.ts';
import { AN_TRACK_FILES } from '../frequency/files.ts';
import { parseShardRange } from '../frequency/shard-range.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import type { LoadedPipeline } from '../store/pipelines.ts';
import type { EligibleSample } from './contribution-keys.ts';

/** The shards (`name chrom start stop`) and contigs (`name length`) every partial job reads. */
export async function writeShardTables(
  dir: string,
  regions: readonly string[],
  pipeline: LoadedPipeline,
): Promise<{ shardsTsv: string; contigs: string }> {
  const shardsTsv = path.join(dir, 'shards.tsv');
  await writeFileAtomic(
    shardsTsv,
    regions
      .map((region, i) => {
        const { chrom, start, stop } = parseShardRange(region);
        return `${shardStepName(i)}\t${chrom}\t${start}\t${stop}\n`;
      })
      .join(''),
  );
  const contigs = path.join(dir, 'contigs.tsv');
  await writeFileAtomic(
    contigs,
    pipeline.spec.reference.sequences.map((s) => `${s.name}\t${s.length}\n`).join(''),
  );
  return { shardsTsv, contigs };
}

/**
 * `karyotype<TAB>samples` of the release's samples: what the reduce needs to know the most AN
 * possible at a base (for the track's coverage summary).
 */
export async function writeKaryotypeCounts(
  dir: string,
  eligible: readonly EligibleSample[],
): Promise<string> {
  const counts = { XX: 0, XY: 0, unknown: 0 };
  for (const sample of eligible) counts[sample.karyotype] += 1;
  const file = path.join(dir, 'karyotypes.tsv');
  await writeFileAtomic(
    file,
    Object.entries(counts)
      .map(([karyotype, n]) => `${karyotype}\t${n}\n`)
      .join(''),
  );
  return file;
}

/** One reduce job per genomic shard, over every batch's partial. */
export function reduceSteps(args: {
  regions: readonly string[];
  partials: string;
  contigs: string;
  karyotypes: string;
  pipeline: LoadedPipeline;
}): PlanStep[] {
  return args.regions.map((region, i) => ({
    name: shardStepName(i),
    kind: 'frequency-reduce',
    inputs: {
      partials: { path: args.partials },
      contigs: { path: args.contigs },
      karyotypes: { path: args.karyotypes },
    },
    outputs: [
      FREQUENCY_OUTPUTS.vcf,
      FREQUENCY_OUTPUTS.tbi,
      AN_TRACK_FILES.shardRuns,
      AN_TRACK_FILES.shardCoverage,
    ],
    resources: args.pipeline.spec.steps.frequency,
    region,
    shardName: shardStepName(i),
  }));
}

/** The snapshot's gather, asked to leave the AN track too (its outputs say so). */
export function withAnTrack(gather: PlanStep): PlanStep {
  return {
    ...gather,
    outputs: [
      ...gather.outputs,
      AN_TRACK_FILES.track,
      AN_TRACK_FILES.index,
      AN_TRACK_FILES.coverage,
    ],
  };
}
