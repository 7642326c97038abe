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
import {
  KARYOTYPE_OUTPUTS,
  stepOutput,
  type PlanInput,
  type PlanOutcome,
  type PlanStep,
} from './plan.ts';

export { planFull } from './plan-full.ts';
export { planPartial } from './plan-partial.ts';

export function planSample(input: PlanInput): PlanOutcome {
  if (input.mode === 'none') return withKaryotype(input, planNone(input));
  if (input.mode === 'partial') return withKaryotype(input, planPartial(input));
  return withKaryotype(input, planFull(input));
}

/**
 * Under a pipeline that names the sex chromosomes, a plan that publishes a CRAM measures the
 * sample's karyotype from it (`karyotype`, just before the call, which is then given the ploidy
 * of that karyotype). A plan without a CRAM (mode none with a gVCF only) measures nothing: the
 * stated karyotype, or unknown, is recorded at registration.
 */
export function withKaryotype(input: PlanInput, outcome: PlanOutcome): PlanOutcome {
  const resources = input.pipeline.steps.karyotype;
  if (!outcome.ok || !input.pipeline.sexChromosomes || !resources) return outcome;
  const { plan } = outcome;
  const cram = plan.publish.cram;
  if (!cram) return outcome;
  const measure: PlanStep = {
    name: 'karyotype',
    kind: 'karyotype-depth',
    inputs: { cram },
    outputs: Object.values(KARYOTYPE_OUTPUTS),
    resources,
    statedKaryotype: input.karyotype ?? null,
  };
  const ploidy = stepOutput('karyotype', KARYOTYPE_OUTPUTS.ploidy);
  const callAt = plan.steps.findIndex((step) => step.kind === 'call-gvcf');
  const steps =
    callAt === -1
      ? [...plan.steps, measure]
      : [
          ...plan.steps.slice(0, callAt),
          measure,
          ...plan.steps
            .slice(callAt)
            .map((step) =>
              step.kind === 'call-gvcf' ? { ...step, inputs: { ...step.inputs, ploidy } } : step,
            ),
        ];
  return { ok: true, plan: { ...plan, steps } };
}
