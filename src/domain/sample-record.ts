/**
 * The catalogue's sample record (`gdb/catalogue/<sampleId>.json`): who the sample belongs to,
 * its consent, and every pipeline version it was harmonised with, with files and checksums.
 */
import { z } from 'zod';
import { karyotypeVerdictSchema } from './karyotype.ts';
import { harmonisationModeSchema } from './policy.ts';

export const SAMPLE_RECORD_SCHEMA = 'harmonise.sample/v1';

export const sampleVersionSchema = z.object({
  pipelineVersion: z.string(),
  mode: harmonisationModeSchema,
  /**
   * harmonised: made or vouched for by the national pipeline; registered: accepted as submitted;
   * benchmark: a run of a `noop` pipeline, which publishes nothing and is never released.
   */
  status: z.enum(['harmonised', 'registered', 'benchmark']),
  submissionId: z.string(),
  workflowId: z.string(),
  publishedAt: z.string(),
  dir: z.string(),
  /** Published files by role (a manifest kind such as cram, gvcf, tbi), plus provenance. */
  files: z.record(z.string(), z.string()),
  /** sha256 of each published file, by file name. */
  sha256: z.record(z.string(), z.string()),
  verdict: z.object({
    alignment: z.enum(['aligned', 'realigned', 'kept', 'registered', 'none']),
    variants: z.enum(['called', 'kept', 'registered', 'none']),
    reasons: z.array(z.string()),
    registeredGvcf: z.object({ releasable: z.boolean(), reason: z.string() }).optional(),
  }),
  /**
   * How the sample is counted on the sex chromosomes, for a pipeline that names them: stated in
   * the manifest or measured from the CRAM's depth. Absent: counted as `unknown`.
   */
  karyotype: karyotypeVerdictSchema.optional(),
});
export type SampleVersion = z.infer<typeof sampleVersionSchema>;

export const sampleRecordSchema = z.object({
  schema: z.literal(SAMPLE_RECORD_SCHEMA),
  sampleId: z.string(),
  region: z.string(),
  readType: z.enum(['short', 'long']),
  consent: z.object({ research: z.boolean(), withdrawnAt: z.string().optional() }),
  versions: z.record(z.string(), sampleVersionSchema),
  updatedAt: z.string(),
});
export type SampleRecord = z.infer<typeof sampleRecordSchema>;
