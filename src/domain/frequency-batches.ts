/**
 * Fixed batches of a frequency database (pure). A genome joins a batch the first time it is
 * eligible for a release, in catalogue order, and stays in it for good: a genome that leaves
 * (a withdrawal) leaves a hole, so no other genome ever moves and only its own batch changes.
 * A batch's partial is named by what it sums (its members' contribution digests and the shard
 * layout), so an unchanged batch is never computed twice.
 */
import { z } from 'zod';

export const BATCHES_SCHEMA = 'harmonise.frequency-batches/v1';

export const batchRegistrySchema = z.strictObject({
  schema: z.literal(BATCHES_SCHEMA),
  pipelineVersion: z.string(),
  batches: z.array(
    z.strictObject({
      batch: z.string(),
      /** How many genomes the batch takes, fixed when it was opened. */
      capacity: z.number().int().positive(),
      samples: z.array(z.string()),
    }),
  ),
});
export type BatchRegistry = z.infer<typeof batchRegistrySchema>;

/** `batch-000001`: names that sort in the order batches were opened. */
export function batchName(index: number): `batch-${string}` {
  return `batch-${String(index + 1).padStart(6, '0')}`;
}

export function emptyRegistry(pipelineVersion: string): BatchRegistry {
  return { schema: BATCHES_SCHEMA, pipelineVersion, batches: [] };
}

/**
 * The registry with every sample not yet in a batch appended, in the order given: to the last
 * batch while it has room, then to new batches of `batchSize`.
 */
export function assignBatches(
  registry: BatchRegistry,
  sampleIds: readonly string[],
  batchSize: number,
): BatchRegistry {
  const batches = registry.batches.map((b) => ({ ...b, samples: [...b.samples] }));
  const assigned = new Set(batches.flatMap((b) => b.samples));
  for (const sampleId of sampleIds) {
    if (assigned.has(sampleId)) continue;
    let last = batches.at(-1);
    if (!last || last.samples.length >= last.capacity) {
      last = { batch: batchName(batches.length), capacity: batchSize, samples: [] };
      batches.push(last);
    }
    last.samples.push(sampleId);
    assigned.add(sampleId);
  }
  return { ...registry, batches };
}

export interface PartialMember {
  sampleId: string;
  region: string;
  /** The digest of the member's contribution. */
  contribution: string;
}

/** What names a partial (its sha256 is the partial's id): everything it sums, and how. */
export function partialKey(args: {
  engineFormat: number;
  pipelineVersion: string;
  shards: readonly string[];
  members: readonly PartialMember[];
}): string {
  const members = [...args.members].sort((a, b) => (a.sampleId < b.sampleId ? -1 : 1));
  return JSON.stringify({
    engineFormat: args.engineFormat,
    pipelineVersion: args.pipelineVersion,
    shards: args.shards,
    members: members.map((m) => [m.sampleId, m.region, m.contribution]),
  });
}
