/**
 * A harmonised sample's contribution to the frequency database, derived right after the sample
 * was published: its gVCF is read once, now, and no release has to read it again. The sample is
 * already published and stays so whatever happens here: a contribution job that fails is shown
 * in the sample's steps, and the next release derives the contribution instead.
 */
import { isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import type { RetryCaps } from '../domain/pipeline.ts';
import type { ContributionJob } from '../activities/frequency-contributions.ts';
import type { StepResult } from '../activities/jobs.ts';
import { resolveStepInputs, type PlanStep } from '../domain/plan.ts';
import type { SampleStage, SampleWorkflowStatus } from '../domain/status.ts';
import { fileActivities } from './activities.ts';
import { runStepWithRetries } from './run-step.ts';

/** Version marker: sample workflows started before it register without a contribution job. */
export const CONTRIBUTION_AT_HARMONISATION = 'contribution-at-harmonisation';

/** A finished contribution job as publishContributions takes it: its members file and job. */
export function contributionJob(step: PlanStep, result: StepResult): ContributionJob {
  return {
    members: resolveStepInputs(step, {}).members!,
    workDir: result.workDir,
    jobId: result.jobId,
    executor: result.executor,
    key: result.key,
    toolVersions: result.toolVersions,
  };
}

export async function deriveContribution(args: {
  sampleId: string;
  pipelineVersion: string;
  caps: RetryCaps;
  status: SampleWorkflowStatus;
  setStage: (stage: SampleStage) => void;
}): Promise<void> {
  if (!patched(CONTRIBUTION_AT_HARMONISATION)) return;
  const { workflowId } = workflowInfo();
  const step = await fileActivities.planSampleContribution({
    workflowId,
    sampleId: args.sampleId,
    pipelineVersion: args.pipelineVersion,
  });
  if (step === null) return;
  args.setStage(step.name);
  const status = { name: step.name, status: 'pending' as const, attempts: [] };
  args.status.steps.push(status);
  const inputs = resolveStepInputs(step, {});
  try {
    const result = await runStepWithRetries({
      workflowId,
      sampleId: args.sampleId,
      pipelineVersion: args.pipelineVersion,
      step,
      inputs,
      caps: args.caps,
      status,
    });
    await fileActivities.publishContributions({
      pipelineVersion: args.pipelineVersion,
      workflowId,
      jobs: [contributionJob(step, result)],
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('contribution not derived; the next frequency release derives it', {
      sampleId: args.sampleId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
