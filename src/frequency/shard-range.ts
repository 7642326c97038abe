/** A genomic shard's range, as releases name it (`chr1:1-250000`); no dependencies, so the worker may import it. */
export interface ShardRange {
  chrom: string;
  start: number;
  stop: number;
}

export function parseShardRange(region: string): ShardRange {
  const match = /^(.+):(\d+)-(\d+)$/.exec(region);
  if (!match) throw new Error(`${JSON.stringify(region)} is not a shard (chrom:start-end)`);
  return { chrom: match[1]!, start: Number(match[2]), stop: Number(match[3]) };
}
