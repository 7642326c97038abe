import { describe, expect, it } from 'vitest';
import type { JobResources, RetryCaps } from '../../src/domain/pipeline.ts';
import { decideRetry, type JobFailureKind } from '../../src/domain/retry.ts';
import { finalSubmissionStatus, type SampleOutcome } from '../../src/domain/status.ts';

const caps: RetryCaps = { maxAttempts: 4, maxMemMiB: 8192, maxTimeMinutes: 240 };
const base: JobResources = { cpus: 2, memMiB: 2048, timeMinutes: 60 };

describe('decideRetry', () => {
  const table: [string, JobFailureKind, JobResources, number, false | Partial<JobResources>][] = [
    [
      'doubles memory after out of memory',
      'out-of-memory',
      base,
      1,
      { memMiB: 4096, timeMinutes: 60 },
    ],
    ['caps doubled memory', 'out-of-memory', { ...base, memMiB: 6000 }, 1, { memMiB: 8192 }],
    ['stops at the memory cap', 'out-of-memory', { ...base, memMiB: 8192 }, 1, false],
    ['doubles time after a time limit', 'timeout', base, 1, { timeMinutes: 120, memMiB: 2048 }],
    ['caps doubled time', 'timeout', { ...base, timeMinutes: 200 }, 2, { timeMinutes: 240 }],
    ['stops at the time cap', 'timeout', { ...base, timeMinutes: 240 }, 1, false],
    ['retries infrastructure failures unchanged', 'infrastructure', base, 2, base],
    ['never retries a tool failure', 'tool', base, 1, false],
    ['never retries an outside cancellation', 'cancelled', base, 1, false],
    ['stops when attempts are used up', 'infrastructure', base, 4, false],
    ['stops out-of-memory retries when attempts are used up', 'out-of-memory', base, 4, false],
  ];
  it.each(table)('%s', (_name, failure, resources, attempt, expected) => {
    const decision = decideRetry(failure, resources, attempt, caps);
    if (expected === false) {
      expect(decision.retry).toBe(false);
    } else {
      expect(decision.retry).toBe(true);
      if (decision.retry) expect(decision.resources).toMatchObject(expected);
    }
    expect(decision.reason.length).toBeGreaterThan(5);
  });
});

describe('finalSubmissionStatus', () => {
  const table: [SampleOutcome[], string][] = [
    [['done', 'done'], 'accepted'],
    [['done', 'rejected'], 'partially-accepted'],
    [['done', 'failed'], 'partially-accepted'],
    [['failed', 'rejected'], 'failed'],
    [['rejected', 'rejected'], 'rejected'],
    [[], 'rejected'],
  ];
  it.each(table)('%j gives %s', (outcomes, expected) => {
    expect(finalSubmissionStatus(outcomes.map((status) => ({ status })))).toBe(expected);
  });
});
