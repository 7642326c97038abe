/**
 * planSample: what harmonising one sample means under a mode, decided from its manifest entry
 * and the pipeline spec alone (pure). The plan is plain JSON: it travels through workflow
 * history, and each step is later turned into one job script by `tools/`.
 */
import type { InputIssue } from './issues.ts';
import type { FileKind } from './manifest.ts';
import type { JobResources, PipelineSpec, RetryCaps, StepName } from './pipeline.ts';
import type { HarmonisationMode } from './policy.ts';

/** A step's input: a file that exists now, or an output of an earlier step of the same plan. */
export type StepInput = { path: string } | { fromStep: StepName; output: string };

export type StepKind = 'align-bwa' | 'markdup-cram' | 'call-gvcf' | 'frequency-aggregate' | 'probe';

export interface PlanStep {
  name: StepName;
  kind: StepKind;
  inputs: Record<string, StepInput>;
  /** Final file names the step's job leaves in its work directory. */
  outputs: string[];
  resources: JobResources;
}

export interface StepOutputRef {
  fromStep: StepName;
  output: string;
}

export interface SamplePlan {
  sampleId: string;
  region: string;
  submissionId: string;
  mode: HarmonisationMode;
  readType: 'short' | 'long';
  pipelineVersion: string;
  steps: PlanStep[];
  /** Caps on attempts and resources, from the pipeline spec. */
  retry: RetryCaps;
  /** Which step outputs become the published sample files. */
  publish: { cram: StepOutputRef; crai: StepOutputRef; gvcf: StepOutputRef; tbi: StepOutputRef };
  /** Why the plan is what it is, recorded with the sample. */
  notes: string[];
}

/** Who a sample is and how it is to be harmonised: shared by its workflow and its registration. */
export interface SampleWork {
  sampleId: string;
  region: string;
  submissionId: string;
  readType: 'short' | 'long';
  consent: { research: boolean };
  mode: HarmonisationMode;
  pipelineVersion: string;
}

export interface PlanInput {
  sampleId: string;
  region: string;
  submissionId: string;
  readType: 'short' | 'long';
  mode: HarmonisationMode;
  /** The sample's files with absolute paths, already validated by intake. */
  files: readonly { kind: FileKind; path: string }[];
  pipeline: PipelineSpec;
}

export type PlanOutcome = { ok: true; plan: SamplePlan } | { ok: false; issues: InputIssue[] };

export const SAMPLE_OUTPUTS = {
  alignedBam: 'aligned.bam',
  cram: 'sample.cram',
  crai: 'sample.cram.crai',
  gvcf: 'sample.g.vcf.gz',
  tbi: 'sample.g.vcf.gz.tbi',
} as const;

export function planSample(input: PlanInput): PlanOutcome {
  if (input.mode !== 'full') {
    return refuse(
      'PLAN_MODE_UNSUPPORTED',
      'mode',
      `mode "${input.mode}" is not supported yet; use "full"`,
    );
  }
  if (input.readType !== 'short') {
    return refuse(
      'PLAN_READ_TYPE_UNSUPPORTED',
      'readType',
      `read type "${input.readType}" is not supported yet in mode full; short reads only`,
    );
  }
  const r1 = input.files.filter((f) => f.kind === 'fastq-r1');
  const r2 = input.files.filter((f) => f.kind === 'fastq-r2');
  if (r1.length !== 1 || r2.length !== 1) {
    return refuse(
      'PLAN_NO_READ_PAIR',
      'files',
      `mode full needs exactly one fastq-r1 and one fastq-r2 file (found ${r1.length} and ${r2.length})`,
    );
  }
  const steps = input.pipeline.steps;
  const plan: SamplePlan = {
    sampleId: input.sampleId,
    region: input.region,
    submissionId: input.submissionId,
    mode: input.mode,
    readType: input.readType,
    pipelineVersion: input.pipeline.version,
    steps: [
      {
        name: 'align',
        kind: 'align-bwa',
        inputs: { r1: { path: r1[0]!.path }, r2: { path: r2[0]!.path } },
        outputs: [SAMPLE_OUTPUTS.alignedBam],
        resources: steps.align,
      },
      {
        name: 'markdup',
        kind: 'markdup-cram',
        inputs: { bam: { fromStep: 'align', output: SAMPLE_OUTPUTS.alignedBam } },
        outputs: [SAMPLE_OUTPUTS.cram, SAMPLE_OUTPUTS.crai],
        resources: steps.markdup,
      },
      {
        name: 'call',
        kind: 'call-gvcf',
        inputs: {
          cram: { fromStep: 'markdup', output: SAMPLE_OUTPUTS.cram },
          crai: { fromStep: 'markdup', output: SAMPLE_OUTPUTS.crai },
        },
        outputs: [SAMPLE_OUTPUTS.gvcf, SAMPLE_OUTPUTS.tbi],
        resources: steps.call,
      },
    ],
    retry: input.pipeline.retry,
    publish: {
      cram: { fromStep: 'markdup', output: SAMPLE_OUTPUTS.cram },
      crai: { fromStep: 'markdup', output: SAMPLE_OUTPUTS.crai },
      gvcf: { fromStep: 'call', output: SAMPLE_OUTPUTS.gvcf },
      tbi: { fromStep: 'call', output: SAMPLE_OUTPUTS.tbi },
    },
    notes: ['mode full: re-processed from raw FASTQ with the national pipeline'],
  };
  return { ok: true, plan };
}

function refuse(code: string, path: string, message: string): PlanOutcome {
  return { ok: false, issues: [{ code, path, message }] };
}

/** Outputs of finished steps: step name → output name → absolute path. */
export type StepOutputs = Partial<Record<StepName, Record<string, string>>>;

/** Resolves a step's inputs against earlier steps' outputs; throws if one is not there yet. */
export function resolveStepInputs(step: PlanStep, done: StepOutputs): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, input] of Object.entries(step.inputs)) {
    resolved[name] = 'path' in input ? input.path : resolveOutput(input, done);
  }
  return resolved;
}

export function resolveOutput(ref: StepOutputRef, done: StepOutputs): string {
  const file = done[ref.fromStep]?.[ref.output];
  if (file === undefined)
    throw new Error(`output ${ref.output} of step ${ref.fromStep} is not available`);
  return file;
}
