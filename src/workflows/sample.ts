/**
 * sampleWorkflow (`sample:<sampleId>:<pipelineVersion>`): plans one sample, runs its steps one
 * job each, and registers the outputs with their provenance in the catalogue.
 */
import {
  ApplicationFailure,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IntakeFile } from '../activities/intake.ts';
import type { StepResult } from '../activities/jobs.ts';
import type { InputIssue } from '../domain/issues.ts';
import {
  resolveOutput,
  resolveStepInputs,
  type SampleWork,
  type StepOutputs,
} from '../domain/plan.ts';
import type { SampleVersion } from '../domain/sample-record.ts';
import type { SampleStage, SampleWorkflowStatus } from '../domain/status.ts';
import { SearchAttribute } from '../shared.ts';
import { fileActivities, quickActivities } from './activities.ts';
import { sampleStatusQuery } from './messages.ts';
import { runStepWithRetries } from './run-step.ts';

export interface SampleWorkflowInput extends SampleWork {
  files: IntakeFile[];
  campaignId?: string;
}

export type SampleWorkflowResult =
  | { sampleId: string; status: 'done'; version: SampleVersion; errors: [] }
  | { sampleId: string; status: 'rejected'; errors: InputIssue[] };

export async function sampleWorkflow(input: SampleWorkflowInput): Promise<SampleWorkflowResult> {
  const { workflowId, runId } = workflowInfo();
  const status: SampleWorkflowStatus = {
    sampleId: input.sampleId,
    region: input.region,
    pipelineVersion: input.pipelineVersion,
    mode: input.mode,
    stage: 'planning',
    steps: [],
    errors: [],
    verdict: null,
  };
  setHandler(sampleStatusQuery, () => status);
  const setStage = (stage: SampleStage) => {
    status.stage = stage;
    upsertSearchAttributes([{ key: SearchAttribute.Stage, value: stage }]);
  };
  upsertSearchAttributes([
    { key: SearchAttribute.Region, value: input.region },
    { key: SearchAttribute.PipelineVersion, value: input.pipelineVersion },
    { key: SearchAttribute.HarmonisationMode, value: input.mode },
    { key: SearchAttribute.Stage, value: 'planning' },
    ...(input.campaignId ? [{ key: SearchAttribute.CampaignId, value: input.campaignId }] : []),
  ]);

  try {
    const planned = await quickActivities.planSampleWork({
      sampleId: input.sampleId,
      region: input.region,
      submissionId: input.submissionId,
      readType: input.readType,
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

    const done: StepOutputs = {};
    const results: StepResult[] = [];
    for (const [i, step] of plan.steps.entries()) {
      setStage(step.name);
      const result = await runStepWithRetries({
        workflowId,
        sampleId: input.sampleId,
        pipelineVersion: input.pipelineVersion,
        step,
        inputs: resolveStepInputs(step, done),
        caps: plan.retry,
        status: status.steps[i]!,
        settings: { readsFormat: step.readsFormat, longReads: step.longReads, adopt: step.adopt },
      });
      done[step.name] = result.outputs;
      results.push(result);
    }

    setStage('registering');
    const version = await fileActivities.registerSample({
      workflowId,
      runId,
      sampleId: input.sampleId,
      region: input.region,
      submissionId: input.submissionId,
      readType: input.readType,
      consent: input.consent,
      mode: input.mode,
      pipelineVersion: input.pipelineVersion,
      verdict: plan.verdict,
      inputs: input.files.map((f) => ({
        kind: f.kind,
        relativePath: f.relativePath,
        md5: f.md5,
        sha256: f.sha256,
      })),
      steps: results,
      attempts: status.steps.flatMap((s) => s.attempts.map((a) => ({ ...a, step: s.name }))),
      publish: Object.fromEntries(
        Object.entries(plan.publish).map(([role, ref]) => [role, resolveOutput(ref, done)]),
      ),
    });
    await fileActivities.removeWorkDir({ workflowId });
    setStage('done');
    return { sampleId: input.sampleId, status: 'done', version, errors: [] };
  } catch (error) {
    setStage('failed');
    status.errors = [
      {
        code: error instanceof ApplicationFailure && error.type ? error.type : 'SAMPLE_FAILED',
        path: `sample ${input.sampleId}`,
        message: error instanceof Error ? error.message : String(error),
      },
    ];
    throw error;
  }
}
