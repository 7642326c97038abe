/**
 * A probe job: one job through the whole path (workflow, activity, executor, poller) that does
 * only what it is told: sleep, hold some memory, exit with a code. Operators use it to check a
 * cluster; the tests and the overhead benchmark use it to drive every job outcome on purpose.
 */
import { z } from 'zod';
import { resourcesSchema } from './pipeline.ts';

export const probeSpecSchema = z.strictObject({
  sleepSeconds: z.number().int().min(0).max(86_400).default(0),
  /** MiB the job holds while it sleeps (to go over a memory request on purpose). */
  allocMiB: z.number().int().min(0).max(1_048_576).default(0),
  exitCode: z.number().int().min(0).max(255).default(0),
});
export type ProbeSpec = z.infer<typeof probeSpecSchema>;

export const probeInputSchema = z.strictObject({
  probeId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  probe: probeSpecSchema,
  resources: resourcesSchema,
  retry: z.strictObject({
    maxAttempts: z.number().int().min(1).max(10),
    maxMemMiB: z.number().int().min(16),
    maxTimeMinutes: z.number().int().min(1),
  }),
});
export type ProbeInput = z.infer<typeof probeInputSchema>;

export { PROBE_OUTPUT } from './probe-output.ts';
