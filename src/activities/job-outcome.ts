/**
 * What a step's finished job leaves: a job that ended badly becomes a typed, non-retryable
 * failure with its details (src/domain/retry.ts decides what happens next); a completed one must
 * have left every output, and its tool versions and usage are read back.
 */
import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobResources, JobStepName } from '../domain/pipeline.ts';
import { FailureType } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { stderrTail } from '../executors/markers.ts';
import type { TerminalJobStatus } from '../executors/poller.ts';
import type { JobRef } from '../executors/port.ts';
import { hashFile } from '../store/checksums.ts';
import {
  INPUT_CHANGED_MARKER,
  OUTPUT_CHECKSUMS_NAME,
  parseOutputChecksums,
  TOOL_VERSIONS_NAME,
} from '../tools/job-script.ts';
import { parseUsage, USAGE_NAME, type JobUsage } from '../tools/usage.ts';
import { parseToolVersions } from '../tools/versions.ts';
import { inputChanged } from './job-inputs.ts';

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

/** Fails the step unless its job completed: its inputs changed, or it ended badly. */
export async function failUnlessCompleted(
  step: { step: JobStepName; resources: JobResources },
  ref: JobRef,
  status: TerminalJobStatus,
  workDir: string,
  jobLog: Logger,
): Promise<void> {
  if (status.state === 'COMPLETED') return;
  const changed = await fs
    .readFile(path.join(workDir, INPUT_CHANGED_MARKER), 'utf8')
    .catch(() => null);
  if (changed !== null) throw inputChanged([changed.trim()]);
  const details: JobFailureDetails = {
    key: ref.key,
    jobId: ref.jobId,
    state: status.state,
    exitCode: status.exitCode,
    reason: status.reason ?? null,
    stderrTail: await stderrTail(workDir),
    resources: step.resources,
  };
  jobLog.warn({ state: status.state, reason: status.reason }, 'job ended without success');
  const summary = `${step.step} job ${ref.jobId} ended ${status.state}${status.reason ? `: ${status.reason}` : ''}`;
  const message =
    status.state === 'FAILED' && details.stderrTail ? `${summary}\n${details.stderrTail}` : summary;
  throw ApplicationFailure.nonRetryable(message, FAILURE_TYPE_BY_STATE[status.state], details);
}

/** The paths of a completed job's outputs, by name; a missing one fails the step. */
export async function collectOutputs(
  step: { step: JobStepName; outputs: readonly string[] },
  ref: JobRef,
  workDir: string,
): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of step.outputs) {
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
      `${step.step} job ${ref.jobId} completed but left no ${missing.join(', ')} in ${workDir}`,
      FailureType.JobOutputsMissing,
    );
  }
  return outputs;
}

/** The tool versions and (for measured jobs) usage a completed job wrote into its work folder. */
export async function readJobReport(
  workDir: string,
): Promise<{ toolVersions: Record<string, string>; usage: JobUsage | null }> {
  const versionsText = await fs
    .readFile(path.join(workDir, TOOL_VERSIONS_NAME), 'utf8')
    .catch(() => '');
  const usage = parseUsage(
    await fs.readFile(path.join(workDir, USAGE_NAME), 'utf8').catch(() => ''),
  );
  return { toolVersions: parseToolVersions(versionsText), usage };
}

/**
 * The sha256 of each output: as the job wrote them to `outputs.sha256` beside its outputs, and
 * for any it did not (files the step's activity wrote, a job from before jobs wrote them) hashed
 * here.
 */
export async function readOutputChecksums(
  outputs: Readonly<Record<string, string>>,
): Promise<Record<string, string>> {
  const dirs = new Set(Object.values(outputs).map((file) => path.dirname(file)));
  const written: Record<string, string> = {};
  for (const dir of dirs) {
    const text = await fs.readFile(path.join(dir, OUTPUT_CHECKSUMS_NAME), 'utf8').catch(() => '');
    for (const [name, sum] of Object.entries(parseOutputChecksums(text)))
      written[path.join(dir, name)] = sum;
  }
  const sums: Record<string, string> = {};
  for (const [name, file] of Object.entries(outputs)) {
    sums[name] = written[file] ?? (await hashFile(file, 'sha256'));
  }
  return sums;
}
