/**
 * sampleWorkflow (`sample:<sampleId>:<pipelineVersion>`): plans one sample, runs its steps one
 * job each, registers the outputs with their provenance in the catalogue, and derives the
 * sample's contribution to the frequency database. Started by a
 * submission (with the files its intake checked) or by a campaign (a rerun: the files are found
 * and checked again first); a campaign's child reports its end to the campaign by signal.
 */
import {
  ApplicationFailure,
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IntakeFile } from '../activities/intake.ts';
import type { IntakeRef } from '../domain/intake-list.ts';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
import type { StepResult } from '../activities/jobs.ts';
import type { SampleFinished } from '../domain/campaign.ts';
import { expectedInputs } from '../domain/file-facts.ts';
import type { InputIssue } from '../domain/issues.ts';
import {
  resolveOutput,
  resolveStepInputs,
  type SampleWork,
  type StepOutputs,
} from '../domain/plan.ts';
import type { HarmonisationMode } from '../domain/policy.ts';
import type { SampleVersion } from '../domain/sample-record.ts';
import type { SampleStage, SampleWorkflowStatus } from '../domain/status.ts';
import { SearchAttribute } from '../shared.ts';
import { fileActivities, intakeActivities, localActivities } from './activities.ts';
import { sampleFinishedSignal, sampleStatusQuery } from './messages.ts';
import { runStepWithRetries } from './run-step.ts';
import { deriveContribution } from './sample-contribution.ts';

/** A sample whose files were inspected before its workflow started (and a rerun's prepared work). */
export interface SubmittedSampleInput extends SampleWork {
  files: IntakeFile[];
  campaignId?: string;
}

/** A submission's sample: its workflow inspects its files first, from its line of the intake list. */
export interface IntakeSampleInput {
  intake: {
    sampleId: string;
    region: string;
    submissionId: string;
    mode: HarmonisationMode;
    pipelineVersion: string;
    ref: IntakeRef;
  };
}

export interface RerunSampleInput {
  rerun: {
    sampleId: string;
    pipelineVersion: string;
    /** The campaign's override of the region's policy mode; null: the policy decides. */
    mode: HarmonisationMode | null;
    campaignId: string;
    /** Where to report the end. */
    campaignWorkflowId: string;
  };
}

export type SampleWorkflowInput = SubmittedSampleInput | IntakeSampleInput | RerunSampleInput;

export type SampleWorkflowResult =
  | { sampleId: string; status: 'done'; version: SampleVersion; errors: [] }
  | { sampleId: string; status: 'rejected'; errors: InputIssue[] };

export async function sampleWorkflow(input: SampleWorkflowInput): Promise<SampleWorkflowResult> {
  const rerun = 'rerun' in input ? input.rerun : null;
  const intake = 'intake' in input ? input.intake : null;
  const submitted = 'rerun' in input || 'intake' in input ? null : input;
  const { sampleId, pipelineVersion } = rerun ?? intake ?? submitted!;
  const invalid = firstIdProblem({ sampleId, pipelineVersion });
  if (invalid !== null) throw ApplicationFailure.nonRetryable(invalid.problem, INVALID_ID);
  const campaignId = rerun?.campaignId ?? submitted?.campaignId ?? null;
  const status: SampleWorkflowStatus = {
    sampleId,
    region: submitted?.region ?? intake?.region ?? null,
    pipelineVersion,
    mode: submitted?.mode ?? intake?.mode ?? null,
    campaignId,
    stage: submitted ? 'planning' : 'preparing',
    steps: [],
    errors: [],
    verdict: null,
  };
  setHandler(sampleStatusQuery, () => status);
  // The starter sets the first search attributes (sampleStartAttributes). The Stage attribute
  // is coarse (indexedStage), since every change is a history event and a visibility write;
  // the status query shows the exact stage and every step attempt.
  let indexed = status.stage;
  const setStage = (stage: SampleStage) => {
    status.stage = stage;
    const coarse = indexedStage(stage);
    // Planning takes no time of its own: it is never worth a history event.
    if (coarse === indexed || coarse === 'planning') return;
    indexed = coarse;
    upsertSearchAttributes([{ key: SearchAttribute.Stage, value: coarse }]);
  };

  const report = async (finished: Omit<SampleFinished, 'sampleId' | 'workflowId'>) => {
    if (!rerun) return;
    const message = { sampleId, workflowId: workflowInfo().workflowId, ...finished };
    // Reported even while the sample is being cancelled; a campaign that has ended is told nothing.
    await CancellationScope.nonCancellable(async () => {
      try {
        await getExternalWorkflowHandle(rerun.campaignWorkflowId).signal(
          sampleFinishedSignal,
          message,
        );
      } catch (error) {
        log.warn('campaign not told of the sample end', { error: String(error) });
      }
    });
  };

  try {
    let work: SubmittedSampleInput;
    if (rerun) {
      const prepared = await fileActivities.prepareRerun({
        sampleId,
        pipelineVersion,
        mode: rerun.mode,
      });
      if (!prepared.ok) {
        status.errors = prepared.issues;
        setStage('rejected');
        await report({ status: prepared.skip ? 'skipped' : 'rejected', errors: prepared.issues });
        return { sampleId, status: 'rejected', errors: prepared.issues };
      }
      work = { ...prepared.work, campaignId: rerun.campaignId };
    } else if (intake) {
      const checked = await intakeActivities.inspectSample({
        region: intake.region,
        submissionId: intake.submissionId,
        sampleId,
        intake: intake.ref,
        pipelineVersion,
      });
      if (checked.issues.length > 0) {
        status.errors = checked.issues;
        setStage('rejected');
        return { sampleId, status: 'rejected', errors: checked.issues };
      }
      work = {
        sampleId,
        region: intake.region,
        submissionId: intake.submissionId,
        readType: checked.readType,
        consent: checked.consent,
        mode: intake.mode,
        pipelineVersion,
        files: checked.files,
      };
    } else {
      work = submitted!;
    }
    status.region = work.region;
    status.mode = work.mode;
    if (rerun) {
      // Planning is local and immediate: index the stage that follows it right away.
      indexed = 'running';
      upsertSearchAttributes([
        { key: SearchAttribute.Region, value: work.region },
        { key: SearchAttribute.HarmonisationMode, value: work.mode },
        { key: SearchAttribute.Stage, value: indexed },
      ]);
    }
    const result = await harmonise(work, status, setStage);
    await report({ status: result.status, errors: result.errors });
    return result;
  } catch (error) {
    const cancelled = isCancellation(error);
    setStage(cancelled ? 'cancelled' : 'failed');
    status.errors = [
      {
        code: cancelled
          ? 'SAMPLE_CANCELLED'
          : error instanceof ApplicationFailure && error.type
            ? error.type
            : 'SAMPLE_FAILED',
        path: `sample ${sampleId}`,
        message: error instanceof Error ? error.message : String(error),
      },
    ];
    await report({ status: cancelled ? 'cancelled' : 'failed', errors: status.errors });
    throw error;
  }
}

/** Plans the sample, runs its steps, registers the outputs. */
async function harmonise(
  input: SubmittedSampleInput,
  status: SampleWorkflowStatus,
  setStage: (stage: SampleStage) => void,
): Promise<SampleWorkflowResult> {
  const { workflowId, runId } = workflowInfo();
  setStage('planning');
  const planned = await localActivities.planSampleWork({
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
    const inputs = resolveStepInputs(step, done);
    // Each job checks that the submitted files it reads are the ones intake checked.
    const expected = expectedInputs(inputs, input.files);
    const result = await runStepWithRetries({
      workflowId,
      sampleId: input.sampleId,
      pipelineVersion: input.pipelineVersion,
      step,
      inputs,
      ...(Object.keys(expected).length > 0 ? { inputIdentities: expected } : {}),
      caps: plan.retry,
      status: status.steps[i]!,
      settings: {
        readsFormat: step.readsFormat,
        longReads: step.longReads,
        adopt: step.adopt,
        sleepSeconds: step.sleepSeconds,
      },
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
      ...(f.identity ? { identity: f.identity } : {}),
    })),
    steps: results,
    attempts: status.steps.flatMap((s) => s.attempts.map((a) => ({ ...a, step: s.name }))),
    publish: Object.fromEntries(
      Object.entries(plan.publish).map(([role, ref]) => [role, resolveOutput(ref, done)]),
    ),
  });
  await deriveContribution({
    sampleId: input.sampleId,
    pipelineVersion: input.pipelineVersion,
    caps: plan.retry,
    status,
    setStage,
  });
  await localActivities.removeWorkDir({ workflowId });
  setStage('done');
  return { sampleId: input.sampleId, status: 'done', version, errors: [] };
}

/** The search attributes (src/shared.ts) a sample workflow starts with, set by its starter. */
export function sampleStartAttributes(
  start:
    | { pipelineVersion: string; campaignId: string }
    | {
        pipelineVersion: string;
        region: string;
        mode: HarmonisationMode;
        stage?: 'planning' | 'preparing';
      },
) {
  if ('campaignId' in start) {
    return [
      { key: SearchAttribute.CampaignId, value: start.campaignId },
      { key: SearchAttribute.PipelineVersion, value: start.pipelineVersion },
      { key: SearchAttribute.Stage, value: 'preparing' },
    ];
  }
  return [
    { key: SearchAttribute.Region, value: start.region },
    { key: SearchAttribute.PipelineVersion, value: start.pipelineVersion },
    { key: SearchAttribute.HarmonisationMode, value: start.mode },
    { key: SearchAttribute.Stage, value: start.stage ?? 'planning' },
  ];
}

/** The Stage search attribute of a sample workflow: preparing, planning, running, or its end. */
export function indexedStage(stage: SampleStage): SampleStage {
  if (stage === 'preparing' || stage === 'planning') return stage;
  if (stage === 'done' || stage === 'failed' || stage === 'rejected' || stage === 'cancelled')
    return stage;
  return 'running';
}
