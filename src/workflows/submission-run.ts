/**
 * One run of a submission workflow: its input, what crosses continue-as-new (plain JSON, small
 * whatever the number of samples), and the progress its query answers.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { emptyCounts, type SubmissionProgress } from '../domain/status.ts';
import { SearchAttribute } from '../shared.ts';
import type { SubmissionCompleteRequest } from './messages.ts';

export interface SubmissionWorkflowInput {
  region: string;
  submissionId: string;
  /** Continue-as-new once history has this many events (tests lower it). */
  continueAsNewAfterEvents?: number;
  /** At most this many samples in flight at once (tests lower it). */
  window?: number;
  carried?: SubmissionCarry;
}

/** What crosses continue-as-new: plain JSON, small whatever the number of samples. */
export interface SubmissionCarry {
  progress: SubmissionProgress;
  request: SubmissionCompleteRequest;
  intakeFile: string;
  /** The intake list's next page starts at this byte. */
  nextByte: number;
  /** Intake entries read so far (of progress.counts.total). */
  read: number;
  outcomeSeq: number;
}

export interface SubmissionRun {
  readonly input: SubmissionWorkflowInput;
  readonly progress: SubmissionProgress;
  /** The first submissionComplete request (set by its signal handler). */
  request: SubmissionCompleteRequest | null;
}

export function now(): string {
  return new Date(Date.now()).toISOString();
}

export function newProgress(
  input: SubmissionWorkflowInput,
  workflowId: string,
): SubmissionProgress {
  return {
    region: input.region,
    submissionId: input.submissionId,
    workflowId,
    status: 'received',
    mode: null,
    modeSource: null,
    modeDecidedBy: null,
    pipelineVersion: null,
    errors: [],
    signals: 0,
    receivedAt: now(),
    updatedAt: now(),
    counts: emptyCounts(),
    runDir: null,
    running: [],
    recent: [],
  };
}

export function setStatus(progress: SubmissionProgress, status: SubmissionProgress['status']) {
  progress.status = status;
  progress.updatedAt = now();
  upsertSearchAttributes([{ key: SearchAttribute.Stage, value: status }]);
}
