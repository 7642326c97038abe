import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fastqRecords,
  MIN_RECALL,
  minRecall,
  readCountProblem,
  sampleSetDiff,
} from '../chaos/content.ts';
import { parseJobRecords, type SlurmJob } from '../chaos/slurm-records.ts';
import {
  duplicateSubmissions,
  isCampaignJob,
  nodeDownRetries,
  repeatedSteps,
} from '../chaos/verify.ts';
import { carriedKeys, recallOf } from '../helpers/genomics.ts';

const jobs = (rows: ([string, string] | [string, string, string])[]) =>
  new Map<string, SlurmJob>(
    rows.map(([jobId, name, state]) => [jobId, { jobId, name, state: state ?? 'COMPLETED' }]),
  );

const fixture = (name: string) =>
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/chaos', name), 'utf8');

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

  it('reads jobcomp and squeue lines, the live state winning', () => {
    const records = parseJobRecords(
      '7|sample:A1:2/r/call/1|RUNNING\n8|sample:A1:2/r/align/1|NODE_FAIL',
      '7|sample:A1:2/r/call/1|COMPLETED\n9|sample:A1:2/r/align/2|CANCELLED by 0\n',
    );
    expect([...records.values()]).toEqual([
      { jobId: '7', name: 'sample:A1:2/r/call/1', state: 'COMPLETED' },
      { jobId: '8', name: 'sample:A1:2/r/align/1', state: 'NODE_FAIL' },
      { jobId: '9', name: 'sample:A1:2/r/align/2', state: 'CANCELLED' },
    ]);
  });
});

describe('fault suite: a step run again after the node-down fault', () => {
  // What `sacct -c` recorded for the campaign of `npm run chaos` (capture.sh jobcomp): the
  // node was set DOWN under job 19000133, which ended NODE_FAIL and ran again as align/2.
  const campaign = parseJobRecords(fixture('sacct-jobcomp-campaign.txt'), '');

  it('counts the captured campaign clean: one retried step, nothing repeated or duplicated', () => {
    const killed = new Set(['19000133']);
    expect([...campaign.values()].filter((j) => isCampaignJob('2')(j.name))).toHaveLength(151);
    expect(nodeDownRetries(campaign, '2', killed)).toEqual({
      retried: ['sample:MIDC004:2/align'],
      findings: [],
    });
    expect(repeatedSteps(campaign, '2', killed)).toEqual([]);
    expect(duplicateSubmissions(campaign, '2')).toEqual([]);
    // Without knowing what the fault killed, the retry is a repeated step.
    expect(repeatedSteps(campaign, '2').map((f) => f.sampleId)).toEqual(['MIDC004']);
  });

  const records = jobs([
    ['20', 'sample:A1:2/r/align/1', 'NODE_FAIL'],
    ['23', 'sample:A1:2/r/align/2'],
    ['21', 'sample:B2:2/r/markdup/1', 'NODE_FAIL'],
    ['24', 'sample:B2:2/r/markdup/2'],
    ['22', 'sample:C3:2/r/call/1', 'NODE_FAIL'],
    ['25', 'sample:D4:2/r/align/1', 'OUT_OF_MEMORY'],
    ['26', 'sample:D4:2/r/align/2'],
  ]);

  it('counts it as a retried step, not a repeated one, when the fault killed the earlier job', () => {
    const killed = new Set(['20', '21', '22']);
    expect(nodeDownRetries(records, '2', killed)).toEqual({
      retried: ['sample:A1:2/align', 'sample:B2:2/markdup'],
      findings: [
        {
          sampleId: 'C3',
          problem:
            'sample:C3:2/call: job 22 died with the downed node and the step never ran again',
        },
      ],
    });
    expect(repeatedSteps(records, '2', killed).map((f) => f.sampleId)).toEqual(['D4']);
  });

  it('does not excuse a NODE_FAIL the fault did not cause, nor a killed job that ended otherwise', () => {
    // Job 21 died NODE_FAIL but not under the fault; job 25 was running then but ran out of memory.
    const killed = new Set(['20', '25']);
    expect(nodeDownRetries(records, '2', killed).retried).toEqual(['sample:A1:2/align']);
    expect(repeatedSteps(records, '2', killed).map((f) => f.sampleId)).toEqual(['B2', 'D4']);
  });

  it('counts a step with a further failure after the node-down retry as repeated', () => {
    const more = new Map(records).set('27', {
      jobId: '27',
      name: 'sample:A1:2/r/align/3',
      state: 'COMPLETED',
    });
    more.set('23', { jobId: '23', name: 'sample:A1:2/r/align/2', state: 'FAILED' });
    const killed = new Set(['20']);
    expect(nodeDownRetries(more, '2', killed).retried).toEqual([]);
    expect(repeatedSteps(more, '2', killed).map((f) => f.problem)).toContain(
      'sample:A1:2/align ran under 3 attempt keys: sample:A1:2/r/align/1, sample:A1:2/r/align/2, sample:A1:2/r/align/3',
    );
  });
});

describe('fault suite: recall of the truth variants', () => {
  // Captured from a sample of `npm run chaos` (capture.sh variants): its truth and its gVCF.
  const truth = carriedKeys(fixture('NORC001.truth.txt'));
  const called = carriedKeys(fixture('NORC001.gvcf.txt'));
  const unnormalised = carriedKeys(fixture('NORC001.gvcf-unnormalised.txt'));

  it('finds the planted variants in the gVCF once both sides are normalised', () => {
    // The one miss is real: a het SNV with 3 of 16 reads showing the ALT, called 0/0.
    expect(recallOf(truth, called)).toEqual({
      truth: 111,
      recalled: 110,
      recall: 110 / 111,
      missed: ['chr3:82110:C:T'],
    });
  });

  it('would miss indels written as bcftools call writes them (why both sides are normalised)', () => {
    const raw = recallOf(truth, unnormalised);
    expect(raw.recalled).toBe(101);
    expect(raw.recall).toBeLessThan(MIN_RECALL);
    expect(raw.missed).toContain('chr1:66987:C:CGATT');
    expect(unnormalised.has('chr1:66987:CG:CGATTG')).toBe(true);
  });

  it('keeps only records the sample carries, never a gVCF <*> allele', () => {
    const keys = carriedKeys(
      'chr1:10:A:G\t0/1\nchr1:10:A:<*>\t0/0\nchr1:20:C:T\t0/0\nchr1:30:G:GA\t1/1\nchr1:40:T:C\t./.\n',
    );
    expect([...keys]).toEqual(['chr1:10:A:G', 'chr1:30:G:GA']);
  });

  it('reports the lowest recall, and none without truth', () => {
    expect(minRecall([{ recall: 1 }, { recall: 0.97 }, { recall: null }])).toBe(0.97);
    expect(minRecall([{ recall: null }])).toBeNull();
    expect(recallOf(new Set(), called).recall).toBeNull();
  });
});

describe('fault suite: reads and the release sample set', () => {
  it('counts FASTQ records and refuses a partial one', () => {
    // 200,008 lines: the R1 of a demo genome with 50,002 read pairs.
    expect(fastqRecords(200_008, 'R1.fastq.gz')).toBe(50_002);
    expect(() => fastqRecords(10, 'R1.fastq.gz')).toThrow(/R1.fastq.gz: 10 lines/);
  });

  it('says how the CRAM differs from what the sample submitted', () => {
    expect(readCountProblem({ inputReads: 100_004, cramReads: 100_004, paired: true })).toBeNull();
    expect(readCountProblem({ inputReads: 100_004, cramReads: 100_000, paired: true })).toBe(
      'the harmonised CRAM holds 100000 reads (50000 pairs) as primary records; the sample submitted 100004 reads (50002 pairs)',
    );
    expect(readCountProblem({ inputReads: 793, cramReads: 792, paired: false })).toBe(
      'the harmonised CRAM holds 792 reads as primary records; the sample submitted 793 reads',
    );
    expect(readCountProblem({ inputReads: null, cramReads: 10, paired: false })).toMatch(
      /submitted reads could not be counted/,
    );
    expect(readCountProblem({ inputReads: 10, cramReads: null, paired: false })).toMatch(
      /CRAM could not be counted/,
    );
  });

  it('knows a release lists exactly the cohort, or what is missing, extra or twice', () => {
    expect(sampleSetDiff(['A1', 'B2'], ['B2', 'A1'])).toEqual({
      exact: true,
      missing: [],
      extra: [],
      repeated: [],
    });
    expect(sampleSetDiff(['A1', 'B2', 'C3'], ['B2', 'D4', 'B2'])).toEqual({
      exact: false,
      missing: ['A1', 'C3'],
      extra: ['D4'],
      repeated: ['B2'],
    });
  });
});
