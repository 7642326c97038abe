import { describe, expect, it } from 'vitest';
import { genomicShards, shardStepName } from '../../src/domain/shards.ts';
import { gatherFrequencies, aggregateFrequencies } from '../../src/tools/frequency.ts';
import { commandLines } from '../../src/tools/job-script.ts';
import { pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import fs from 'node:fs/promises';

const pipeline = pipelineSpecSchema.parse(
  JSON.parse(await fs.readFile(new URL('../../pipelines/1.json', import.meta.url), 'utf8')),
);

describe('genomicShards', () => {
  it.each([
    [100_000, ['chr1:1-100000', 'chr1:100001-200000', 'chr1:200001-250000', 'chr2:1-100000']],
    [250_000, ['chr1:1-250000', 'chr2:1-100000']],
    [1_000_000, ['chr1:1-250000', 'chr2:1-100000']],
    [100_001, ['chr1:1-100001', 'chr1:100002-200002', 'chr1:200003-250000', 'chr2:1-100000']],
  ])('cuts at %i bases, covering every base once, in reference order', (size, shards) => {
    const sequences = [
      { name: 'chr1', length: 250_000 },
      { name: 'chr2', length: 100_000 },
    ];
    expect(genomicShards(sequences, size)).toEqual(shards);
  });

  it('refuses a size that is not a positive whole number', () => {
    expect(() => genomicShards([{ name: 'chr1', length: 10 }], 0)).toThrow(/positive/);
  });

  it('names shard steps so that they sort in genome order', () => {
    const names = Array.from({ length: 12 }, (_, i) => shardStepName(i));
    expect(names[0]).toBe('shard-0001');
    expect([...names].sort()).toEqual(names);
  });
});

describe('sharded aggregation commands', () => {
  const common = {
    pipeline,
    reference: '/ref.fa',
    gvcfList: '/l',
    groups: '/g',
    regions: ['hovedstaden'],
    resources: { cpus: 2, memMiB: 1000, timeMinutes: 10 },
  };
  it('merges what overlaps the shard and keeps the records that start in it', () => {
    const lines = commandLines(
      aggregateFrequencies({ ...common, shard: 'chr1:100001-200000' }).lines,
    );
    const merge = lines[0]!;
    expect(merge).toContain('-r chr1:100001-200000 ');
    expect(merge).toContain('-t chr1:100001-200000 --targets-overlap 0 ');
    const whole = commandLines(aggregateFrequencies({ ...common, shard: null }).lines)[0]!;
    expect(whole).not.toContain(' -r ');
    expect(whole).not.toContain('--targets-overlap');
  });

  it('gathers shards in the order given', () => {
    const lines = commandLines(
      gatherFrequencies({ shardVcfs: ['/a/f.vcf.gz', '/b/f.vcf.gz'] }).lines,
    );
    expect(lines[0]).toMatch(/^bcftools concat .* \/a\/f\.vcf\.gz \/b\/f\.vcf\.gz$/);
    expect(() => gatherFrequencies({ shardVcfs: [] })).toThrow(/at least one/);
  });
});
