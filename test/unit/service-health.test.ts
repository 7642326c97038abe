import { describe, expect, it } from 'vitest';
import { POLL_FRESH_MS, workerHealth } from '../../src/domain/service-health.ts';

const NOW = Date.UTC(2026, 11, 1, 12);

describe('workerHealth', () => {
  it('says a worker polls when one polled within the freshness window', () => {
    const health = workerHealth(
      'harmonise',
      {
        workflow: [
          { identity: '1@a', lastAccessMs: NOW - 50_000 },
          { identity: '2@b', lastAccessMs: NOW - 1_000 },
        ],
        activity: [{ identity: '1@a', lastAccessMs: NOW - 10_000 }],
      },
      NOW,
    );
    expect(health).toEqual({
      taskQueue: 'harmonise',
      polling: true,
      workflowPollers: 2,
      activityPollers: 1,
      lastPollAt: new Date(NOW - 1_000).toISOString(),
    });
  });

  it('says none polls when Temporal still lists a worker that stopped polling', () => {
    const last = NOW - POLL_FRESH_MS - 1;
    const health = workerHealth(
      'harmonise',
      {
        workflow: [{ identity: '1@a', lastAccessMs: last }],
        activity: [{ identity: '1@a', lastAccessMs: last - 5_000 }],
      },
      NOW,
    );
    expect(health).toMatchObject({
      polling: false,
      workflowPollers: 0,
      activityPollers: 0,
      lastPollAt: new Date(last).toISOString(),
    });
  });

  it('says none polls, never seen, for a queue without pollers', () => {
    expect(workerHealth('other', { workflow: [], activity: [] }, NOW)).toEqual({
      taskQueue: 'other',
      polling: false,
      workflowPollers: 0,
      activityPollers: 0,
      lastPollAt: null,
    });
  });

  it('counts a worker whose activity slots are all busy: it still polls for workflow tasks', () => {
    const health = workerHealth(
      'harmonise',
      {
        workflow: [{ identity: '1@a', lastAccessMs: NOW - 2_000 }],
        activity: [{ identity: '1@a', lastAccessMs: NOW - 10 * 60_000 }],
      },
      NOW,
    );
    expect(health).toMatchObject({ polling: true, workflowPollers: 1, activityPollers: 0 });
  });
});
