/** What the WES routes share: their base path, the run id parameter and a run's state. */
import { z } from 'zod';
import { WES_STATES } from '../domain/wes-state.ts';

export const WES_BASE = '/ga4gh/wes/v1';

export const runParams = z.strictObject({
  runId: z
    .string()
    .regex(
      /^(submission|sample|campaign|frequency|probe):[A-Za-z0-9._:-]{1,200}$/,
      'not a harmonise run id',
    ),
});
export const runState = z.enum(WES_STATES);
export const runStatus = z.object({ run_id: z.string(), state: runState });
