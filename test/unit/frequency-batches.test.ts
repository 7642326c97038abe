import { describe, expect, it } from 'vitest';
import {
  assignBatches,
  emptyRegistry,
  partialKey,
  type PartialMember,
} from '../../src/domain/frequency-batches.ts';

const ids = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `S${String(from + i).padStart(4, '0')}`);

describe('fixed batches', () => {
  it('fills batches in the order given and opens new ones when full', () => {
    const registry = assignBatches(emptyRegistry('1'), ids(7), 3);
    expect(registry.batches.map((b) => [b.batch, b.samples])).toEqual([
      ['batch-000001', ['S0001', 'S0002', 'S0003']],
      ['batch-000002', ['S0004', 'S0005', 'S0006']],
      ['batch-000003', ['S0007']],
    ]);
  });

  it('never moves a genome: one that left keeps its place, newcomers fill the last batch', () => {
    const first = assignBatches(emptyRegistry('1'), ids(4), 3);
    // S0002 withdrawn (absent from the eligible list), two new genomes arrive.
    const next = assignBatches(first, ['S0001', 'S0003', 'S0004', ...ids(2, 5)], 3);
    expect(next.batches.map((b) => b.samples)).toEqual([
      ['S0001', 'S0002', 'S0003'],
      ['S0004', 'S0005', 'S0006'],
    ]);
    // The input is not changed.
    expect(first.batches.map((b) => b.samples)).toEqual([['S0001', 'S0002', 'S0003'], ['S0004']]);
  });

  it('keeps the size a batch was opened with when the setting changes', () => {
    const small = assignBatches(emptyRegistry('1'), ids(2), 2);
    const next = assignBatches(small, ids(5), 4);
    expect(next.batches.map((b) => [b.capacity, b.samples.length])).toEqual([
      [2, 2],
      [4, 3],
    ]);
  });
});

describe('partialKey', () => {
  const members: PartialMember[] = [
    { sampleId: 'S0002', region: 'hovedstaden', contribution: 'b' },
    { sampleId: 'S0001', region: 'sjaelland', contribution: 'a' },
  ];
  const key = (m: PartialMember[], shards = ['chr1:1-100']) =>
    partialKey({ engineFormat: 1, pipelineVersion: '1', shards, members: m });

  it('names what a partial sums, whatever the order of its members', () => {
    expect(key(members)).toBe(key([...members].reverse()));
  });

  it('changes with a member, a contribution or the shard layout', () => {
    expect(key(members.slice(1))).not.toBe(key(members));
    expect(key([{ ...members[0]!, contribution: 'c' }, members[1]!])).not.toBe(key(members));
    expect(key(members, ['chr1:1-50', 'chr1:51-100'])).not.toBe(key(members));
  });
});
