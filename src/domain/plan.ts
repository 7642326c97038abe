/**
 * The shape of a sample's plan (see planner.ts for how one is made). The plan is plain JSON: it
 * travels through workflow history, and each step is turned into one job script by `tools/`.
 */
import type { InputIssue } from './issues.ts';
import type { FileKind } from './manifest.ts';
import type { JobResources, JobStepName, PipelineSpec, RetryCaps, StepName } from './pipeline.ts';
import type { FileFacts } from './file-facts.ts';
import type { Karyotype } from './karyotype.ts';
import type { HarmonisationMode } from './policy.ts';

/** A step's input: a file that exists now, or an output of an earlier step of the same plan. */
export type StepInput = { path: string } | { fromStep: StepName; output: string };

export type StepKind =
  | 'adopt-files'
  | 'align-bwa'
  | 'align-minimap2'
  | 'markdup-cram'
  | 'karyotype-depth'
  | 'call-gvcf'
  | 'frequency-aggregate'
  | 'frequency-contribution'
  | 'frequency-partial'
  | 'frequency-reduce'
  | 'frequency-gather'
  | 'probe'
  | 'tool-versions'
  | 'noop';

/** Where an align step's reads come from. */
export type ReadsFormat = 'fastq-pair' | 'fastq' | 'alignment' | 'spring';

export interface PlanStep {
  name: JobStepName;
  kind: StepKind;
  inputs: Record<string, StepInput>;
  /** Final file names the step's job leaves in its work directory. */
  outputs: string[];
  resources: JobResources;
  /** align steps: the form of the reads in `inputs`. */
  readsFormat?: ReadsFormat;
  /** call steps: use the pipeline's long-read mpileup arguments. */
  longReads?: boolean;
  /** karyotype steps: what the manifest states (null: nothing), judged against the depth. */
  statedKaryotype?: Karyotype | null;
  /** adopt steps: outputs made by converting a BAM to CRAM, and indexes to build if missing. */
  adopt?: { convertToCram: string[]; index: { of: string; to: string }[] };
  /** noop steps: how long the job sleeps. */
  sleepSeconds?: number;
  /** frequency shards: the genomic region (`chr1:1-50000000`). */
  region?: string;
  /** frequency reduce: the shard's name, as the batch partials key it. */
  shardName?: string;
}

/** A step's settings that its job script depends on (besides its inputs). */
export interface StepSettings {
  readsFormat?: ReadsFormat | undefined;
  longReads?: boolean | undefined;
  statedKaryotype?: Karyotype | null | undefined;
  adopt?: PlanStep['adopt'] | undefined;
  /** noop steps: how long the job sleeps. */
  sleepSeconds?: number | undefined;
  /** frequency shards: the genomic region (`chr1:1-50000000`). */
  region?: string | undefined;
  /** frequency reduce: the shard's name (`shard-0001`), as the batch partials key it. */
  shardName?: string | undefined;
}

/** The plan step's own settings, as its job (and its fingerprint) gets them. */
export function stepSettings(step: PlanStep): StepSettings {
  return {
    readsFormat: step.readsFormat,
    longReads: step.longReads,
    statedKaryotype: step.statedKaryotype,
    adopt: step.adopt,
    sleepSeconds: step.sleepSeconds,
  };
}

export interface StepOutputRef {
  fromStep: StepName;
  output: string;
}

/** How each part of the sample was treated, and why: recorded with the sample. */
export interface PlanVerdict {
  alignment: 'aligned' | 'realigned' | 'kept' | 'registered' | 'none';
  variants: 'called' | 'kept' | 'registered' | 'none';
  reasons: string[];
  /**
   * Mode none: whether the registered gVCF could enter a frequency release, were the policy to
   * include unharmonised samples (a gVCF on the national reference with matching REF alleles).
   */
  registeredGvcf?: { releasable: boolean; reason: string };
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
  /** The published files by role (a manifest kind), each an output of a step. */
  publish: Partial<Record<FileKind, StepOutputRef>>;
  verdict: PlanVerdict;
}

/** Who a sample is and how it is to be harmonised: shared by its workflow and its registration. */
export interface SampleWork {
  sampleId: string;
  region: string;
  submissionId: string;
  readType: 'short' | 'long';
  consent: { research: boolean };
  /** The karyotype the manifest states; absent: nothing stated. */
  karyotype?: Karyotype;
  mode: HarmonisationMode;
  pipelineVersion: string;
}

export interface PlanFile {
  kind: FileKind;
  /** Absolute, inside the submission. */
  path: string;
  facts: FileFacts | null;
}

export interface PlanInput {
  sampleId: string;
  region: string;
  submissionId: string;
  readType: 'short' | 'long';
  /** The karyotype the manifest states; absent: nothing stated. */
  karyotype?: Karyotype;
  mode: HarmonisationMode;
  files: readonly PlanFile[];
  pipeline: PipelineSpec;
  /** Whether the site has a `spring` binary (SPRING input cannot be read without one). */
  springAvailable: boolean;
}

export type PlanOutcome = { ok: true; plan: SamplePlan } | { ok: false; issues: InputIssue[] };

/** File names of published sample files, by role. */
export const PUBLISHED_NAMES: Readonly<Record<FileKind, string>> = {
  'fastq-r1': 'reads_R1.fastq.gz',
  'fastq-r2': 'reads_R2.fastq.gz',
  fastq: 'reads.fastq.gz',
  spring: 'reads.spring',
  ucram: 'reads.unaligned.cram',
  cram: 'sample.cram',
  crai: 'sample.cram.crai',
  bam: 'sample.bam',
  bai: 'sample.bam.bai',
  vcf: 'sample.vcf.gz',
  gvcf: 'sample.g.vcf.gz',
  tbi: 'sample.g.vcf.gz.tbi',
};

/** Intermediate outputs of the alignment steps. */
export const ALIGNED_BAM = 'aligned.bam';

/**
 * Outputs of the karyotype step: the job's `samtools bedcov` depth, then (written by the step's
 * activity from it) the verdict and the bcftools ploidy file for the sample's karyotype.
 */
export const KARYOTYPE_OUTPUTS = {
  depth: 'depth.bedcov',
  verdict: 'karyotype.json',
  ploidy: 'ploidy.txt',
} as const;

/** Outputs of finished steps: step name → output name → absolute path. */
export type StepOutputs = Partial<Record<JobStepName, Record<string, string>>>;

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

/** A plan refused for a reason found in the files (the submission is rejected with it). */
export function refusePlan(code: string, message: string): PlanOutcome {
  return { ok: false, issues: [{ code, path: 'files', message } satisfies InputIssue] };
}

export const stepOutput = (fromStep: StepOutputRef['fromStep'], output: string): StepOutputRef => ({
  fromStep,
  output,
});

/** A plan for the sample of `input`: its steps, what is published from them, and why. */
export function acceptPlan(
  input: PlanInput,
  steps: PlanStep[],
  publish: SamplePlan['publish'],
  verdict: PlanVerdict,
): PlanOutcome {
  return {
    ok: true,
    plan: {
      sampleId: input.sampleId,
      region: input.region,
      submissionId: input.submissionId,
      mode: input.mode,
      readType: input.readType,
      pipelineVersion: input.pipeline.version,
      steps,
      retry: input.pipeline.retry,
      publish,
      verdict,
    },
  };
}
