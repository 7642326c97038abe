/**
 * Genomic shards of a frequency release (pure): each reference sequence cut into pieces of at
 * most `size` bases, in reference order, as 1-based inclusive `name:start-end` regions. Their
 * concatenation in this order is the whole genome, in the order of the reference.
 */
export function genomicShards(
  sequences: readonly { name: string; length: number }[],
  size: number,
): string[] {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`shard size ${size} is not a positive whole number`);
  const shards: string[] = [];
  for (const { name, length } of sequences) {
    for (let start = 1; start <= length; start += size) {
      shards.push(`${name}:${start}-${Math.min(length, start + size - 1)}`);
    }
  }
  return shards;
}

/** `shard-0001`: step names that sort in genome order. */
export function shardStepName(index: number): `shard-${string}` {
  return `shard-${String(index + 1).padStart(4, '0')}`;
}

/** What each aggregation job (a shard, or the gather) leaves in its work directory. */
export const FREQUENCY_OUTPUTS = {
  vcf: 'frequencies.vcf.gz',
  tbi: 'frequencies.vcf.gz.tbi',
} as const;

/**
 * The files of a published release that hold counts only, never a sample id or a genotype: what
 * readers' answers come from. (`samples.tsv` and `summary.json`'s exclusions name genomes.)
 */
export const PUBLIC_RELEASE_FILES = [
  FREQUENCY_OUTPUTS.vcf,
  FREQUENCY_OUTPUTS.tbi,
  'an.tsv.gz',
  'an.tsv.gz.tbi',
] as const;
