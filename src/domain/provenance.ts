/**
 * provenance.json, schema v1: what a published sample is and how it came to be (pipeline version
 * and spec checksum, reference MD5s, the tool versions each job recorded, command lines, job ids,
 * every attempt, the submitted inputs with their checksums, and the published files' sha256).
 * Registration writes it; a rerun reads it back and trusts only a document this schema accepts.
 */
import { z } from 'zod';
import { JOB_STATES } from './job-state.ts';
import { FILE_KINDS } from './manifest.ts';
import { referenceSequenceSchema, resourcesSchema } from './pipeline.ts';
import { harmonisationModeSchema } from './policy.ts';
import { sampleVersionSchema } from './sample-record.ts';

export const PROVENANCE_SCHEMA = 'harmonise.provenance/v1';
export const PROVENANCE_FILE = 'provenance.json';

const md5Hex = z.string().regex(/^[0-9a-f]{32}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

const fileIdentitySchema = z.object({
  dev: z.string(),
  ino: z.string(),
  size: z.number().int().nonnegative(),
  mtimeNs: z.string(),
  host: z.string(),
});

const provenanceStepSchema = z.object({
  // Step names are the pipeline's own; an older provenance may name steps since renamed.
  name: z.string(),
  attempt: z.number().int().positive(),
  key: z.string(),
  jobId: z.string(),
  executor: z.string(),
  resources: resourcesSchema,
  submittedAt: z.string(),
  endedAt: z.string(),
  toolVersions: z.record(z.string(), z.string()),
  commands: z.array(z.string()),
  /** The step's fingerprint (what its outputs depend on), when it could have one. */
  fingerprint: sha256Hex.optional(),
  /** sha256 of the step's inputs and outputs, by name, as the fingerprint took them. */
  inputSha256: z.record(z.string(), sha256Hex).optional(),
  outputSha256: z.record(z.string(), sha256Hex).optional(),
  /** What the step's job measured. */
  usage: z.object({ cpuSeconds: z.number(), peakRssMiB: z.number() }).optional(),
  /**
   * Set when this version did not run the step: its outputs are those of the step of an earlier
   * version with the same fingerprint, whose job the other fields describe.
   */
  reusedFrom: z
    .object({ version: z.string(), step: z.string(), fingerprint: sha256Hex })
    .optional(),
});

const provenanceAttemptSchema = z.object({
  step: z.string(),
  attempt: z.number().int().positive(),
  jobId: z.string().nullable(),
  state: z.enum([...JOB_STATES, 'SUBMITTED']),
  resources: resourcesSchema,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  reason: z.string().nullable(),
});

/** A submitted file as intake checked it: the checksums a rerun compares against. */
const provenanceInputSchema = z.object({
  kind: z.enum(FILE_KINDS),
  relativePath: z.string().min(1),
  md5: md5Hex.nullable(),
  sha256: sha256Hex.nullable(),
  identity: fileIdentitySchema.optional(),
});

/** Fields are added over time, never renamed: unknown ones are kept, not refused. */
export const provenanceSchema = z.object({
  schema: z.literal(PROVENANCE_SCHEMA),
  sampleId: z.string(),
  region: z.string(),
  submissionId: z.string(),
  mode: harmonisationModeSchema,
  readType: z.enum(['short', 'long']),
  pipeline: z.object({ name: z.string(), version: z.string(), specSha256: sha256Hex }),
  reference: z.object({
    name: z.string(),
    fasta: z.string(),
    sequences: z.array(referenceSequenceSchema),
  }),
  tools: z.record(z.string(), z.string()),
  steps: z.array(provenanceStepSchema),
  attempts: z.array(provenanceAttemptSchema),
  inputs: z.array(provenanceInputSchema),
  outputs: z.record(z.string(), z.object({ sha256: sha256Hex })),
  verdict: sampleVersionSchema.shape.verdict,
  /** How the sample is counted on the sex chromosomes (pipelines that name them). */
  karyotype: sampleVersionSchema.shape.karyotype,
  workflow: z.object({ id: z.string(), runId: z.string() }),
  createdAt: z.string(),
});
export type Provenance = z.infer<typeof provenanceSchema>;
