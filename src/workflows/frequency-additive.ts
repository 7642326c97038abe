/**
 * A release by the additive engine: each genome's contribution is derived once (or reused),
 * contributions are summed into partials per batch of genomes (built only for changed batches),
 * partials are reduced per shard and the shards gathered; the release records what each stage
 * cost.
 */
import type {
  EngineStageCost,
  PublishedRelease,
  ReleaseSnapshot,
} from '../activities/frequency.ts';
import type { StepResult } from '../activities/jobs.ts';
import { resolveStepInputs, type PlanStep } from '../domain/plan.ts';
import { FREQUENCY_OUTPUTS } from '../domain/shards.ts';
import type { ReleaseStage } from '../domain/status.ts';
import { fileActivities } from './activities.ts';
import { contributionJob } from './sample-contribution.ts';

/** Runs one release job (with its retries), shown in the release's status. */
export type RunReleaseStep = (
  step: PlanStep,
  inputs: Record<string, string>,
) => Promise<StepResult>;

/** What one stage's jobs cost, from each job's own measurement. */
function stageCost(results: readonly StepResult[]): EngineStageCost {
  let cpu = 0;
  let peak = 0;
  for (const result of results) {
    cpu += result.usage?.cpuSeconds ?? 0;
    peak = Math.max(peak, result.usage?.peakRssMiB ?? 0);
  }
  return { jobs: results.length, cpuSeconds: Math.round(cpu * 100) / 100, peakRssMiB: peak };
}

/** Every shard's VCF by the step that reduced it: the gather step's inputs. */
export function shardVcfs(shards: readonly StepResult[]): Record<string, string> {
  return Object.fromEntries(shards.map((r) => [r.step, r.outputs[FREQUENCY_OUTPUTS.vcf]!]));
}

export async function additiveRelease(
  snap: ReleaseSnapshot,
  id: string,
  runStep: RunReleaseStep,
  setStage: (stage: ReleaseStage) => void,
): Promise<PublishedRelease> {
  const derive = await fileActivities.planContributions({ snapshot: snap, workflowId: id });
  const derived = await Promise.all(
    derive.steps.map((step) => runStep(step, resolveStepInputs(step, {}))),
  );
  await fileActivities.publishContributions({
    pipelineVersion: snap.pipelineVersion,
    workflowId: id,
    jobs: derived.map((result, i) => contributionJob(derive.steps[i]!, result)),
  });
  const plan = await fileActivities.planPartials({ snapshot: snap, workflowId: id });
  const built = await Promise.all(
    plan.build.map((step) => runStep(step, resolveStepInputs(step, {}))),
  );
  await fileActivities.publishPartials({
    snapshot: snap,
    workflowId: id,
    jobs: built.map((result, i) => ({
      batch: plan.build[i]!.name,
      workDir: result.workDir,
      jobId: result.jobId,
      ...(result.usage ? { usage: result.usage } : {}),
    })),
  });
  const shards = await Promise.all(
    plan.reduce.map((step) => runStep(step, resolveStepInputs(step, {}))),
  );
  const gathered = await runStep(plan.gather, shardVcfs(shards));
  setStage('publishing');
  return fileActivities.publishRelease({
    snapshot: snap,
    workflowId: id,
    outputs: gathered.outputs,
    batches: plan.batches,
    engine: {
      contributions: { ...stageCost(derived), derived: derive.derive, reused: derive.reuse },
      partials: {
        ...stageCost(built),
        batches: plan.batches.length,
        built: built.length,
        reused: plan.batches.filter((b) => b.reused).length,
      },
      reduce: { ...stageCost(shards), shards: shards.length },
      gather: stageCost([gathered]),
    },
  });
}
