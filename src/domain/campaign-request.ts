/**
 * The campaign request schema (zod), for the edges: CLI, API and client. Kept apart from
 * domain/campaign.ts so that workflow code, which imports that module, never loads zod.
 */
import { z } from 'zod';
import { MAX_CONCURRENT_LIMIT, type CampaignRequest } from './campaign.ts';
import { containsCpr } from './id-rules.ts';
import { idSchemaOf } from './ids.ts';
import { harmonisationModeSchema } from './policy.ts';
import { REUSE_CHOICES } from './step-reuse.ts';

export const campaignRequestSchema = z.strictObject({
  // The name becomes part of the campaign id: never a personal number.
  name: z
    .string()
    .max(200)
    .refine((name) => !containsCpr(name), 'must not contain a CPR-shaped number')
    .default(''),
  pipelineVersion: idSchemaOf('pipelineVersion'),
  selection: z.union([
    z.strictObject({ expression: z.string().min(1).max(2000) }),
    z.strictObject({ samplesFile: z.string().min(1) }),
  ]),
  maxConcurrent: z.number().int().min(1).max(MAX_CONCURRENT_LIMIT).default(100),
  mode: harmonisationModeSchema.optional(),
  reuse: z
    .enum(REUSE_CHOICES)
    .default('steps')
    .describe(
      'steps: a step an earlier version of the sample ran with the same fingerprint is taken from it, not run; none: every step runs',
    ),
  requestedBy: z.string().min(1).max(100),
}) satisfies z.ZodType<CampaignRequest, unknown>;
