/**
 * Every recorded workflow history (test/replay/histories/, recorded from real runs by
 * test/replay/record.ts) replays against the workflow code as it is now, in the worker's own
 * bundle. A change that alters a workflow's commands without a version marker (`patched()`)
 * makes Temporal's replayer see a command the history does not have: this test then fails,
 * naming the history, its workflow and the event. See docs/workflows.md, "Versioning".
 */
import { Worker } from '@temporalio/worker';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerBundle } from '../../src/workflow-bundle.ts';
import { readHistories } from './histories.ts';

/** The kinds of run the replay set must hold (issue: every workflow type and mode). */
const REQUIRED = [
  'submission-full',
  'submission-partial',
  'submission-none',
  'sample-full-short',
  'sample-full-long',
  'sample-partial-short',
  'sample-none-short',
  'campaign-demo-rerun',
  'campaign-continued-paused-cancelled-run1',
  'campaign-continued-paused-cancelled-run2',
  'release-demo',
  'release-after-withdrawal',
  'consent-withdrawal',
];

interface HistoryEvent {
  eventId: string;
  eventType: string;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
}

/**
 * Where in the history the replay parted from it, when the error names a scheduled activity
 * (Temporal's message names the activity, not the event's number).
 */
function eventOf(history: unknown, message: string): string {
  const activity = /scheduled event '([^']+)'/.exec(message)?.[1];
  if (activity === undefined) return '';
  const { events } = history as { events: HistoryEvent[] };
  const event = events.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
  );
  return event ? ` at event ${event.eventId} (${event.eventType} ${activity})` : '';
}

describe('the recorded workflow histories', () => {
  it('hold every workflow type, mode and campaign path', async () => {
    const histories = await readHistories();
    const names = new Set(histories.map((h) => h.name));
    for (const name of REQUIRED) expect(names.has(name), `no recorded history ${name}`).toBe(true);
    const types = new Set(histories.map((h) => h.workflowType));
    expect([...types].sort()).toEqual(
      [
        'campaignWorkflow',
        'consentWorkflow',
        'frequencyReleaseWorkflow',
        'sampleWorkflow',
        'submissionWorkflow',
      ].sort(),
    );
    // The campaign's first run ended by continuing as new.
    const first = histories.find((h) => h.name === 'campaign-continued-paused-cancelled-run1')!;
    expect(JSON.stringify(first.history)).toContain('WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
  });

  it('replay against the current workflow code without a nondeterminism error', async () => {
    const histories = await readHistories();
    const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-replay-'));
    const bundle = await workerBundle(runDir);
    const failures: string[] = [];
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: bundle.path }, replayName: 'harmonise replay test' },
      // The replayer reads Temporal's JSON form of a history itself.
      histories.map((h) => ({ workflowId: h.workflowId, history: h.history })),
    );
    // One result per history, in the order they were given.
    let replayed = 0;
    for await (const result of results) {
      const h = histories[replayed]!;
      replayed += 1;
      if (result.error === undefined) continue;
      failures.push(
        `${h.set}/${h.name} (${h.workflowType} ${h.workflowId})${eventOf(h.history, result.error.message)}: ${result.error.message}`,
      );
    }
    await fs.rm(runDir, { recursive: true, force: true });
    expect(failures, failures.join('\n')).toEqual([]);
    expect(replayed).toBe(histories.length);
  });
});
