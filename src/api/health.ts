/**
 * `/healthz` (no token): whether the API answers (it does, if this answers), whether Temporal
 * answers (200, else 503), and whether a worker polls the task queue. A worker that does not
 * poll leaves the answer 200: the API and Temporal work, but nothing progresses (`worker`).
 */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { POLL_FRESH_MS } from '../domain/service-health.ts';

export const healthResponse = z.object({
  status: z.enum(['ok', 'degraded']).describe('ok while Temporal answers, else degraded (503)'),
  temporal: z.boolean().describe('Temporal answered within 2 s'),
  pid: z.number().describe("the API's process id (harmonise up tells its own API by it)"),
  worker: z
    .object({
      taskQueue: z.string(),
      polling: z
        .boolean()
        .describe(`a worker polled the task queue within the last ${POLL_FRESH_MS / 1000} s`),
      workflowPollers: z.number().describe('workers polling for workflow tasks (and queries)'),
      activityPollers: z
        .number()
        .describe('workers polling for activities (a worker with every slot busy stops asking)'),
      lastPollAt: z
        .string()
        .nullable()
        .describe('the last poll Temporal remembers, recent or not; null if none'),
    })
    .nullable()
    .describe('null while Temporal does not answer'),
  checkedAt: z.string(),
});
export type HealthAnswer = z.infer<typeof healthResponse>;

export async function healthAnswer(
  client: HarmoniseClient,
): Promise<{ httpStatus: number; body: HealthAnswer }> {
  const health = await client.health();
  return {
    httpStatus: health.temporal ? 200 : 503,
    body: {
      status: health.temporal ? 'ok' : 'degraded',
      temporal: health.temporal,
      pid: process.pid,
      worker: health.worker,
      checkedAt: health.checkedAt,
    },
  };
}
