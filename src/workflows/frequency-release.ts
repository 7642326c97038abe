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
import { resolveStepInputs } from '../domain/plan.ts';
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
  const { workflowId } = workflowInfo();
  const status: ReleaseWorkflowStatus = {
    releaseId: input.releaseId,
    stage: 'snapshot',
    samples: null,
    steps: [{ name: 'frequency', status: 'pending', attempts: [] }],
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
    const aggregated = await runStepWithRetries({
      workflowId,
      sampleId: null,
      pipelineVersion: snapshot.pipelineVersion,
      step: snapshot.aggregate,
      inputs: resolveStepInputs(snapshot.aggregate, {}),
      caps: snapshot.retry,
      status: status.steps[0]!,
      regions: snapshot.regions,
    });

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
