/**
 * runStep: one plan step as one job on the configured executor. The job key
 * (`<workflowId>/<runId>/<step>/<attempt>`) makes submission idempotent; the activity
 * heartbeats the job id, so a retry after a worker crash re-attaches to the same job instead of
 * starting it again; cancelling the activity cancels the job (job-lifecycle.ts). A job that ends
 * badly becomes a typed, non-retryable failure (job-outcome.ts).
 */
import path from 'node:path';
import type { ExpectedInput } from '../domain/file-facts.ts';
import type { JobResources, JobStepName } from '../domain/pipeline.ts';
import type { StepKind, StepSettings } from '../domain/plan.ts';
import type { ProbeSpec } from '../domain/probe.ts';
import { commandLines, renderJobScript } from '../tools/job-script.ts';
import { PROJECT_ROOT } from '../config.ts';
import type { StepCommands } from '../tools/sample-steps.ts';
import { buildStepCommands } from '../tools/step-commands.ts';
import type { JobUsage } from '../tools/usage.ts';
import { currentActivity } from './context.ts';
import { readContributionMembers } from './contribution-plans.ts';
import type { ActivityDeps } from './deps.ts';
import { refuseChangedInputs } from './job-inputs.ts';
import { submitJob, waitForJob } from './job-lifecycle.ts';
import { collectOutputs, failUnlessCompleted, readJobReport } from './job-outcome.ts';
import { writeKaryotypeVerdict } from './karyotype.ts';

export type { JobFailureDetails } from './job-outcome.ts';
export { refuseChangedInputs } from './job-inputs.ts';

export interface RunStepInput {
  workflowId: string;
  /**
   * The workflow run: part of the job key, so that a later run of the same workflow id (after a
   * failure), or another deployment sharing the cluster, never takes an earlier job for its own.
   */
  runId: string;
  sampleId: string | null;
  /** The national pipeline the step belongs to; null for probes. */
  pipelineVersion: string | null;
  step: JobStepName;
  kind: StepKind;
  attempt: number;
  resources: JobResources;
  /** Resolved absolute input paths by name. */
  inputs: Record<string, string>;
  /** Output file names the job must leave in its work directory. */
  outputs: string[];
  regions?: string[];
  probe?: ProbeSpec;
  /** The plan step's own settings (reads format, long reads, what to adopt). */
  settings?: StepSettings;
  /** Submitted files among the inputs, by input name: they must still be what intake checked. */
  inputIdentities?: Record<string, ExpectedInput>;
}

export interface StepResult {
  step: JobStepName;
  attempt: number;
  key: string;
  jobId: string;
  executor: string;
  state: 'COMPLETED';
  workDir: string;
  outputs: Record<string, string>;
  resources: JobResources;
  toolVersions: Record<string, string>;
  commands: string[];
  /** When the executor accepted the job (sbatch returned, or the local queue took it). */
  submittedAt: string;
  endedAt: string;
  /** CPU time and peak memory, for jobs that measure them (frequency jobs). */
  usage?: JobUsage;
}

/** Frequency jobs measure what they cost: a release reports its cost per stage. */
const MEASURED_KINDS: ReadonlySet<StepKind> = new Set([
  'frequency-contribution',
  'frequency-partial',
  'frequency-reduce',
  'frequency-gather',
]);

export function jobKey(workflowId: string, runId: string, step: string, attempt: number): string {
  return `${workflowId}/${runId}/${step}/${attempt}`;
}

export function createJobActivities(deps: ActivityDeps) {
  return {
    runStep: (input: RunStepInput): Promise<StepResult> => runStep(deps, input),
  };
}

async function runStep(deps: ActivityDeps, input: RunStepInput): Promise<StepResult> {
  const activity = currentActivity();
  const key = jobKey(input.workflowId, input.runId, input.step, input.attempt);
  const workDir = deps.layout.workDir(
    input.workflowId,
    input.runId,
    input.step,
    String(input.attempt),
  );
  const log = deps.logger.child({ workflowId: input.workflowId, sampleId: input.sampleId, key });
  const commands = await stepCommands(deps, input);
  const expected = input.inputIdentities ?? {};
  await refuseChangedInputs(input.inputs, expected);
  const script = renderJobScript({
    key,
    workDir,
    tools: commands.tools,
    lines: commands.lines,
    measureUsage: MEASURED_KINDS.has(input.kind),
    // Checked again by the job itself: on a busy cluster it may start days from now.
    inputChecks: Object.entries(expected).flatMap(([name, identity]) => {
      const file = input.inputs[name];
      return file === undefined ? [] : [{ path: file, ...identity }];
    }),
  });
  const ref = await submitJob(deps, { key, workDir, script, resources: input.resources });
  const submittedAt = new Date().toISOString();
  deps.metrics?.jobsSubmitted.inc({ executor: ref.executor, kind: input.kind });
  const jobLog = log.child({ jobId: ref.jobId });
  activity.heartbeat({ jobId: ref.jobId, key });
  jobLog.info({ resources: input.resources }, 'job submitted');

  const status = await waitForJob(deps, ref, activity);
  deps.metrics?.jobsEnded.inc({ executor: ref.executor, state: status.state });
  deps.metrics?.stepDuration.observe(
    { kind: input.kind, state: status.state },
    (Date.now() - Date.parse(submittedAt)) / 1000,
  );
  await failUnlessCompleted(input, ref, status, workDir, jobLog);
  if (input.kind === 'karyotype-depth') {
    const pipeline = await deps.pipelines.load(input.pipelineVersion ?? '');
    const verdict = await writeKaryotypeVerdict(
      pipeline,
      input.settings?.statedKaryotype ?? null,
      workDir,
    );
    jobLog.info({ karyotype: verdict }, 'karyotype decided');
  }
  const outputs = await collectOutputs(input, ref, workDir);
  const { toolVersions, usage } = await readJobReport(workDir);
  jobLog.info('job completed');
  return {
    step: input.step,
    attempt: input.attempt,
    key,
    jobId: ref.jobId,
    executor: ref.executor,
    state: 'COMPLETED',
    workDir,
    outputs,
    resources: input.resources,
    toolVersions,
    commands: commandLines(commands.lines),
    submittedAt,
    endedAt: new Date().toISOString(),
    ...(usage ? { usage } : {}),
  };
}

/** The step's commands, from its kind, inputs, settings and (when it has one) its pipeline. */
async function stepCommands(deps: ActivityDeps, input: RunStepInput): Promise<StepCommands> {
  const pipeline =
    input.pipelineVersion === null ? null : await deps.pipelines.load(input.pipelineVersion);
  return buildStepCommands({
    kind: input.kind,
    inputs: input.inputs,
    resources: input.resources,
    pipeline: pipeline && { spec: pipeline.spec, reference: pipeline.referenceFasta },
    sampleId: input.sampleId,
    regions: input.regions ?? [],
    outputs: input.outputs,
    ...(input.probe ? { probe: input.probe } : {}),
    ...(input.settings ? { step: input.settings } : {}),
    springBin: deps.config.springBin,
    ...(input.kind === 'frequency-contribution'
      ? { members: await readContributionMembers(input.inputs.members ?? '') }
      : {}),
    engine: {
      node: deps.config.frequency.engineNode,
      script: path.join(PROJECT_ROOT, 'bin', 'harmonise-engine.js'),
    },
  });
}
