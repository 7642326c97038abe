/**
 * One plan step as one job on the configured executor, in short activities: submitStep submits
 * the job (the key `<workflowId>/<runId>/<step>/<attempt>` makes it idempotent, so a retry after a
 * worker crash finds the same job) and hands it to the worker's job watcher; the workflow waits
 * for the watcher's signal, holding no activity slot, and finishStep reads what the job left. A
 * job that ends badly becomes a typed, non-retryable failure (job-outcome.ts).
 */
import { isTerminal, type JobEnded } from '../domain/job-state.ts';
import { REUSABLE_KINDS } from '../domain/step-fingerprint.ts';
import { jobEnded, type JobWatcher } from '../executors/job-watcher.ts';
import type { TerminalJobStatus } from '../executors/poller.ts';
import type { JobRef } from '../executors/port.ts';
import type { Logger } from '../logger.ts';
import { beating, currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { submitJob, waitForJob } from './job-lifecycle.ts';
import {
  collectOutputs,
  failUnlessCompleted,
  readJobReport,
  readOutputChecksums,
} from './job-outcome.ts';
import { prepareJob } from './job-prepare.ts';
import type {
  FinishStepInput,
  RunStepInput,
  StepResult,
  SubmittedJob,
  WatchJobInput,
} from './job-types.ts';
import { writeKaryotypeVerdict } from './karyotype.ts';
import { fingerprintStep } from './step-fingerprint.ts';

export type { JobFailureDetails } from './job-outcome.ts';
export { refuseChangedInputs } from './job-inputs.ts';
export type * from './job-types.ts';
export { jobKey } from './job-prepare.ts';

export function createJobActivities(deps: ActivityDeps) {
  return {
    submitStep: (input: RunStepInput): Promise<SubmittedJob> => submitStep(deps, input),
    watchJob: (input: WatchJobInput): Promise<JobEnded | null> => watchJob(deps, input),
    finishStep: (input: FinishStepInput): Promise<StepResult> => finishStep(deps, input),
    cancelJob: (input: { ref: JobRef }): Promise<void> => cancelJob(deps, input.ref),
    /**
     * The step in one activity that waits for its job: what workflows started before steps
     * waited by signal still run (run-step.ts, JOB_END_BY_SIGNAL). Kept until none can be running.
     */
    runStep: (input: RunStepInput): Promise<StepResult> => runStep(deps, input),
  };
}

async function submitPrepared(
  deps: ActivityDeps,
  input: RunStepInput,
  job: Awaited<ReturnType<typeof prepareJob>>,
): Promise<JobRef> {
  const ref = await submitJob(deps, {
    key: job.key,
    workDir: job.workDir,
    script: job.script,
    resources: input.resources,
  });
  deps.metrics?.jobsSubmitted.inc({ executor: ref.executor, kind: input.kind });
  job.log.info({ jobId: ref.jobId, resources: input.resources }, 'job submitted');
  return ref;
}

/**
 * Submits the step's job (idempotent by its key) and hands it to the worker's job watcher, which
 * signals the workflow when the job ends; returns at once, holding no slot while the job runs.
 */
async function submitStep(deps: ActivityDeps, input: RunStepInput): Promise<SubmittedJob> {
  const activity = currentActivity();
  // Under a submit rate limit, a burst of steps may wait a while for its turn.
  return beating(activity, async () => {
    const job = await prepareJob(deps, input);
    const ref = await submitPrepared(deps, input, job);
    await watcherOf(deps).watch(ref, { workflowId: input.workflowId, runId: input.runId });
    return {
      ref,
      submittedAt: new Date().toISOString(),
      commands: job.commands,
      recheck: {
        firstMs: deps.config.executor.jobRecheckSeconds * 1000,
        maxMs: deps.config.executor.jobRecheckMaxSeconds * 1000,
      },
    };
  });
}

/**
 * The workflow's recheck: the job is watched by this worker from now on (a worker that started
 * after the watch was lost takes it up), and its end is returned if it has already ended.
 */
async function watchJob(deps: ActivityDeps, input: WatchJobInput): Promise<JobEnded | null> {
  const target = { workflowId: input.workflowId, runId: input.runId };
  await watcherOf(deps).watch(input.ref, target, { adopt: true });
  const status = (await deps.executor.status([input.ref])).get(input.ref.jobId);
  if (!status || !isTerminal(status.state)) return null;
  return jobEnded(input.ref.key, { ...status, state: status.state });
}

/** Cancels a cancelled step's job, and stops watching it. */
async function cancelJob(deps: ActivityDeps, ref: JobRef): Promise<void> {
  await deps.executor.cancel(ref);
  await deps.watcher?.forget(ref.key);
  deps.logger.info({ jobId: ref.jobId, key: ref.key }, 'job cancelled with its step');
}

/** What the ended job left: a typed failure, or the step's outputs, tool versions and usage. */
async function finishStep(deps: ActivityDeps, input: FinishStepInput): Promise<StepResult> {
  const { ref, submittedAt, commands } = input.job;
  const status: TerminalJobStatus = input.status;
  const log = deps.logger.child({
    workflowId: input.workflowId,
    sampleId: input.sampleId,
    key: ref.key,
    jobId: ref.jobId,
  });
  return beating(currentActivity(), () =>
    completedStep(deps, input, { ref, status, submittedAt, commands, log }),
  );
}

async function completedStep(
  deps: ActivityDeps,
  input: RunStepInput,
  job: {
    ref: JobRef;
    status: TerminalJobStatus;
    submittedAt: string;
    commands: string[];
    log: Logger;
  },
): Promise<StepResult> {
  const { ref, status, log } = job;
  const workDir = ref.workDir;
  deps.metrics?.jobsEnded.inc({ executor: ref.executor, state: status.state });
  deps.metrics?.stepDuration.observe(
    { kind: input.kind, state: status.state },
    (Date.now() - Date.parse(job.submittedAt)) / 1000,
  );
  await failUnlessCompleted(input, ref, status, workDir, log);
  if (input.kind === 'karyotype-depth') {
    const pipeline = await deps.pipelines.load(input.pipelineVersion ?? '');
    const verdict = await writeKaryotypeVerdict(
      pipeline,
      input.settings?.statedKaryotype ?? null,
      workDir,
    );
    log.info({ karyotype: verdict }, 'karyotype decided');
  }
  const outputs = await collectOutputs(input, ref, workDir);
  const { toolVersions, usage } = await readJobReport(workDir);
  const identity = await stepIdentity(deps, input, outputs, toolVersions);
  log.info(identity.fingerprint ? { fingerprint: identity.fingerprint } : {}, 'job completed');
  return {
    step: input.step,
    attempt: input.attempt,
    key: ref.key,
    jobId: ref.jobId,
    executor: ref.executor,
    state: 'COMPLETED',
    workDir,
    outputs,
    resources: input.resources,
    toolVersions,
    commands: job.commands,
    submittedAt: job.submittedAt,
    endedAt: new Date().toISOString(),
    ...(usage ? { usage } : {}),
    ...identity,
  };
}

/**
 * A sample step's output checksums (as its job wrote them; the activity's own small files hashed
 * here) and, given its inputs' checksums, its fingerprint. Other steps have neither.
 */
async function stepIdentity(
  deps: ActivityDeps,
  input: RunStepInput,
  outputs: Record<string, string>,
  toolVersions: Record<string, string>,
): Promise<Pick<StepResult, 'outputSha256' | 'inputSha256' | 'fingerprint'>> {
  if (!REUSABLE_KINDS.has(input.kind) || input.sampleId === null || input.pipelineVersion === null)
    return {};
  const outputSha256 = await readOutputChecksums(outputs);
  if (!input.inputSha256) return { outputSha256 };
  const pipeline = await deps.pipelines.load(input.pipelineVersion);
  const result = fingerprintStep(
    pipeline,
    input.sampleId,
    { kind: input.kind, inputNames: Object.keys(input.inputs), settings: input.settings },
    toolVersions,
    input.inputSha256,
  );
  return {
    outputSha256,
    inputSha256: input.inputSha256,
    ...(result.ok ? { fingerprint: result.fingerprint } : {}),
  };
}

async function runStep(deps: ActivityDeps, input: RunStepInput): Promise<StepResult> {
  const activity = currentActivity();
  const job = await prepareJob(deps, input);
  const ref = await submitPrepared(deps, input, job);
  const submittedAt = new Date().toISOString();
  activity.heartbeat({ jobId: ref.jobId, key: ref.key });
  const status = await waitForJob(deps, ref, activity);
  const log = job.log.child({ jobId: ref.jobId });
  return completedStep(deps, input, { ref, status, submittedAt, commands: job.commands, log });
}

function watcherOf(deps: ActivityDeps): JobWatcher {
  if (!deps.watcher) throw new Error('this worker has no job watcher');
  return deps.watcher;
}
