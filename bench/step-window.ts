/**
 * When a probe's step began and ended as Temporal recorded it: from the moment the workflow
 * scheduled the step's activity (before runStep's look-up, the rate limiter and sbatch) to the
 * moment the activity's end was recorded for the workflow. This is what a user waits for; the
 * times come from the server's history, not from the worker's clock.
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
 * The last attempt of the workflow's `activityType` activity: its ActivityTaskScheduled event
 * and the event that closed it. Activity retries (a busy controller) stay inside one scheduled
 * event, so they are part of the window. Null when the history holds no closed such activity.
 */
export async function stepWindow(
  client: Client,
  workflowId: string,
  activityType = 'runStep',
): Promise<StepWindow | null> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, number>();
  const started = new Map<string, number>();
  let window: StepWindow | null = null;
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === activityType) {
      scheduled.set(String(event.eventId), epochMs(event.eventTime));
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
      const scheduledAt = scheduled.get(id);
      if (scheduledAt !== undefined) {
        const startedAt = started.get(id) ?? Number.NaN;
        window = { scheduledAt, startedAt, endedAt: epochMs(event.eventTime), outcome };
      }
    }
  }
  return window;
}
