/**
 * runStep: one plan step as one job on the configured executor. The job key
 * (`<workflowId>/<runId>/<step>/<attempt>`) makes submission idempotent; the activity
 * heartbeats the job id, so a retry after a worker crash re-attaches to the same job instead of
 * starting it again; cancelling the activity cancels the job. A job that ends badly becomes a
 * typed, non-retryable failure: the workflow decides what happens next (src/domain/retry.ts).
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExpectedInput } from '../domain/file-facts.ts';
import type { JobResources, JobStepName } from '../domain/pipeline.ts';
import type { StepKind, StepSettings } from '../domain/plan.ts';
import type { ProbeSpec } from '../domain/probe.ts';
import { FailureType } from '../errors.ts';
import { stderrTail } from '../executors/markers.ts';
import type { TerminalJobStatus } from '../executors/poller.ts';
import { JobRejectedError, type JobRef, type JobSpec } from '../executors/port.ts';
import {
  INPUT_CHANGED_MARKER,
  TOOL_VERSIONS_NAME,
  commandLines,
  renderJobScript,
} from '../tools/job-script.ts';
import { identityOf, sameIdentity } from '../store/file-identity.ts';
import { PROJECT_ROOT } from '../config.ts';
import { buildStepCommands } from '../tools/step-commands.ts';
import { parseUsage, USAGE_NAME, type JobUsage } from '../tools/usage.ts';
import { parseToolVersions } from '../tools/versions.ts';
import { currentActivity, type ActivityHandle } from './context.ts';
import { readContributionMembers } from './frequency-contributions.ts';
import type { ActivityDeps } from './deps.ts';

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

/** Details attached to a failed job's ApplicationFailure, for the workflow's decision and status. */
export interface JobFailureDetails {
  key: string;
  jobId: string;
  state: string;
  exitCode: number | null;
  reason: string | null;
  stderrTail: string;
  resources: JobResources;
}

export function jobKey(workflowId: string, runId: string, step: string, attempt: number): string {
  return `${workflowId}/${runId}/${step}/${attempt}`;
}

const FAILURE_TYPE_BY_STATE: Record<
  Exclude<TerminalJobStatus['state'], 'COMPLETED'>,
  FailureType
> = {
  FAILED: FailureType.JobFailed,
  OUT_OF_MEMORY: FailureType.JobOutOfMemory,
  TIMEOUT: FailureType.JobTimeout,
  CANCELLED: FailureType.JobCancelled,
  NODE_FAIL: FailureType.JobInfrastructure,
  PREEMPTED: FailureType.JobInfrastructure,
  BOOT_FAIL: FailureType.JobInfrastructure,
};

export function createJobActivities(deps: ActivityDeps) {
  return {
    async runStep(input: RunStepInput): Promise<StepResult> {
      const activity = currentActivity();
      const key = jobKey(input.workflowId, input.runId, input.step, input.attempt);
      const workDir = deps.layout.workDir(
        input.workflowId,
        input.runId,
        input.step,
        String(input.attempt),
      );
      const log = deps.logger.child({
        workflowId: input.workflowId,
        sampleId: input.sampleId,
        key,
      });
      const pipeline =
        input.pipelineVersion === null ? null : await deps.pipelines.load(input.pipelineVersion);
      const commands = buildStepCommands({
        kind: input.kind,
        inputs: input.inputs,
        resources: input.resources,
        pipeline: pipeline && { spec: pipeline.spec, reference: pipeline.referenceFasta },
        sampleId: input.sampleId,
        regions: input.regions ?? [],
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
      if (status.state !== 'COMPLETED') {
        const changed = await fs
          .readFile(path.join(workDir, INPUT_CHANGED_MARKER), 'utf8')
          .catch(() => null);
        if (changed !== null) throw inputChanged([changed.trim()]);
        const details: JobFailureDetails = {
          key,
          jobId: ref.jobId,
          state: status.state,
          exitCode: status.exitCode,
          reason: status.reason ?? null,
          stderrTail: await stderrTail(workDir),
          resources: input.resources,
        };
        jobLog.warn({ state: status.state, reason: status.reason }, 'job ended without success');
        const summary = `${input.step} job ${ref.jobId} ended ${status.state}${status.reason ? `: ${status.reason}` : ''}`;
        const message =
          status.state === 'FAILED' && details.stderrTail
            ? `${summary}\n${details.stderrTail}`
            : summary;
        throw ApplicationFailure.nonRetryable(
          message,
          FAILURE_TYPE_BY_STATE[status.state],
          details,
        );
      }

      const outputs: Record<string, string> = {};
      const missing: string[] = [];
      for (const name of input.outputs) {
        const file = path.join(workDir, name);
        try {
          await fs.access(file);
          outputs[name] = file;
        } catch {
          missing.push(name);
        }
      }
      if (missing.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `${input.step} job ${ref.jobId} completed but left no ${missing.join(', ')} in ${workDir}`,
          FailureType.JobOutputsMissing,
        );
      }
      const versionsText = await fs
        .readFile(path.join(workDir, TOOL_VERSIONS_NAME), 'utf8')
        .catch(() => '');
      const usage = parseUsage(
        await fs.readFile(path.join(workDir, USAGE_NAME), 'utf8').catch(() => ''),
      );
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
        toolVersions: parseToolVersions(versionsText),
        commands: commandLines(commands.lines),
        submittedAt,
        endedAt: new Date().toISOString(),
        ...(usage ? { usage } : {}),
      };
    },
  };
}

function inputChanged(labels: readonly string[]): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `${labels.join(', ')} changed after intake (replaced, rewritten or removed): the sample is not harmonised from a file other than the one checked; submit it again`,
    FailureType.InputChangedAfterIntake,
    { inputs: labels },
  );
}

/** Fails the step before its job is submitted when a submitted input is not the file intake checked. */
export async function refuseChangedInputs(
  inputs: Readonly<Record<string, string>>,
  expected: Readonly<Record<string, ExpectedInput>>,
): Promise<void> {
  const changed: string[] = [];
  for (const [name, identity] of Object.entries(expected)) {
    const file = inputs[name];
    if (file === undefined) continue;
    const now = await fs.stat(file, { bigint: true }).catch(() => null);
    if (now === null || !sameIdentity(identity, identityOf(now))) changed.push(identity.label);
  }
  if (changed.length > 0) throw inputChanged(changed);
}

/** Submits, turning refusals that retrying cannot fix (bad partition, account...) into final failures. */
async function submitJob(deps: ActivityDeps, spec: JobSpec): Promise<JobRef> {
  try {
    return await deps.executor.submit(spec);
  } catch (error) {
    if (error instanceof JobRejectedError) {
      throw ApplicationFailure.nonRetryable(error.message, FailureType.ConfigInvalid);
    }
    throw error;
  }
}

/** Waits through the worker's one poller, heartbeating; cancelling the activity cancels the job. */
async function waitForJob(
  deps: ActivityDeps,
  ref: JobRef,
  activity: ActivityHandle,
): Promise<TerminalJobStatus> {
  const signal = activity.cancellationSignal;
  try {
    return await deps.poller.wait(ref, {
      ...(signal ? { signal } : {}),
      onPoll: (status) =>
        activity.heartbeat({ jobId: ref.jobId, key: ref.key, state: status?.state ?? 'UNKNOWN' }),
    });
  } catch (error) {
    if (signal?.aborted) {
      if (activity.cancellationMeansStop()) {
        await deps.executor.cancel(ref);
        deps.logger.info({ jobId: ref.jobId, key: ref.key }, 'job cancelled with its activity');
      } else {
        // Worker shutdown or heartbeat timeout: the job keeps running and a retry re-attaches.
        deps.logger.info(
          { jobId: ref.jobId, key: ref.key },
          'activity interrupted; job left running',
        );
      }
      throw error instanceof CancelledFailure ? error : new CancelledFailure('step cancelled');
    }
    throw error;
  }
}
