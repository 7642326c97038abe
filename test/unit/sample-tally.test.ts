import { describe, expect, it } from 'vitest';
import {
  SampleTally,
  sampleIdOf,
  stageOfRun,
  type SampleRun,
} from '../../src/domain/sample-tally.ts';

const MIN = 60_000;

function run(
  workflowId: string,
  runId: string,
  startMs: number,
  end: { closeMs: number; stage: string; execution?: string } | { stage: string },
): SampleRun {
  return 'closeMs' in end
    ? {
        workflowId,
        runId,
        startMs,
        closeMs: end.closeMs,
        stage: end.stage,
        execution: end.execution ?? 'COMPLETED',
      }
    : { workflowId, runId, startMs, closeMs: null, stage: end.stage, execution: 'RUNNING' };
}

describe('sampleIdOf', () => {
  it.each([
    ['sample:NGC000001:1', 'NGC000001'],
    ['sample:NGC000001:noop', 'NGC000001'],
    ['submission:hovedstaden:S-1', null],
    ['sample:', null],
  ])('%s is sample %s', (workflowId, expected) => {
    expect(sampleIdOf(workflowId)).toBe(expected);
  });
});

describe('stageOfRun', () => {
  it.each([
    [null, 'RUNNING', null, 'preparing'],
    ['planning', 'RUNNING', null, 'planning'],
    ['running', 'RUNNING', null, 'running'],
    ['done', 'COMPLETED', 1, 'done'],
    ['rejected', 'COMPLETED', 1, 'rejected'],
    ['running', 'TERMINATED', 1, 'cancelled'],
    ['running', 'CANCELLED', 1, 'cancelled'],
    ['running', 'TIMED_OUT', 1, 'failed'],
    ['planning', 'FAILED', 1, 'failed'],
    ['running', 'CONTINUED_AS_NEW', 1, null],
  ] as const)('Stage %s, %s (closed %s) counts as %s', (stage, execution, closeMs, expected) => {
    expect(stageOfRun({ stage, execution, closeMs })).toBe(expected);
  });
});

describe('SampleTally', () => {
  it('counts a sample run twice once, in its latest run’s stage, and both runs', () => {
    const tally = new SampleTally(2 * MIN);
    tally.addClosed(run('sample:A:noop', 'a1', 0, { closeMs: 10, stage: 'done' }));
    tally.addClosed(run('sample:A:noop', 'a2', 20, { closeMs: 30, stage: 'rejected' }));
    tally.addClosed(run('sample:B:noop', 'b1', 0, { closeMs: 10, stage: 'done' }));
    tally.setRunning([]);
    expect(tally.samplesByStage()).toMatchObject({ done: 1, rejected: 1 });
    expect(tally.runsByStage()).toMatchObject({ done: 2, rejected: 1 });
  });

  it('takes the latest run by start time, whatever order the runs are listed in', () => {
    const tally = new SampleTally(2 * MIN);
    // Listed newest close first, as visibility answers.
    tally.addClosed(run('sample:A:2', 'a2', 50, { closeMs: 60, stage: 'failed' }));
    tally.addClosed(run('sample:A:1', 'a1', 0, { closeMs: 40, stage: 'done' }));
    expect(tally.samplesByStage()).toMatchObject({ done: 0, failed: 1 });
    expect(tally.runsByStage()).toMatchObject({ done: 1, failed: 1 });
  });

  it('never counts a closed run twice when it is listed again', () => {
    const tally = new SampleTally(2 * MIN);
    const closed = run('sample:A:1', 'a1', 0, { closeMs: 10 * MIN, stage: 'done' });
    tally.addClosed(closed);
    expect(tally.closedSince()).toBe(8 * MIN);
    tally.addClosed(closed);
    tally.prune();
    tally.addClosed(closed);
    expect(tally.runsByStage().done).toBe(1);
    expect(tally.samplesByStage().done).toBe(1);
  });

  it('lists everything first, then only what closed within the overlap of the newest close', () => {
    const tally = new SampleTally(2 * MIN);
    expect(tally.closedSince()).toBeNull();
    tally.addClosed(run('sample:A:1', 'a1', 0, { closeMs: 5 * MIN, stage: 'done' }));
    tally.addClosed(run('sample:B:1', 'b1', 0, { closeMs: 9 * MIN, stage: 'done' }));
    expect(tally.closedSince()).toBe(7 * MIN);
  });

  it('moves a running sample on when its run closes, and a rerun supersedes a finished run', () => {
    const tally = new SampleTally(2 * MIN);
    tally.addClosed(run('sample:A:1', 'a1', 0, { closeMs: 10, stage: 'done' }));
    tally.setRunning([run('sample:A:1', 'a2', 20, { stage: 'running' })]);
    expect(tally.samplesByStage()).toMatchObject({ done: 0, running: 1 });
    expect(tally.runsByStage()).toMatchObject({ done: 1, running: 1 });
    // Listed as running once more in the same refresh it closed in: the closed record wins.
    tally.addClosed(run('sample:A:1', 'a2', 20, { closeMs: 40, stage: 'done' }));
    tally.setRunning([run('sample:A:1', 'a2', 20, { stage: 'running' })]);
    expect(tally.samplesByStage()).toMatchObject({ done: 1, running: 0 });
    expect(tally.runsByStage()).toMatchObject({ done: 2, running: 0 });
  });

  it('counts a terminated run as cancelled and leaves out other workflows', () => {
    const tally = new SampleTally(2 * MIN);
    tally.addClosed(
      run('sample:A:1', 'a1', 0, { closeMs: 10, stage: 'running', execution: 'TERMINATED' }),
    );
    tally.addClosed(run('submission:r:s', 's1', 0, { closeMs: 10, stage: 'accepted' }));
    const samples = tally.samplesByStage();
    expect(samples.cancelled).toBe(1);
    expect(Object.values(samples).reduce((a, b) => a + b, 0)).toBe(1);
  });
});
