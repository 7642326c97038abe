/**
 * Builds a published sample's provenance.json (schema and its meaning: domain/provenance.ts) from
 * what its registration was given.
 */
import { PROVENANCE_SCHEMA, type Provenance } from '../domain/provenance.ts';
import type { LoadedPipeline } from '../store/pipelines.ts';
import type { RegisterSampleInput } from './register-input.ts';

export function buildProvenance(
  input: RegisterSampleInput,
  pipeline: LoadedPipeline,
  sha256: Record<string, string>,
): Provenance {
  return {
    schema: PROVENANCE_SCHEMA,
    sampleId: input.sampleId,
    region: input.region,
    submissionId: input.submissionId,
    mode: input.mode,
    readType: input.readType,
    pipeline: {
      name: pipeline.spec.name,
      version: pipeline.spec.version,
      specSha256: pipeline.specSha256,
    },
    reference: {
      name: pipeline.spec.reference.name,
      fasta: pipeline.referenceFasta,
      sequences: pipeline.spec.reference.sequences,
    },
    tools: Object.assign({}, ...input.steps.map((s) => s.toolVersions)) as Record<string, string>,
    steps: input.steps.map((s) => ({
      name: s.step,
      attempt: s.attempt,
      key: s.key,
      jobId: s.jobId,
      executor: s.executor,
      resources: s.resources,
      submittedAt: s.submittedAt,
      endedAt: s.endedAt,
      toolVersions: s.toolVersions,
      commands: s.commands,
      ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
      ...(s.inputSha256 ? { inputSha256: s.inputSha256 } : {}),
      ...(s.outputSha256 ? { outputSha256: s.outputSha256 } : {}),
      ...(s.usage ? { usage: s.usage } : {}),
      ...(s.reusedFrom ? { reusedFrom: s.reusedFrom } : {}),
    })),
    attempts: input.attempts,
    inputs: input.inputs,
    outputs: Object.fromEntries(
      Object.entries(sha256).map(([name, sum]) => [name, { sha256: sum }]),
    ),
    verdict: input.verdict,
    ...(input.karyotypeVerdict ? { karyotype: input.karyotypeVerdict } : {}),
    workflow: { id: input.workflowId, runId: input.runId },
    createdAt: new Date().toISOString(),
  };
}
