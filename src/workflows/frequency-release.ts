/**
 * frequencyReleaseWorkflow (`frequency:<releaseId>`): snapshots the eligible samples, aggregates
 * their gVCFs in a job on the executor, and publishes a versioned release, moving `freq/latest`.
 */
import {
  ApplicationFailure,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  EngineStageCost,
  PublishedRelease,
  ReleaseSnapshot,
} from '../activities/frequency.ts';
import type { StepResult } from '../activities/jobs.ts';
import { FailureType } from '../domain/failures.ts';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
import { resolveStepInputs, type PlanStep } from '../domain/plan.ts';
import { FREQUENCY_OUTPUTS } from '../domain/shards.ts';
import type { ReleaseStage, ReleaseWorkflowStatus, StepStatus } from '../domain/status.ts';
import { SearchAttribute } from '../shared.ts';
import { fileActivities, localActivities } from './activities.ts';
import { releaseStatusQuery } from './messages.ts';
import { runStepWithRetries } from './run-step.ts';
import { contributionJob } from './sample-contribution.ts';

/**
 * Version marker of the additive engine (contributions, batch partials, a reduce per shard):
 * a release that started on the merge of every gVCF finishes on it.
 */
export const ADDITIVE_ENGINE = 'additive-frequency-engine';

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

export interface FrequencyReleaseInput {
  releaseId: string;
  /** Default: the newest national pipeline. */
  pipelineVersion: string | null;
  requestedBy: string;
}

export async function frequencyReleaseWorkflow(
  input: FrequencyReleaseInput,
): Promise<PublishedRelease> {
  const invalid = firstIdProblem({
    releaseId: input.releaseId,
    ...(input.pipelineVersion === null ? {} : { pipelineVersion: input.pipelineVersion }),
  });
  if (invalid !== null) throw ApplicationFailure.nonRetryable(invalid.problem, INVALID_ID);
  const { workflowId } = workflowInfo();
  const status: ReleaseWorkflowStatus = {
    releaseId: input.releaseId,
    stage: 'snapshot',
    samples: null,
    steps: [],
    dir: null,
    sites: null,
    error: null,
  };
  setHandler(releaseStatusQuery, () => status);
  const setStage = (stage: ReleaseStage) => {
    status.stage = stage;
    upsertSearchAttributes([{ key: SearchAttribute.Stage, value: stage }]);
  };
  setStage('snapshot');

  try {
    const snapshot = await fileActivities.snapshotRelease({
      releaseId: input.releaseId,
      workflowId,
      pipelineVersion: input.pipelineVersion,
    });
    status.samples = snapshot.samples;
    upsertSearchAttributes([
      { key: SearchAttribute.PipelineVersion, value: snapshot.pipelineVersion },
    ]);
    if (snapshot.samples === 0) {
      throw ApplicationFailure.nonRetryable(
        `no sample is eligible for a release on pipeline ${snapshot.pipelineVersion} (${snapshot.excludedCount} left out)`,
        FailureType.NoEligibleSamples,
      );
    }

    setStage('aggregating');
    const run = (step: PlanStep, inputs: Record<string, string>) => {
      const status: StepStatus = { name: step.name, status: 'pending', attempts: [] };
      statusSteps.push(status);
      return runStepWithRetries({
        workflowId,
        sampleId: null,
        pipelineVersion: snapshot.pipelineVersion,
        step,
        inputs,
        caps: snapshot.retry,
        status,
        regions: snapshot.regions,
        settings: { region: step.region, shardName: step.shardName },
      });
    };
    const statusSteps = status.steps;
    let published: PublishedRelease;
    if (patched(ADDITIVE_ENGINE)) {
      published = await additiveRelease(snapshot, workflowId, run);
    } else {
      // Releases started before the additive engine: one merge of every gVCF per shard.
      const shards = await Promise.all(
        snapshot.shards.map((step) => run(step, resolveStepInputs(step, {}))),
      );
      const aggregated = await run(
        snapshot.gather,
        Object.fromEntries(shards.map((r) => [r.step, r.outputs[FREQUENCY_OUTPUTS.vcf]!])),
      );
      setStage('publishing');
      published = await fileActivities.publishRelease({
        snapshot,
        workflowId,
        outputs: aggregated.outputs,
      });
    }
    await localActivities.removeWorkDir({ workflowId });
    status.dir = published.dir;
    status.sites = published.sites;
    setStage('done');
    return published;

    async function additiveRelease(
      snap: ReleaseSnapshot,
      id: string,
      runStep: (step: PlanStep, inputs: Record<string, string>) => Promise<StepResult>,
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
      const gathered = await runStep(
        plan.gather,
        Object.fromEntries(shards.map((r) => [r.step, r.outputs[FREQUENCY_OUTPUTS.vcf]!])),
      );
      setStage('publishing');
      return fileActivities.publishRelease({
        snapshot: snap,
        workflowId: id,
        outputs: gathered.outputs,
        batches: plan.batches,
        engine: {
          contributions: {
            ...stageCost(derived),
            derived: derive.derive,
            reused: derive.reuse,
          },
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
  } catch (error) {
    status.error = error instanceof Error ? error.message : String(error);
    setStage('failed');
    throw error;
  }
}
