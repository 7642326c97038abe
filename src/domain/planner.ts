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
 *
 * Each mode's plan is in its own file: plan-full.ts, plan-partial.ts, plan-none.ts.
 */
import { planFull } from './plan-full.ts';
import { planNone } from './plan-none.ts';
import { planPartial } from './plan-partial.ts';
import type { PlanInput, PlanOutcome } from './plan.ts';

export { planFull } from './plan-full.ts';
export { planPartial } from './plan-partial.ts';

export function planSample(input: PlanInput): PlanOutcome {
  if (input.mode === 'none') return planNone(input);
  if (input.mode === 'partial') return planPartial(input);
  return planFull(input);
}
