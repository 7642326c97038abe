/** The answer schema of a pending activity (domain/status.ts PendingActivity), for the routes. */
import { z } from 'zod';
import type { PendingActivity } from '../domain/status.ts';

export const pendingActivity = z.object({
  activity: z.string(),
  state: z.enum(['scheduled', 'started', 'cancel-requested', 'paused', 'unknown']),
  attempt: z.number().describe('1 on the first try; each failed attempt adds one'),
  maximumAttempts: z.number().nullable().describe('null: retried until it succeeds'),
  lastFailure: z.string().nullable().describe("the last failed attempt's message"),
  scheduledAt: z.string().nullable(),
  lastStartedAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
}) satisfies z.ZodType<PendingActivity>;
