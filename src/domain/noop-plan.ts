/**
 * The plan of a benchmark (`noop`) pipeline: the steps the national plan would run for the
 * sample, each a job that only sleeps, with nothing published. Orchestration is measured on
 * exactly the work a real campaign would schedule.
 */
import type { SamplePlan } from './plan.ts';

export function toNoopPlan(plan: SamplePlan, sleepSeconds: number): SamplePlan {
  return {
    ...plan,
    steps: plan.steps.map((step) => ({
      name: step.name,
      kind: 'noop',
      inputs: {},
      outputs: [],
      resources: step.resources,
      sleepSeconds,
    })),
    publish: {},
    verdict: {
      alignment: 'none',
      variants: 'none',
      reasons: [
        `benchmark pipeline ${plan.pipelineVersion}: jobs only sleep, nothing is published`,
      ],
    },
  };
}
