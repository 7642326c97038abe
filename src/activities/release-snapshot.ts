/**
 * A release's snapshot: the exact inputs of one frequency release, written to disk by
 * snapshotRelease (frequency.ts) and read by every later step of the release (contributions,
 * partials, publication).
 */
import type { RetryCaps } from '../domain/pipeline.ts';
import type { PlanStep } from '../domain/plan.ts';
import type { Policy } from '../domain/policy.ts';

export type ReleasePolicy = Policy['frequency'];

export interface ReleaseSnapshot {
  releaseId: string;
  pipelineVersion: string;
  samples: number;
  samplesPerRegion: Record<string, number>;
  samplesPerMode: Record<string, number>;
  /** The policy's release rules the snapshot was taken under. */
  policy: ReleasePolicy;
  /** Regions present, in order: per-region tags are computed for these. */
  regions: string[];
  excludedCount: number;
  files: {
    samplesTsv: string;
    gvcfList: string;
    groups: string;
    excluded: string;
    /** `sampleId region gvcf sha256` of each genome in the release (sha256 `-` if unrecorded). */
    eligible: string;
  };
  /** One aggregation job per genomic shard, in genome order, with the pipeline's resources. */
  shards: PlanStep[];
  /** The job that joins the shards (its inputs are the shards' VCFs, named by shard). */
  gather: PlanStep;
  retry: RetryCaps;
}
