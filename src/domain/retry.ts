/**
 * What happens after a step's job ends badly: pure, so every branch is table-tested.
 * Out of memory doubles memory, a time limit doubles time (both capped by the pipeline spec);
 * infrastructure failures retry unchanged; tool failures and outside cancellations do not retry.
 */
import type { JobResources, RetryCaps } from './pipeline.ts';

export type JobFailureKind = 'out-of-memory' | 'timeout' | 'infrastructure' | 'tool' | 'cancelled';

export type RetryDecision =
  { retry: true; resources: JobResources; reason: string } | { retry: false; reason: string };

export function decideRetry(
  failure: JobFailureKind,
  resources: JobResources,
  attempt: number,
  caps: RetryCaps,
): RetryDecision {
  if (failure === 'tool') return { retry: false, reason: 'the tool exited with an error' };
  if (failure === 'cancelled')
    return { retry: false, reason: 'the job was cancelled from outside' };
  if (attempt >= caps.maxAttempts) {
    return { retry: false, reason: `no attempts left (${attempt} of ${caps.maxAttempts} used)` };
  }
  if (failure === 'out-of-memory') {
    if (resources.memMiB >= caps.maxMemMiB) {
      return { retry: false, reason: `out of memory at the cap of ${caps.maxMemMiB} MiB` };
    }
    const memMiB = Math.min(resources.memMiB * 2, caps.maxMemMiB);
    return {
      retry: true,
      resources: { ...resources, memMiB },
      reason: `out of memory: ${memMiB} MiB next`,
    };
  }
  if (failure === 'timeout') {
    if (resources.timeMinutes >= caps.maxTimeMinutes) {
      return { retry: false, reason: `time limit hit at the cap of ${caps.maxTimeMinutes} min` };
    }
    const timeMinutes = Math.min(resources.timeMinutes * 2, caps.maxTimeMinutes);
    return {
      retry: true,
      resources: { ...resources, timeMinutes },
      reason: `time limit: ${timeMinutes} min next`,
    };
  }
  return { retry: true, resources, reason: 'infrastructure failure: retry unchanged' };
}
