/**
 * What Temporal's server knows of a running workflow without asking its worker (describe): the
 * activities it waits on, with their attempts and last failure. A query needs a live worker; this
 * answers even when every worker is down or busy.
 */
import type { DescribeWorkflowExecutionResponse } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { PendingActivity } from './domain/status.ts';
import { timestampIso } from './temporal-records.ts';

type RawFailure = proto.temporal.api.failure.v1.IFailure;

const State = proto.temporal.api.enums.v1.PendingActivityState;
const STATES: Record<number, PendingActivity['state']> = {
  [State.PENDING_ACTIVITY_STATE_SCHEDULED]: 'scheduled',
  [State.PENDING_ACTIVITY_STATE_STARTED]: 'started',
  [State.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED]: 'cancel-requested',
  [State.PENDING_ACTIVITY_STATE_PAUSED]: 'paused',
  [State.PENDING_ACTIVITY_STATE_PAUSE_REQUESTED]: 'paused',
};

/** A failure reported to a reader: its message and its causes', bounded. */
const MAX_FAILURE_CHARS = 500;

export function failureText(failure: RawFailure | null | undefined): string | null {
  const parts: string[] = [];
  let current = failure;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current.message && !parts.includes(current.message)) parts.push(current.message);
    current = current.cause;
  }
  if (parts.length === 0) return null;
  const text = parts.join(': ');
  return text.length > MAX_FAILURE_CHARS ? `${text.slice(0, MAX_FAILURE_CHARS - 1)}…` : text;
}

export function pendingActivitiesOf(raw: DescribeWorkflowExecutionResponse): PendingActivity[] {
  return (raw.pendingActivities ?? []).map((a) => ({
    activity: a.activityType?.name ?? 'unknown',
    state: STATES[a.state ?? 0] ?? 'unknown',
    attempt: a.attempt ?? 1,
    maximumAttempts: a.maximumAttempts ? a.maximumAttempts : null,
    lastFailure: failureText(a.lastFailure),
    scheduledAt: timestampIso(a.scheduledTime),
    lastStartedAt: timestampIso(a.lastStartedTime),
    nextAttemptAt: timestampIso(a.nextAttemptScheduleTime),
  }));
}
