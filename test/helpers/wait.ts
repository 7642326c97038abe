/**
 * Waiting in tests for a condition, never for a fixed time: polls `condition` until it gives a
 * value other than false, null or undefined, and fails naming what was awaited once the deadline
 * passes. An error the condition throws fails the wait at once (say "not yet" by returning).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the failure message: "the job to record its pid". */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { what, timeoutMs = 30_000, intervalMs = 50 }: WaitOptions,
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== false && value !== null && value !== undefined) {
      return value as Exclude<T, false | null | undefined>;
    }
    if (Date.now() >= deadline) throw new Error(`waited ${timeoutMs} ms for ${what}, in vain`);
    await sleep(intervalMs);
  }
}
