/**
 * frequencyReleaseWorkflow (`frequency:<releaseId>`): snapshots the eligible samples, aggregates
 * their gVCFs in a job on the executor, and publishes a versioned release, moving `freq/latest`.
 */
import {
  ApplicationFailure,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PublishedRelease } from '../activities/frequency.ts';
import { FailureType } from '../domain/failures.ts';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
import { resolveStepInputs, type PlanStep } from '../domain/plan.ts';
import { FREQUENCY_OUTPUTS } from '../domain/shards.ts';
import type { ReleaseStage, ReleaseWorkflowStatus } from '../domain/status.ts';
import { SearchAttribute } from '../shared.ts';
import { fileActivities, localActivities } from './activities.ts';
import { releaseStatusQuery } from './messages.ts';
import { runStepWithRetries } from './run-step.ts';

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
    const steps = [...snapshot.shards, snapshot.gather];
    status.steps = steps.map((s) => ({ name: s.name, status: 'pending', attempts: [] }));
    const run = (step: PlanStep, index: number, inputs: Record<string, string>) =>
      runStepWithRetries({
        workflowId,
        sampleId: null,
        pipelineVersion: snapshot.pipelineVersion,
        step,
        inputs,
        caps: snapshot.retry,
        status: status.steps[index]!,
        regions: snapshot.regions,
        settings: { region: step.region },
      });
    // Every shard is its own job, all at once; the gather joins them in genome order.
    const shards = await Promise.all(
      snapshot.shards.map((step, i) => run(step, i, resolveStepInputs(step, {}))),
    );
    const aggregated = await run(
      snapshot.gather,
      snapshot.shards.length,
      Object.fromEntries(shards.map((r) => [r.step, r.outputs[FREQUENCY_OUTPUTS.vcf]!])),
    );

    setStage('publishing');
    const published = await fileActivities.publishRelease({
      snapshot,
      workflowId,
      outputs: aggregated.outputs,
    });
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
