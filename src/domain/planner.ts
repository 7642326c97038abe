/**
 * planSample: what harmonising one sample means under its mode, decided from its
 * manifest entry, what intake learnt about its files, and the pipeline spec alone (pure).
 *
 * - full: re-process from raw reads: FASTQ pair, unaligned CRAM, a submitted CRAM/BAM (reads
 *   recovered from it), SPRING (with the site's spring binary), or long reads (minimap2).
 * - partial: keep a submitted alignment that is provably on the national reference and made by an
 *   approved aligner, else re-align as full; keep a submitted gVCF whose contigs and REF alleles
 *   match the reference, else call with the national caller.
 * - none: register the submitted files as they are.
 */
import type { AlignmentFacts, VariantFacts } from './file-facts.ts';
import { judgeAlignment, judgeVariants } from './judgements.ts';
import type { FileKind } from './manifest.ts';
import { planNone } from './plan-none.ts';
import {
  acceptPlan,
  ALIGNED_BAM,
  PUBLISHED_NAMES,
  refusePlan,
  stepOutput,
  type PlanFile,
  type PlanInput,
  type PlanOutcome,
  type PlanStep,
  type PlanVerdict,
  type ReadsFormat,
  type StepInput,
  type StepOutputRef,
} from './plan.ts';

export function planSample(input: PlanInput): PlanOutcome {
  if (input.mode === 'none') return planNone(input);
  if (input.mode === 'partial') return planPartial(input);
  return planFull(input);
}

const first = (input: PlanInput, kind: FileKind): PlanFile | undefined =>
  input.files.find((f) => f.kind === kind);
const all = (input: PlanInput, kind: FileKind): PlanFile[] =>
  input.files.filter((f) => f.kind === kind);

function alignmentFacts(file: PlanFile | undefined): AlignmentFacts | null {
  return file?.facts?.kind === 'alignment' ? file.facts.facts : null;
}

function variantFacts(file: PlanFile | undefined): VariantFacts | null {
  return file?.facts?.kind === 'variants' ? file.facts.facts : null;
}

interface ReadsChoice {
  format: ReadsFormat;
  inputs: Record<string, StepInput>;
  from: string;
}

/** The raw reads to re-process from, best first: FASTQ, unaligned CRAM, SPRING, then an alignment. */
function chooseReads(input: PlanInput): ReadsChoice | { issue: PlanOutcome } {
  if (input.readType === 'long') {
    const reads = all(input, 'fastq');
    if (reads.length !== 1) {
      return {
        issue: refusePlan(
          'PLAN_NO_READS',
          `long reads need exactly one fastq file (found ${reads.length})`,
        ),
      };
    }
    return {
      format: 'fastq',
      inputs: { reads: { path: reads[0]!.path } },
      from: 'long-read FASTQ',
    };
  }
  const r1 = all(input, 'fastq-r1');
  const r2 = all(input, 'fastq-r2');
  if (r1.length > 0 || r2.length > 0) {
    if (r1.length !== 1 || r2.length !== 1) {
      return {
        issue: refusePlan(
          'PLAN_NO_READ_PAIR',
          `short reads as FASTQ need exactly one fastq-r1 and one fastq-r2 (found ${r1.length} and ${r2.length})`,
        ),
      };
    }
    return {
      format: 'fastq-pair',
      inputs: { r1: { path: r1[0]!.path }, r2: { path: r2[0]!.path } },
      from: 'FASTQ',
    };
  }
  const ucram = first(input, 'ucram');
  if (ucram)
    return { format: 'alignment', inputs: { reads: { path: ucram.path } }, from: 'unaligned CRAM' };
  const spring = first(input, 'spring');
  if (spring) {
    if (!input.springAvailable) {
      return {
        issue: refusePlan(
          'SPRING_UNAVAILABLE',
          "SPRING input needs the site's spring binary (HARMONISE_SPRING_BIN); none is configured " +
            "(Debian's package named spring is a game, not the FASTQ compressor)",
        ),
      };
    }
    return { format: 'spring', inputs: { reads: { path: spring.path } }, from: 'SPRING' };
  }
  const aligned = first(input, 'cram') ?? first(input, 'bam');
  if (aligned) {
    return {
      format: 'alignment',
      inputs: { reads: { path: aligned.path } },
      from: `reads recovered from the submitted ${aligned.kind.toUpperCase()}`,
    };
  }
  return {
    issue: refusePlan(
      'PLAN_NO_READS',
      'no raw reads: needs FASTQ, an unaligned CRAM, SPRING, or a CRAM/BAM',
    ),
  };
}

/** Align (bwa or minimap2) then mark duplicates into the national CRAM. */
function alignSteps(input: PlanInput, reads: ReadsChoice): PlanStep[] {
  const long = input.readType === 'long';
  return [
    {
      name: 'align',
      kind: long ? 'align-minimap2' : 'align-bwa',
      inputs: reads.inputs,
      outputs: [ALIGNED_BAM],
      resources: input.pipeline.steps.align,
      readsFormat: reads.format,
    },
    {
      name: 'markdup',
      kind: 'markdup-cram',
      inputs: { bam: { fromStep: 'align', output: ALIGNED_BAM } },
      outputs: [PUBLISHED_NAMES.cram, PUBLISHED_NAMES.crai],
      resources: input.pipeline.steps.markdup,
    },
  ];
}

function callStep(input: PlanInput, cram: StepOutputRef): PlanStep {
  return {
    name: 'call',
    kind: 'call-gvcf',
    inputs: { cram },
    outputs: [PUBLISHED_NAMES.gvcf, PUBLISHED_NAMES.tbi],
    resources: input.pipeline.steps.call,
    longReads: input.readType === 'long',
  };
}

const harmonisedPublish = (
  cram: StepOutputRef,
  crai: StepOutputRef,
  gvcf: StepOutputRef,
  tbi: StepOutputRef,
) => ({
  cram,
  crai,
  gvcf,
  tbi,
});

export function planFull(input: PlanInput): PlanOutcome {
  const reads = chooseReads(input);
  if ('issue' in reads) return reads.issue;
  const steps = [
    ...alignSteps(input, reads),
    callStep(input, stepOutput('markdup', PUBLISHED_NAMES.cram)),
  ];
  return acceptPlan(
    input,
    steps,
    harmonisedPublish(
      stepOutput('markdup', PUBLISHED_NAMES.cram),
      stepOutput('markdup', PUBLISHED_NAMES.crai),
      stepOutput('call', PUBLISHED_NAMES.gvcf),
      stepOutput('call', PUBLISHED_NAMES.tbi),
    ),
    {
      alignment: 'aligned',
      variants: 'called',
      reasons: [`mode full: re-processed from ${reads.from} with the national pipeline`],
    },
  );
}

export function planPartial(input: PlanInput): PlanOutcome {
  const { approvedAligners } = input.pipeline.partial;
  const submittedAlignment = first(input, 'cram') ?? first(input, 'bam');
  const alignment = alignmentFacts(submittedAlignment);
  const alignmentJudgement = alignment ? judgeAlignment(alignment, approvedAligners) : null;
  const gvcfFile = first(input, 'gvcf');
  const gvcf = variantFacts(gvcfFile);
  const variantJudgement = gvcf ? judgeVariants(gvcf) : null;
  const reasons: string[] = [];
  const steps: PlanStep[] = [];
  const adoptInputs: Record<string, StepInput> = {};
  const convertToCram: string[] = [];
  const index: { of: string; to: string }[] = [];
  let cramFrom: StepOutputRef;
  let verdictAlignment: PlanVerdict['alignment'];

  if (submittedAlignment && alignmentJudgement?.keep) {
    adoptInputs[PUBLISHED_NAMES.cram] = { path: submittedAlignment.path };
    if (submittedAlignment.kind === 'bam') convertToCram.push(PUBLISHED_NAMES.cram);
    const crai = submittedAlignment.kind === 'cram' ? first(input, 'crai') : undefined;
    if (crai) adoptInputs[PUBLISHED_NAMES.crai] = { path: crai.path };
    else index.push({ of: PUBLISHED_NAMES.cram, to: PUBLISHED_NAMES.crai });
    cramFrom = stepOutput('adopt', PUBLISHED_NAMES.cram);
    verdictAlignment = 'kept';
    reasons.push(`${submittedAlignment.kind.toUpperCase()} kept: ${alignmentJudgement.reason}`);
  } else {
    const reads = chooseReads(input);
    if ('issue' in reads) return reads.issue;
    steps.push(...alignSteps(input, reads));
    cramFrom = stepOutput('markdup', PUBLISHED_NAMES.cram);
    verdictAlignment = 'realigned';
    reasons.push(
      alignmentJudgement
        ? `${submittedAlignment!.kind.toUpperCase()} re-aligned: ${alignmentJudgement.reason}`
        : `aligned from ${reads.from}: no alignment was submitted`,
    );
  }

  let verdictVariants: PlanVerdict['variants'];
  if (gvcfFile && variantJudgement?.keep) {
    adoptInputs[PUBLISHED_NAMES.gvcf] = { path: gvcfFile.path };
    const tbi = input.files.find((f) => f.kind === 'tbi' && f.path === `${gvcfFile.path}.tbi`);
    if (tbi) adoptInputs[PUBLISHED_NAMES.tbi] = { path: tbi.path };
    else index.push({ of: PUBLISHED_NAMES.gvcf, to: PUBLISHED_NAMES.tbi });
    verdictVariants = 'kept';
    reasons.push(`gVCF kept: ${variantJudgement.reason}`);
  } else {
    verdictVariants = 'called';
    reasons.push(
      variantJudgement
        ? `gVCF called again: the submitted one was not kept because ${variantJudgement.reason}`
        : 'gVCF called with the national caller: none was submitted',
    );
  }

  const adopting = Object.keys(adoptInputs).length > 0;
  const allSteps: PlanStep[] = [
    ...(adopting
      ? [
          {
            name: 'adopt' as const,
            kind: 'adopt-files' as const,
            inputs: adoptInputs,
            outputs: [...Object.keys(adoptInputs), ...index.map((i) => i.to)],
            resources: input.pipeline.steps.adopt,
            adopt: { convertToCram, index },
          },
        ]
      : []),
    ...steps,
    ...(verdictVariants === 'called' ? [callStep(input, cramFrom)] : []),
  ];
  const gvcfStep = verdictVariants === 'kept' ? 'adopt' : 'call';
  return acceptPlan(
    input,
    allSteps,
    harmonisedPublish(
      cramFrom,
      stepOutput(cramFrom.fromStep, PUBLISHED_NAMES.crai),
      stepOutput(gvcfStep, PUBLISHED_NAMES.gvcf),
      stepOutput(gvcfStep, PUBLISHED_NAMES.tbi),
    ),
    {
      alignment: verdictAlignment,
      variants: verdictVariants,
      reasons: [`mode partial: ${reasons.join('; ')}`],
    },
  );
}
