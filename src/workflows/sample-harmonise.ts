/**
 * Harmonising one sample whose work is known: plan it, run its steps one job each (a step's
 * inputs are earlier steps' outputs), register the outputs with their provenance, and derive its
 * frequency contribution.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { StepResult } from '../activities/jobs.ts';
import { resolveOutput, type SamplePlan, type StepOutputs } from '../domain/plan.ts';
import type { SampleVersion } from '../domain/sample-record.ts';
import type { SampleStage, SampleWorkflowStatus } from '../domain/status.ts';
import { fileActivities, localActivities } from './activities.ts';
import { deriveContribution } from './sample-contribution.ts';
import type { SampleWorkflowResult, SubmittedSampleInput } from './sample-input.ts';
import { runSteps } from './sample-steps.ts';

type SetStage = (stage: SampleStage) => void;

/** Plans the sample, runs its steps, registers the outputs. */
export async function harmonise(
  input: SubmittedSampleInput,
  status: SampleWorkflowStatus,
  setStage: SetStage,
): Promise<SampleWorkflowResult> {
  const { workflowId, runId } = workflowInfo();
  setStage('planning');
  const planned = await localActivities.planSampleWork({
    sampleId: input.sampleId,
    region: input.region,
    submissionId: input.submissionId,
    readType: input.readType,
    ...(input.karyotype ? { karyotype: input.karyotype } : {}),
    mode: input.mode,
    pipelineVersion: input.pipelineVersion,
    files: input.files.map((f) => ({ kind: f.kind, path: f.path, facts: f.facts })),
  });
  if (!planned.ok) {
    status.errors = planned.issues;
    setStage('rejected');
    return { sampleId: input.sampleId, status: 'rejected', errors: planned.issues };
  }
  const plan = planned.plan;
  status.verdict = plan.verdict;
  status.steps = plan.steps.map((s) => ({ name: s.name, status: 'pending', attempts: [] }));
  const { done, results, tally } = await runSteps(input, plan, status, setStage);

  setStage('registering');
  const version = await register(input, plan, status, { done, results, workflowId, runId });
  await deriveContribution({
    sampleId: input.sampleId,
    pipelineVersion: input.pipelineVersion,
    caps: plan.retry,
    status,
    setStage,
  });
  await localActivities.removeWorkDir({ workflowId });
  setStage('done');
  return { sampleId: input.sampleId, status: 'done', version, errors: [], steps: tally };
}

/** Registers the sample's outputs in the catalogue, with their provenance. */
function register(
  input: SubmittedSampleInput,
  plan: SamplePlan,
  status: SampleWorkflowStatus,
  ran: { done: StepOutputs; results: StepResult[]; workflowId: string; runId: string },
): Promise<SampleVersion> {
  return fileActivities.registerSample({
    workflowId: ran.workflowId,
    runId: ran.runId,
    sampleId: input.sampleId,
    region: input.region,
    submissionId: input.submissionId,
    readType: input.readType,
    ...(input.karyotype ? { karyotype: input.karyotype } : {}),
    consent: input.consent,
    mode: input.mode,
    pipelineVersion: input.pipelineVersion,
    verdict: plan.verdict,
    inputs: input.files.map((f) => ({
      kind: f.kind,
      relativePath: f.relativePath,
      md5: f.md5,
      sha256: f.sha256,
      ...(f.identity ? { identity: f.identity } : {}),
    })),
    steps: ran.results,
    attempts: status.steps.flatMap((s) => s.attempts.map((a) => ({ ...a, step: s.name }))),
    publish: Object.fromEntries(
      Object.entries(plan.publish).map(([role, ref]) => [role, resolveOutput(ref, ran.done)]),
    ),
  });
}
