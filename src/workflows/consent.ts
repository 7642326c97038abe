/**
 * A consent withdrawal (`consent:<sampleId>`, started by signal-with-start): it records the
 * withdrawal in the catalogue, starts a release without the sample, and appends the audit line,
 * each a step of its own, so that a worker or a client that dies anywhere leaves the rest to the
 * next worker. A request that arrives while one is under way joins it; one after it has ended
 * starts a new run, which records nothing new and starts a release only if none was started or
 * published since the withdrawal (so a withdrawal an older harmonise left half done is finished).
 */
import {
  condition,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { ConsentWithdrawal } from '../domain/consent.ts';
import { frequencyWorkflowId, newReleaseId } from '../shared.ts';
import { consentActivities } from './activities.ts';
import { frequencyReleaseWorkflow } from './frequency-release.ts';
import { withdrawConsentSignal, type ConsentWithdrawalRequest } from './messages.ts';

export interface ConsentInput {
  sampleId: string;
}

export async function consentWorkflow(input: ConsentInput): Promise<ConsentWithdrawal> {
  const requests: ConsentWithdrawalRequest[] = [];
  setHandler(withdrawConsentSignal, (request) => {
    requests.push(request);
  });
  // Signal-with-start delivers the request before the first step.
  await condition(() => requests.length > 0);
  const first = requests[0]!;
  const at = new Date().toISOString();
  const recorded = await consentActivities.recordConsentWithdrawal({
    sampleId: input.sampleId,
    at,
  });
  let releaseId: string | null = null;
  if (requests.some((r) => r.release) && recorded.releasedBy === null) {
    releaseId = newReleaseId();
    // The release outlives this workflow: it is not this workflow's to cancel.
    await startChild(frequencyReleaseWorkflow, {
      workflowId: frequencyWorkflowId(releaseId),
      args: [{ releaseId, pipelineVersion: null, requestedBy: first.requestedBy }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  }
  await consentActivities.auditConsentWithdrawal({
    key: `consent:${input.sampleId}:${workflowInfo().runId}`,
    at,
    requestedBy: first.requestedBy,
    sampleId: input.sampleId,
    withdrawnAt: recorded.withdrawnAt,
    alreadyWithdrawn: recorded.alreadyWithdrawn,
    releaseId,
  });
  return {
    sampleId: input.sampleId,
    withdrawnAt: recorded.withdrawnAt,
    alreadyWithdrawn: recorded.alreadyWithdrawn,
    releaseId,
  };
}
