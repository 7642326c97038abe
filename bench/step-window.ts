/**
 * When a probe's step began and ended as Temporal recorded it: from the moment the workflow
 * scheduled the step's submission (before the look-up for an earlier job, the rate limiter and
 * sbatch) to the moment the step's end was recorded for the workflow. This is what a user waits
 * for; the times come from the server's history, not from the worker's clock.
 */
import type { Client } from '@temporalio/client';

export interface StepWindow {
  scheduledAt: number;
  /** When a worker took the activity's last attempt (ActivityTaskStarted). */
  startedAt: number;
  endedAt: number;
  /** How the activity ended: completed, failed, timedOut or canceled. */
  outcome: string;
}

interface Timestamp {
  seconds?: { toString(): string } | number | null;
  nanos?: number | null;
}

function epochMs(ts: Timestamp | null | undefined): number {
  if (!ts) return Number.NaN;
  return Number(ts.seconds?.toString() ?? 0) * 1000 + (ts.nanos ?? 0) / 1e6;
}

const ENDS = {
  completed: 'activityTaskCompletedEventAttributes',
  failed: 'activityTaskFailedEventAttributes',
  timedOut: 'activityTaskTimedOutEventAttributes',
  canceled: 'activityTaskCanceledEventAttributes',
} as const;

/**
 * The step as the workflow ran it: from the moment it scheduled submitStep to the moment
 * finishStep's end was recorded (or, for workflows from before steps waited by signal, the one
 * runStep activity). Activity retries (a busy controller) stay inside one scheduled event, so
 * they are part of the window. Null when the history holds no closed step.
 */
export async function stepWindow(client: Client, workflowId: string): Promise<StepWindow | null> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const windows = activityWindows(history.events ?? []);
  const single = windows.get('runStep')?.at(-1);
  if (single) return single;
  const submit = windows.get('submitStep')?.at(-1);
  const finish = windows.get('finishStep')?.at(-1);
  if (!submit || !finish) return null;
  return {
    scheduledAt: submit.scheduledAt,
    startedAt: submit.startedAt,
    endedAt: finish.endedAt,
    outcome: finish.outcome,
  };
}

type HistoryEvent = NonNullable<
  Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']
>[number];

/** Every closed activity of the history, by activity type, in the order they closed. */
function activityWindows(events: readonly HistoryEvent[]): Map<string, StepWindow[]> {
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  const windows = new Map<string, StepWindow[]>();
  for (const event of events) {
    const schedule = event.activityTaskScheduledEventAttributes;
    if (schedule) {
      const type = schedule.activityType?.name ?? '';
      scheduled.set(String(event.eventId), { type, at: epochMs(event.eventTime) });
      continue;
    }
    const start = event.activityTaskStartedEventAttributes;
    if (start) {
      started.set(String(start.scheduledEventId), epochMs(event.eventTime));
      continue;
    }
    for (const [outcome, field] of Object.entries(ENDS)) {
      const attributes = event[field];
      if (!attributes) continue;
      const id = String(attributes.scheduledEventId);
      const from = scheduled.get(id);
      if (!from) continue;
      const list = windows.get(from.type) ?? [];
      list.push({
        scheduledAt: from.at,
        startedAt: started.get(id) ?? Number.NaN,
        endedAt: epochMs(event.eventTime),
        outcome,
      });
      windows.set(from.type, list);
    }
  }
  return windows;
}
