/**
 * Mode full (pure): re-process from raw reads (a FASTQ pair, an unaligned CRAM, a submitted
 * CRAM/BAM whose reads are recovered, SPRING with the site's spring binary, or long reads with
 * minimap2), align, mark duplicates and call. The pieces partial mode shares with it (choosing
 * the reads, the align and call steps) are here too.
 */
import type { FileKind } from './manifest.ts';
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
  type ReadsFormat,
  type StepInput,
  type StepOutputRef,
} from './plan.ts';

/** The first submitted file of a kind. */
export const firstOfKind = (input: PlanInput, kind: FileKind): PlanFile | undefined =>
  input.files.find((f) => f.kind === kind);
const all = (input: PlanInput, kind: FileKind): PlanFile[] =>
  input.files.filter((f) => f.kind === kind);

export interface ReadsChoice {
  format: ReadsFormat;
  inputs: Record<string, StepInput>;
  from: string;
}

/** The raw reads to re-process from, best first: FASTQ, unaligned CRAM, SPRING, then an alignment. */
export function chooseReads(input: PlanInput): ReadsChoice | { issue: PlanOutcome } {
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
  const ucram = firstOfKind(input, 'ucram');
  if (ucram)
    return { format: 'alignment', inputs: { reads: { path: ucram.path } }, from: 'unaligned CRAM' };
  const spring = firstOfKind(input, 'spring');
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
  const aligned = firstOfKind(input, 'cram') ?? firstOfKind(input, 'bam');
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
export function alignSteps(input: PlanInput, reads: ReadsChoice): PlanStep[] {
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

export function callStep(input: PlanInput, cram: StepOutputRef): PlanStep {
  return {
    name: 'call',
    kind: 'call-gvcf',
    inputs: { cram },
    outputs: [PUBLISHED_NAMES.gvcf, PUBLISHED_NAMES.tbi],
    resources: input.pipeline.steps.call,
    longReads: input.readType === 'long',
  };
}

export const harmonisedPublish = (
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
