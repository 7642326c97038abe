/**
 * provenance.json: what a published sample is and how it came to be (pipeline version and spec
 * checksum, reference MD5s, the tool versions each job recorded, command lines, job ids, every
 * attempt, the submitted inputs with their checksums, and the published files' sha256).
 */
import type { PlanVerdict } from '../domain/plan.ts';
import type { JobResources } from '../domain/pipeline.ts';
import type { LoadedPipeline } from '../store/pipelines.ts';
import type { RegisterSampleInput } from './registration.ts';

export const PROVENANCE_SCHEMA = 'harmonise.provenance/v1';
export const PROVENANCE_FILE = 'provenance.json';

interface ProvenanceStep {
  name: string;
  attempt: number;
  key: string;
  jobId: string;
  executor: string;
  resources: JobResources;
  submittedAt: string;
  endedAt: string;
  toolVersions: Record<string, string>;
  commands: string[];
}

export interface Provenance {
  schema: typeof PROVENANCE_SCHEMA;
  sampleId: string;
  region: string;
  submissionId: string;
  mode: string;
  readType: string;
  pipeline: { name: string; version: string; specSha256: string };
  reference: {
    name: string;
    fasta: string;
    sequences: { name: string; length: number; md5: string }[];
  };
  tools: Record<string, string>;
  steps: ProvenanceStep[];
  attempts: RegisterSampleInput['attempts'];
  inputs: RegisterSampleInput['inputs'];
  outputs: Record<string, { sha256: string }>;
  verdict: PlanVerdict;
  workflow: { id: string; runId: string };
  createdAt: string;
}

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
    })),
    attempts: input.attempts,
    inputs: input.inputs,
    outputs: Object.fromEntries(
      Object.entries(sha256).map(([name, sum]) => [name, { sha256: sum }]),
    ),
    verdict: input.verdict,
    workflow: { id: input.workflowId, runId: input.runId },
    createdAt: new Date().toISOString(),
  };
}
