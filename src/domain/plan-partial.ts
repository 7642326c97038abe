/**
 * Mode partial (pure): keep a submitted alignment that is provably on the national reference and
 * made by an approved aligner, else re-align as full; keep a submitted gVCF whose contigs and REF
 * alleles match the reference, else call with the national caller. What is kept is adopted by
 * one step (converted to CRAM and indexed as needed); each decision is given with its reason.
 */
import type { AlignmentFacts, VariantFacts } from './file-facts.ts';
import { judgeAlignment, judgeVariants } from './judgements.ts';
import { alignSteps, callStep, chooseReads, firstOfKind, harmonisedPublish } from './plan-full.ts';
import {
  acceptPlan,
  PUBLISHED_NAMES,
  stepOutput,
  type PlanFile,
  type PlanInput,
  type PlanOutcome,
  type PlanStep,
  type PlanVerdict,
  type StepInput,
  type StepOutputRef,
} from './plan.ts';

/** What the adopt step takes in as it is, converts to CRAM, and indexes. */
interface Adoption {
  inputs: Record<string, StepInput>;
  convertToCram: string[];
  index: { of: string; to: string }[];
}

interface AlignmentPlan {
  steps: PlanStep[];
  cramFrom: StepOutputRef;
  verdict: PlanVerdict['alignment'];
}

function alignmentFacts(file: PlanFile | undefined): AlignmentFacts | null {
  return file?.facts?.kind === 'alignment' ? file.facts.facts : null;
}

function variantFacts(file: PlanFile | undefined): VariantFacts | null {
  return file?.facts?.kind === 'variants' ? file.facts.facts : null;
}

export function planPartial(input: PlanInput): PlanOutcome {
  const adoption: Adoption = { inputs: {}, convertToCram: [], index: [] };
  const reasons: string[] = [];
  const alignment = planAlignment(input, adoption, reasons);
  if ('issue' in alignment) return alignment.issue;
  const variants = planVariants(input, adoption, reasons);
  const { cramFrom } = alignment;
  const allSteps: PlanStep[] = [
    ...adoptSteps(input, adoption),
    ...alignment.steps,
    ...(variants === 'called' ? [callStep(input, cramFrom)] : []),
  ];
  const gvcfStep = variants === 'kept' ? 'adopt' : 'call';
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
      alignment: alignment.verdict,
      variants,
      reasons: [`mode partial: ${reasons.join('; ')}`],
    },
  );
}

/** The submitted alignment kept (adopted), or the raw reads aligned again. */
function planAlignment(
  input: PlanInput,
  adoption: Adoption,
  reasons: string[],
): AlignmentPlan | { issue: PlanOutcome } {
  const submittedAlignment = firstOfKind(input, 'cram') ?? firstOfKind(input, 'bam');
  const alignment = alignmentFacts(submittedAlignment);
  const judgement = alignment
    ? judgeAlignment(alignment, input.pipeline.partial.approvedAligners)
    : null;
  if (submittedAlignment && judgement?.keep) {
    adoption.inputs[PUBLISHED_NAMES.cram] = { path: submittedAlignment.path };
    if (submittedAlignment.kind === 'bam') adoption.convertToCram.push(PUBLISHED_NAMES.cram);
    const crai = submittedAlignment.kind === 'cram' ? firstOfKind(input, 'crai') : undefined;
    if (crai) adoption.inputs[PUBLISHED_NAMES.crai] = { path: crai.path };
    else adoption.index.push({ of: PUBLISHED_NAMES.cram, to: PUBLISHED_NAMES.crai });
    reasons.push(`${submittedAlignment.kind.toUpperCase()} kept: ${judgement.reason}`);
    return { steps: [], cramFrom: stepOutput('adopt', PUBLISHED_NAMES.cram), verdict: 'kept' };
  }
  const reads = chooseReads(input);
  if ('issue' in reads) return reads;
  reasons.push(
    judgement
      ? `${submittedAlignment!.kind.toUpperCase()} re-aligned: ${judgement.reason}`
      : `aligned from ${reads.from}: no alignment was submitted`,
  );
  return {
    steps: alignSteps(input, reads),
    cramFrom: stepOutput('markdup', PUBLISHED_NAMES.cram),
    verdict: 'realigned',
  };
}

/** The submitted gVCF kept (adopted), or called again with the national caller. */
function planVariants(
  input: PlanInput,
  adoption: Adoption,
  reasons: string[],
): PlanVerdict['variants'] {
  const gvcfFile = firstOfKind(input, 'gvcf');
  const gvcf = variantFacts(gvcfFile);
  const judgement = gvcf ? judgeVariants(gvcf) : null;
  if (gvcfFile && judgement?.keep) {
    adoption.inputs[PUBLISHED_NAMES.gvcf] = { path: gvcfFile.path };
    const tbi = input.files.find((f) => f.kind === 'tbi' && f.path === `${gvcfFile.path}.tbi`);
    if (tbi) adoption.inputs[PUBLISHED_NAMES.tbi] = { path: tbi.path };
    else adoption.index.push({ of: PUBLISHED_NAMES.gvcf, to: PUBLISHED_NAMES.tbi });
    reasons.push(`gVCF kept: ${judgement.reason}`);
    return 'kept';
  }
  reasons.push(
    judgement
      ? `gVCF called again: the submitted one was not kept because ${judgement.reason}`
      : 'gVCF called with the national caller: none was submitted',
  );
  return 'called';
}

/** The adopt step, when anything submitted is kept. */
function adoptSteps(input: PlanInput, adoption: Adoption): PlanStep[] {
  if (Object.keys(adoption.inputs).length === 0) return [];
  return [
    {
      name: 'adopt',
      kind: 'adopt-files',
      inputs: adoption.inputs,
      outputs: [...Object.keys(adoption.inputs), ...adoption.index.map((i) => i.to)],
      resources: input.pipeline.steps.adopt,
      adopt: { convertToCram: adoption.convertToCram, index: adoption.index },
    },
  ];
}
