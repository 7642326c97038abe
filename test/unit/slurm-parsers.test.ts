import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JOB_STATES } from '../../src/domain/job-state.ts';
import {
  parseSacct,
  parseSbatchParsable,
  parseScontrolJobs,
  parseSlurmTime,
  parseSqueue,
  SlurmParseError,
} from '../../src/executors/slurm/parsers.ts';
import { mapSlurmState } from '../../src/executors/slurm/states.ts';

/** Output captured from the real single-node cluster by test/fixtures/slurm/capture.sh. */
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/slurm/${name}`, import.meta.url), 'utf8');

describe('squeue', () => {
  const rows = parseSqueue(fixture('squeue-all-states.txt'));

  it('parses every captured line with a mapped state', () => {
    expect(rows.length).toBeGreaterThan(15);
    for (const row of rows) {
      expect(row.jobId).toMatch(/^\d+$/);
      expect(row.state, row.rawState).not.toBeNull();
    }
  });

  it('sees every state the cluster could produce', () => {
    const states = new Set(rows.map((r) => r.state));
    for (const state of [
      'PENDING',
      'RUNNING',
      'COMPLETED',
      'FAILED',
      'OUT_OF_MEMORY',
      'TIMEOUT',
      'CANCELLED',
      'NODE_FAIL',
      'PREEMPTED',
    ] as const) {
      expect(states.has(state), state).toBe(true);
    }
  });

  it('keeps a job name that contains the separator', () => {
    const pending = rows.find((r) => r.state === 'PENDING')!;
    expect(pending.name).toBe('fixture:pending|pipe/step/1');
    expect(pending.reason).toBe('JobHeldUser');
  });

  it('gives the reason Slurm recorded', () => {
    expect(rows.find((r) => r.name === 'fixture:oom/step/1')).toMatchObject({
      state: 'OUT_OF_MEMORY',
      reason: 'OutOfMemory',
    });
    expect(rows.find((r) => r.name === 'fixture:timeout/step/1')?.reason).toBe('TimeLimit');
  });

  it('refuses a line it does not understand', () => {
    expect(() => parseSqueue('garbage without separators')).toThrow(SlurmParseError);
  });
});

describe('sacct (jobcomp)', () => {
  it('parses states and exit codes, signal endings included', () => {
    const rows = parseSacct(fixture('sacct-jobcomp.txt'));
    expect(rows.find((r) => r.name === 'fixture:fail/step/1')).toMatchObject({
      state: 'FAILED',
      exitCode: '3:0',
    });
    expect(rows.find((r) => r.name === 'fixture:oom/step/1')).toMatchObject({
      state: 'OUT_OF_MEMORY',
      exitCode: '0:125',
    });
    expect(new Set(rows.map((r) => r.state))).toEqual(
      new Set([
        'COMPLETED',
        'FAILED',
        'OUT_OF_MEMORY',
        'TIMEOUT',
        'CANCELLED',
        'NODE_FAIL',
        'PREEMPTED',
      ]),
    );
  });
});

describe('sbatch and scontrol', () => {
  it('reads the job id from --parsable output, with or without a cluster name', () => {
    expect(parseSbatchParsable(fixture('sbatch-parsable.txt'))).toMatch(/^\d+$/);
    expect(parseSbatchParsable('4242;harmonise\n')).toBe('4242');
    expect(() => parseSbatchParsable('sbatch: error: Batch job submission failed')).toThrow(
      SlurmParseError,
    );
  });

  it('parses scontrol show job -o into fields', () => {
    const [job] = parseScontrolJobs(fixture('scontrol-show-job.txt'));
    expect(job).toMatchObject({
      JobName: 'fixture:running/step/1',
      JobState: 'RUNNING',
      Partition: 'harmonise',
    });
    expect(parseSlurmTime(job!.SubmitTime)).toBeGreaterThan(0);
    expect(parseSlurmTime('Unknown')).toBeNull();
  });
});

describe('mapSlurmState', () => {
  it.each([
    ['CANCELLED by 0', 'CANCELLED'],
    ['COMPLETING', 'RUNNING'],
    ['CONFIGURING', 'RUNNING'],
    ['REQUEUED', 'PENDING'],
    ['BOOT_FAIL', 'BOOT_FAIL'],
    ['DEADLINE', 'TIMEOUT'],
    ['SPECIAL_EXIT', 'FAILED'],
    ['REVOKED', 'CANCELLED'],
    ['preempted', 'PREEMPTED'],
    ['SOMETHING_NEW', null],
  ])('%s → %s', (raw, expected) => {
    expect(mapSlurmState(raw)).toBe(expected);
  });

  it('maps onto the closed set only', () => {
    for (const raw of [
      'PENDING',
      'RUNNING',
      'COMPLETED',
      'FAILED',
      'OUT_OF_MEMORY',
      'TIMEOUT',
      'NODE_FAIL',
    ]) {
      expect(JOB_STATES).toContain(mapSlurmState(raw));
    }
  });
});
