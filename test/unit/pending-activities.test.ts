import proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { failureText, pendingActivitiesOf } from '../../src/client-describe.ts';

const State = proto.temporal.api.enums.v1.PendingActivityState;
// Temporal's answers carry Long seconds; a number reads the same.
const ts = (iso: string) =>
  ({ seconds: Date.parse(iso) / 1000, nanos: 0 }) as unknown as proto.google.protobuf.ITimestamp;

describe('pendingActivitiesOf', () => {
  it('reads attempts, the last failure with its cause, and the retry time', () => {
    const activities = pendingActivitiesOf({
      pendingActivities: [
        {
          activityId: '1',
          activityType: { name: 'validateSubmission' },
          state: State.PENDING_ACTIVITY_STATE_SCHEDULED,
          attempt: 4,
          maximumAttempts: 0,
          scheduledTime: ts('2026-12-01T10:00:00Z'),
          lastStartedTime: ts('2026-12-01T10:00:07Z'),
          nextAttemptScheduleTime: ts('2026-12-01T10:00:15Z'),
          lastFailure: {
            message: 'activity failed',
            cause: { message: "ENOTDIR: not a directory, mkdir '<data>/x'" },
          },
        },
        {
          activityId: '2',
          activityType: { name: 'resolvePolicy' },
          state: State.PENDING_ACTIVITY_STATE_STARTED,
          attempt: 1,
          maximumAttempts: 5,
        },
      ],
    });
    expect(activities).toEqual([
      {
        activity: 'validateSubmission',
        state: 'scheduled',
        attempt: 4,
        maximumAttempts: null,
        lastFailure: "activity failed: ENOTDIR: not a directory, mkdir '<data>/x'",
        scheduledAt: '2026-12-01T10:00:00.000Z',
        lastStartedAt: '2026-12-01T10:00:07.000Z',
        nextAttemptAt: '2026-12-01T10:00:15.000Z',
      },
      {
        activity: 'resolvePolicy',
        state: 'started',
        attempt: 1,
        maximumAttempts: 5,
        lastFailure: null,
        scheduledAt: null,
        lastStartedAt: null,
        nextAttemptAt: null,
      },
    ]);
  });

  it('bounds a long failure message and repeats no message of a cause', () => {
    expect(failureText({ message: 'same', cause: { message: 'same' } })).toBe('same');
    const long = failureText({ message: 'x'.repeat(2000) });
    expect(long).toHaveLength(500);
    expect(long!.endsWith('…')).toBe(true);
    expect(failureText(null)).toBeNull();
  });
});
