/**
 * A sample step's fingerprint (domain/step-fingerprint.ts says what goes in): its command lines
 * are built by the same code that builds its job, with placeholders for every path and resource,
 * so anything that changes what the job runs changes the fingerprint, and nothing else does.
 */
import { createHash } from 'node:crypto';
import type { PlanStep, StepSettings } from '../domain/plan.ts';
import {
  basisProblem,
  fingerprintText,
  PLACEHOLDER,
  PLACEHOLDER_RESOURCES,
  REUSABLE_KINDS,
  type StepFingerprintBasis,
} from '../domain/step-fingerprint.ts';
import type { LoadedPipeline } from '../store/pipelines.ts';
import { commandLines } from '../tools/job-script.ts';
import { buildStepCommands } from '../tools/step-commands.ts';

export interface FingerprintStep {
  kind: PlanStep['kind'];
  /** The step's input names (their paths do not count). */
  inputNames: readonly string[];
  settings?: StepSettings | undefined;
}

export type StepFingerprint =
  { ok: true; fingerprint: string; basis: StepFingerprintBasis } | { ok: false; reason: string };

/**
 * The fingerprint of a step of `pipeline` for `sampleId`, given the tool versions a job reported
 * and the sha256 of each input.
 */
export function fingerprintStep(
  pipeline: LoadedPipeline,
  sampleId: string,
  step: FingerprintStep,
  toolVersions: Readonly<Record<string, string>>,
  inputSha256: Readonly<Record<string, string>>,
): StepFingerprint {
  if (!REUSABLE_KINDS.has(step.kind))
    return { ok: false, reason: `a ${step.kind} step is never reused` };
  const commands = buildStepCommands({
    kind: step.kind,
    inputs: Object.fromEntries(step.inputNames.map((name) => [name, PLACEHOLDER.input(name)])),
    resources: PLACEHOLDER_RESOURCES,
    pipeline: { spec: pipeline.spec, reference: PLACEHOLDER.reference },
    sampleId,
    regions: [],
    ...(step.settings ? { step: step.settings } : {}),
    springBin: PLACEHOLDER.spring,
  });
  const basis: StepFingerprintBasis = {
    kind: step.kind,
    tools: Object.fromEntries(commands.tools.map((tool) => [tool, toolVersions[tool] ?? ''])),
    commands: commandLines(commands.lines),
    settings: activitySettings(pipeline, step),
    reference: pipeline.spec.reference.sequences.map((s) => ({ name: s.name, md5: s.md5 })),
    inputs: Object.fromEntries(step.inputNames.map((name) => [name, inputSha256[name] ?? ''])),
  };
  const problem = basisProblem(basis);
  if (problem !== null) return { ok: false, reason: problem };
  const fingerprint = createHash('sha256').update(fingerprintText(basis)).digest('hex');
  return { ok: true, fingerprint, basis };
}

/**
 * What the step's activity decides beyond its job: the karyotype step's verdict and ploidy file
 * come from the stated karyotype and the spec's sex chromosomes.
 */
function activitySettings(
  pipeline: LoadedPipeline,
  step: FingerprintStep,
): Record<string, unknown> {
  if (step.kind !== 'karyotype-depth') return {};
  return {
    statedKaryotype: step.settings?.statedKaryotype ?? null,
    sexChromosomes: pipeline.spec.sexChromosomes ?? null,
  };
}
