/**
 * A submission before any of its samples runs: it waits for the submissionComplete request,
 * takes the region's policy (whose pipeline names the reference the files are checked against),
 * and checks the submission as a whole. A rejected submission is recorded with its reasons.
 */
import { condition, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SearchAttribute } from '../shared.ts';
import { fileActivities, quickActivities, submissionActivities } from './activities.ts';
import type { SubmissionCompleteRequest } from './messages.ts';
import { setStatus, type SubmissionCarry, type SubmissionRun } from './submission-run.ts';

/** What the first run carries on, or null once a rejected submission was recorded. */
export async function acceptSubmission(run: SubmissionRun): Promise<SubmissionCarry | null> {
  const { input, progress } = run;
  const info = workflowInfo();
  upsertSearchAttributes([{ key: SearchAttribute.Region, value: input.region }]);
  await condition(() => run.request !== null);
  // The signal handler set it (TypeScript cannot see that `condition` waited for it).
  const accepted: SubmissionCompleteRequest | null = run.request;
  if (accepted === null) throw new Error('unreachable: no submissionComplete request');

  // The policy comes first: its pipeline names the reference the files are checked against.
  const policy = await quickActivities.resolvePolicy({ region: input.region });
  progress.mode = accepted.mode ?? policy.mode;
  progress.modeSource = accepted.mode ? 'operator' : 'policy';
  progress.modeDecidedBy = accepted.mode ? accepted.requestedBy : 'policy';
  progress.pipelineVersion = policy.pipelineVersion;
  upsertSearchAttributes([
    { key: SearchAttribute.HarmonisationMode, value: progress.mode },
    { key: SearchAttribute.PipelineVersion, value: policy.pipelineVersion },
  ]);

  setStatus(progress, 'validating');
  const intake = await fileActivities.validateSubmission({
    region: input.region,
    submissionId: input.submissionId,
    pipelineVersion: policy.pipelineVersion,
    workflowId: info.workflowId,
    runId: info.firstExecutionRunId,
  });
  if (intake.issues.length > 0 || intake.intakeFile === null) {
    progress.errors = intake.issues;
    setStatus(progress, 'rejected');
    await submissionActivities.recordSubmission(progress);
    return null;
  }
  progress.runDir = intake.runDir;
  progress.counts = intake.counts;
  setStatus(progress, 'running');
  return {
    progress,
    request: accepted,
    intakeFile: intake.intakeFile,
    nextByte: 0,
    read: 0,
    outcomeSeq: 1,
  };
}
