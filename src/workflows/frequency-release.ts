/**
 * frequencyReleaseWorkflow (`frequency:<releaseId>`): snapshots the eligible samples, aggregates
 * their gVCFs in a job on the executor, and publishes a versioned release, moving `freq/latest`.
 * The additive engine's stages are in frequency-additive.ts.
 */
import {
  ApplicationFailure,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PublishedRelease, ReleaseSnapshot } from '../activities/frequency.ts';
import { FailureType } from '../domain/failures.ts';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
import { resolveStepInputs, type PlanStep } from '../domain/plan.ts';
import type { ReleaseStage, ReleaseWorkflowStatus, StepStatus } from '../domain/status.ts';
import { SearchAttribute } from '../shared.ts';
import { fileActivities, localActivities } from './activities.ts';
import { additiveRelease, shardVcfs, type RunReleaseStep } from './frequency-additive.ts';
import { releaseStatusQuery } from './messages.ts';
import { runStepWithRetries } from './run-step.ts';

/**
 * Version marker of the additive engine (contributions, batch partials, a reduce per shard):
 * a release that started on the merge of every gVCF finishes on it.
 */
export const ADDITIVE_ENGINE = 'additive-frequency-engine';

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
    const run = releaseStepRunner(snapshot, workflowId, status.steps);
    const published = patched(ADDITIVE_ENGINE)
      ? await additiveRelease(snapshot, workflowId, run, setStage)
      : await mergeRelease(snapshot, workflowId, run, setStage);
    await localActivities.removeWorkDir({ workflowId });
    status.dir = published.dir;
    status.sites = published.sites;
    setStage('done');
    return published;
  } catch (error) {
    status.error = error instanceof Error ? error.message : String(error);
    setStage('failed');
    throw error;
  }
}

/** Runs a release job with its retries, its attempts shown among the release's steps. */
function releaseStepRunner(
  snapshot: ReleaseSnapshot,
  workflowId: string,
  statusSteps: StepStatus[],
): RunReleaseStep {
  return (step: PlanStep, inputs: Record<string, string>) => {
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
}

/** Releases started before the additive engine: one merge of every gVCF per shard. */
async function mergeRelease(
  snapshot: ReleaseSnapshot,
  workflowId: string,
  run: RunReleaseStep,
  setStage: (stage: ReleaseStage) => void,
): Promise<PublishedRelease> {
  const shards = await Promise.all(
    snapshot.shards.map((step) => run(step, resolveStepInputs(step, {}))),
  );
  const aggregated = await run(snapshot.gather, shardVcfs(shards));
  setStage('publishing');
  return fileActivities.publishRelease({ snapshot, workflowId, outputs: aggregated.outputs });
}
