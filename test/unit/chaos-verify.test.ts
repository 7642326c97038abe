import { describe, expect, it } from 'vitest';
import type { SlurmJob } from '../chaos/slurm-records.ts';
import { duplicateSubmissions, isCampaignJob, repeatedSteps } from '../chaos/verify.ts';

const jobs = (rows: [string, string][]) =>
  new Map<string, SlurmJob>(
    rows.map(([jobId, name]) => [jobId, { jobId, name, state: 'COMPLETED' }]),
  );

describe('fault suite checks on Slurm records', () => {
  it('knows the campaign version by the workflow id in the job name', () => {
    const of2 = isCampaignJob('2');
    expect(of2('sample:A1:2/run-1/align/1')).toBe(true);
    expect(of2('sample:A1:1/run-1/adopt/1')).toBe(false);
    expect(of2('sample:A1:12/run-1/align/1')).toBe(false);
    expect(of2('frequency:20261127/shard-1/1')).toBe(false);
  });

  it('counts every job beyond the first under one name as a duplicate submission', () => {
    const found = duplicateSubmissions(
      jobs([
        ['10', 'sample:A1:2/r/align/1'],
        ['11', 'sample:A1:2/r/align/1'],
        ['12', 'sample:A1:2/r/align/1'],
        ['13', 'sample:A1:2/r/call/1'],
        ['14', 'sample:B2:2/r/align/1'],
        ['15', 'sample:B2:1/r/adopt/1'],
        ['16', 'sample:B2:1/r/adopt/1'],
      ]),
      '2',
    );
    expect(found).toEqual([
      {
        sampleId: 'A1',
        problem: '3 Slurm jobs named sample:A1:2/r/align/1: 10, 11, 12',
        extra: 2,
      },
    ]);
  });

  it('finds steps that ran under a second attempt key', () => {
    const found = repeatedSteps(
      jobs([
        ['10', 'sample:A1:2/r/align/1'],
        ['11', 'sample:A1:2/r/align/2'],
        ['12', 'sample:A1:2/r/call/1'],
        ['13', 'sample:B2:2/r/align/1'],
        ['14', 'sample:B2:2/r/align/1'],
      ]),
      '2',
    );
    expect(found).toEqual([
      {
        sampleId: 'A1',
        problem:
          'sample:A1:2/align ran under 2 attempt keys: sample:A1:2/r/align/1, sample:A1:2/r/align/2',
      },
    ]);
  });
});
