/**
 * Mode none (pure): the submitted files are registered as they are, copied into the GDB, and left
 * out of frequency releases unless NGC's policy includes them. Whether a registered gVCF could be
 * released at all (a gVCF on the national reference) is judged now, from intake's facts, and kept
 * with the sample.
 */
import { judgeVariants } from './judgements.ts';
import {
  acceptPlan,
  PUBLISHED_NAMES,
  refusePlan,
  stepOutput,
  type PlanInput,
  type PlanOutcome,
  type PlanVerdict,
  type SamplePlan,
  type StepInput,
} from './plan.ts';

export function planNone(input: PlanInput): PlanOutcome {
  const inputs: Record<string, StepInput> = {};
  const publish: SamplePlan['publish'] = {};
  for (const file of input.files) {
    const name = PUBLISHED_NAMES[file.kind];
    if (name in inputs) {
      return refusePlan(
        'PLAN_DUPLICATE_KIND',
        `mode none registers one file of each kind; ${file.kind} appears twice`,
      );
    }
    inputs[name] = { path: file.path };
    publish[file.kind] = stepOutput('adopt', name);
  }
  const hasAlignment = input.files.some((f) => f.kind === 'cram' || f.kind === 'bam');
  const hasVariants = input.files.some((f) => f.kind === 'gvcf' || f.kind === 'vcf');
  return acceptPlan(
    input,
    [
      {
        name: 'adopt',
        kind: 'adopt-files',
        inputs,
        outputs: Object.keys(inputs),
        resources: input.pipeline.steps.adopt,
        adopt: { convertToCram: [], index: [] },
      },
    ],
    publish,
    {
      alignment: hasAlignment ? 'registered' : 'none',
      variants: hasVariants ? 'registered' : 'none',
      reasons: [
        'mode none: registered as submitted, not harmonised; left out of frequency releases unless the policy includes mode none',
      ],
      registeredGvcf: registeredGvcf(input),
    },
  );
}

function registeredGvcf(input: PlanInput): NonNullable<PlanVerdict['registeredGvcf']> {
  const gvcf = input.files.find((f) => f.kind === 'gvcf');
  if (!gvcf) return { releasable: false, reason: 'no gVCF was submitted' };
  if (gvcf.facts?.kind !== 'variants')
    return { releasable: false, reason: 'intake learnt nothing about its gVCF' };
  const judgement = judgeVariants(gvcf.facts.facts);
  return { releasable: judgement.keep, reason: judgement.reason };
}
