/**
 * A sample plan's steps in order, each one job with its retries, or, in a rerun with step
 * reuse, taken from an earlier published version whose step had the same fingerprint
 * (domain/step-fingerprint.ts, domain/step-reuse.ts).
 *
 * With reuse on and an earlier version that recorded fingerprints, one small job first asks the
 * cluster's tools for their versions (a silently upgraded tool makes a different fingerprint, not
 * a false reuse); the decision is made from them, and each reused step's files are linked and
 * checked against their checksums. If a file no longer matches, or a step that ran writes other
 * outputs than the earlier version's, the steps that follow run instead.
 */
import { log, patched, workflowInfo } from '@temporalio/workflow';
import type { StepResult } from '../activities/jobs.ts';
import type { StepCandidate } from '../activities/step-reuse.ts';
import { expectedInputs } from '../domain/file-facts.ts';
import {
  resolveStepInputs,
  stepSettings,
  type SamplePlan,
  type StepOutputs,
} from '../domain/plan.ts';
import type { SampleStage, SampleWorkflowStatus, StepStatus } from '../domain/status.ts';
import { REUSABLE_KINDS } from '../domain/step-fingerprint.ts';
import {
  inputSha256,
  sameChecksums,
  VERSIONS_STEP,
  type StepReuseDecision,
  type StepTally,
} from '../domain/step-reuse.ts';
import { fileActivities, localActivities } from './activities.ts';
import { runStepWithRetries } from './run-step.ts';
import type { SubmittedSampleInput } from './sample-input.ts';

/** Version marker: a rerun may take steps from an earlier version (and asks the tool versions). */
export const STEP_REUSE = 'step-reuse';

type SetStage = (stage: SampleStage) => void;
type Decisions = StepReuseDecision<StepCandidate>[];

export interface StepsRan {
  done: StepOutputs;
  results: StepResult[];
  tally: StepTally;
}

export async function runSteps(
  input: SubmittedSampleInput,
  plan: SamplePlan,
  status: SampleWorkflowStatus,
  setStage: SetStage,
): Promise<StepsRan> {
  const submitted = submittedSha256(input);
  const decided =
    input.reuse === 'steps' &&
    plan.steps.some((s) => REUSABLE_KINDS.has(s.kind)) &&
    patched(STEP_REUSE)
      ? await decideReuse(input, plan, status, setStage, submitted)
      : null;
  const first = await runPlanSteps(input, plan, status, setStage, submitted, decided);
  return first.ok
    ? first.ran
    : runWithoutReuse(input, plan, status, setStage, submitted, first.reason);
}

async function runWithoutReuse(
  input: SubmittedSampleInput,
  plan: SamplePlan,
  status: SampleWorkflowStatus,
  setStage: SetStage,
  submitted: Record<string, string>,
  reason: string,
): Promise<StepsRan> {
  log.warn('step reuse abandoned: running every step', { reason });
  for (const s of status.steps) if (s.name !== VERSIONS_STEP.name) s.status = 'pending';
  const again = await runPlanSteps(input, plan, status, setStage, submitted, null);
  if (!again.ok) throw new Error(again.reason);
  return again.ran;
}

function submittedSha256(input: SubmittedSampleInput): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const f of input.files) if (f.sha256) sums[f.path] = f.sha256;
  return sums;
}

/** Reuse decisions, or null when no earlier version of the sample has fingerprinted steps. */
async function decideReuse(
  input: SubmittedSampleInput,
  plan: SamplePlan,
  status: SampleWorkflowStatus,
  setStage: SetStage,
  submitted: Record<string, string>,
): Promise<Decisions | null> {
  const candidates = await fileActivities.findReuseCandidates({
    sampleId: input.sampleId,
    pipelineVersion: input.pipelineVersion,
  });
  if (candidates.length === 0) return null;
  setStage(VERSIONS_STEP.name);
  const versionsStatus: StepStatus = { name: VERSIONS_STEP.name, status: 'pending', attempts: [] };
  status.steps.unshift(versionsStatus);
  const versions = await runStepWithRetries({
    workflowId: workflowInfo().workflowId,
    sampleId: input.sampleId,
    pipelineVersion: input.pipelineVersion,
    step: VERSIONS_STEP,
    inputs: {},
    caps: plan.retry,
    status: versionsStatus,
  });
  return localActivities.decideStepReuse({
    sampleId: input.sampleId,
    pipelineVersion: input.pipelineVersion,
    steps: plan.steps,
    publish: plan.publish,
    submittedSha256: submitted,
    toolVersions: versions.toolVersions,
    candidates,
  });
}

type PassOutcome = { ok: true; ran: StepsRan } | { ok: false; reason: string };

/** One pass over the plan; with decisions, the reused steps are taken instead of run. */
async function runPlanSteps(
  input: SubmittedSampleInput,
  plan: SamplePlan,
  status: SampleWorkflowStatus,
  setStage: SetStage,
  submitted: Record<string, string>,
  decisions: Decisions | null,
): Promise<PassOutcome> {
  const { workflowId, runId } = workflowInfo();
  const done: StepOutputs = {};
  const sums: Record<string, Record<string, string>> = {};
  const results: StepResult[] = [];
  const tally: StepTally = { run: 0, reused: 0, cpuSecondsRun: 0, cpuSecondsSaved: 0 };
  let reuse = decisions;
  for (const [i, step] of plan.steps.entries()) {
    setStage(step.name);
    const stepStatus = status.steps.find((s) => s.name === step.name)!;
    const decision = reuse?.[i];
    if (decision?.reuse) {
      const taken = await fileActivities.reuseStep({ workflowId, runId, step, decision });
      if (!taken.ok) return { ok: false, reason: taken.reason };
      stepStatus.status = 'reused';
      done[step.name] = taken.result.outputs;
      sums[step.name] = taken.result.outputSha256 ?? {};
      results.push(taken.result);
      tally.reused += 1;
      tally.cpuSecondsSaved += taken.result.usage?.cpuSeconds ?? 0;
      continue;
    }
    const inputs = resolveStepInputs(step, done);
    // Each job checks that the submitted files it reads are the ones intake checked.
    const expected = expectedInputs(inputs, input.files);
    const known = inputSha256(step, submitted, sums);
    const result = await runStepWithRetries({
      workflowId,
      sampleId: input.sampleId,
      pipelineVersion: input.pipelineVersion,
      step,
      inputs,
      ...(Object.keys(expected).length > 0 ? { inputIdentities: expected } : {}),
      ...(known.ok ? { inputSha256: known.sha256 } : {}),
      caps: plan.retry,
      status: stepStatus,
      // A second pass (reuse abandoned) gives its jobs new keys; its attempts count against the cap.
      ...(stepStatus.attempts.length > 0 ? { firstAttempt: stepStatus.attempts.length + 1 } : {}),
      settings: stepSettings(step),
    });
    done[step.name] = result.outputs;
    if (result.outputSha256) sums[step.name] = result.outputSha256;
    results.push(result);
    tally.run += 1;
    tally.cpuSecondsRun += result.usage?.cpuSeconds ?? 0;
    // Later steps were judged on the earlier version's checksums of this step's outputs.
    if (
      reuse &&
      decision?.expectedOutputs &&
      !sameChecksums(decision.expectedOutputs, result.outputSha256)
    ) {
      log.warn('a step wrote other outputs than its earlier version: later steps run', {
        step: step.name,
      });
      reuse = null;
    }
  }
  return { ok: true, ran: { done, results, tally } };
}
