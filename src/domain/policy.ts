/**
 * NGC's harmonisation policy: the mode per region, with a default (docs/configuration.md). The
 * submitter never chooses its mode; only an operator may override it for one submission.
 */
import { z } from 'zod';
import { regionSchema } from './manifest.ts';

export const HARMONISATION_MODES = ['full', 'partial', 'none'] as const;
export const harmonisationModeSchema = z.enum(HARMONISATION_MODES);
export type HarmonisationMode = z.infer<typeof harmonisationModeSchema>;

export const POLICY_SCHEMA = 'harmonise.policy/v1';

export const policySchema = z.strictObject({
  schema: z.literal(POLICY_SCHEMA),
  default: harmonisationModeSchema.default('full'),
  regions: z.record(regionSchema, harmonisationModeSchema).default({}),
  /** The national pipeline version new submissions are harmonised with; default: the newest. */
  pipelineVersion: z.string().optional(),
  /** Frequency releases: whether samples registered as submitted (mode none) may enter them. */
  frequency: z
    .strictObject({ includeModeNone: z.boolean().default(false) })
    .default({ includeModeNone: false }),
});
export type Policy = z.infer<typeof policySchema>;

/** The policy when no file exists: every region `full`, the newest pipeline. */
export const DEFAULT_POLICY: Policy = {
  schema: POLICY_SCHEMA,
  default: 'full',
  regions: {},
  frequency: { includeModeNone: false },
};

export function modeForRegion(policy: Policy, region: string): HarmonisationMode {
  return policy.regions[region] ?? policy.default;
}
