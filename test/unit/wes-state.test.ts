import { describe, expect, it } from 'vitest';
import { wesState } from '../../src/domain/wes-state.ts';

describe('wesState', () => {
  it.each([
    ['RUNNING', null, 'QUEUED'],
    ['RUNNING', 'received', 'QUEUED'],
    ['RUNNING', 'preparing', 'INITIALIZING'],
    ['RUNNING', 'validating', 'INITIALIZING'],
    ['RUNNING', 'resolving', 'INITIALIZING'],
    ['RUNNING', 'snapshot', 'INITIALIZING'],
    ['RUNNING', 'running', 'RUNNING'],
    ['RUNNING', 'aggregating', 'RUNNING'],
    ['RUNNING', 'paused', 'PAUSED'],
    ['RUNNING', 'cancelling', 'CANCELING'],
    ['RUNNING', 'preempted', 'PREEMPTED'],
    ['CONTINUED_AS_NEW', 'running', 'RUNNING'],
    ['COMPLETED', 'done', 'COMPLETE'],
    ['COMPLETED', 'accepted', 'COMPLETE'],
    ['COMPLETED', 'partially-accepted', 'COMPLETE'],
    ['COMPLETED', 'completed', 'COMPLETE'],
    ['COMPLETED', 'rejected', 'EXECUTOR_ERROR'],
    ['COMPLETED', 'failed', 'EXECUTOR_ERROR'],
    ['COMPLETED', 'cancelled', 'CANCELED'],
    ['FAILED', 'failed', 'SYSTEM_ERROR'],
    ['TIMED_OUT', 'running', 'SYSTEM_ERROR'],
    ['CANCELLED', 'running', 'CANCELED'],
    ['TERMINATED', 'running', 'CANCELED'],
    ['UNSPECIFIED', null, 'UNKNOWN'],
  ] as const)('%s with stage %s is %s', (execution, stage, expected) => {
    expect(wesState(execution, stage)).toBe(expected);
  });
});
