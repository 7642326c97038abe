/**
 * A consent withdrawal through the typed client (client.ts delegates here): signal-with-start of
 * the sample's consent workflow (`consent:<sampleId>`), which records it in the catalogue, starts
 * a release without the sample and appends the audit line, each a step Temporal keeps, so that a
 * client or worker that dies half way leaves nothing half done. Earlier releases are never
 * touched.
 */
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Config } from './config.ts';
import type { ConsentWithdrawal } from './domain/consent.ts';
import { HarmoniseError, ServiceUnreachableError } from './errors.ts';
import { consentWorkflowId } from './shared.ts';
import { Catalogue } from './store/catalogue.ts';
import type { Layout } from './store/layout.ts';
import type { consentWorkflow } from './workflows/consent.ts';
import { withdrawConsentSignal } from './workflows/messages.ts';

export type { ConsentWithdrawal } from './domain/consent.ts';

/** How long the client waits for the workflow to have done its steps. */
const RESULT_WAIT_MS = 120_000;

export async function withdrawConsent(
  ctx: { layout: Layout; config: Config; temporal: Client },
  sampleId: string,
  options: { requestedBy: string; release: boolean },
): Promise<ConsentWithdrawal> {
  if ((await new Catalogue(ctx.layout).get(sampleId)) === null)
    throw new HarmoniseError('NOT_FOUND', `no sample ${sampleId}`);
  const workflowId = consentWorkflowId(sampleId);
  const handle = await ctx.temporal.workflow.signalWithStart<
    typeof consentWorkflow,
    [typeof options]
  >('consentWorkflow', {
    workflowId,
    taskQueue: ctx.config.temporal.taskQueue,
    args: [{ sampleId }],
    signal: withdrawConsentSignal,
    signalArgs: [options],
    // A withdrawal after an ended one runs again: it finishes what an older one left.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ServiceUnreachableError(
            `the withdrawal of ${sampleId} is with Temporal (${workflowId}) and is done when a worker runs it; no worker finished it within ${RESULT_WAIT_MS / 1000} s`,
          ),
        ),
      RESULT_WAIT_MS,
    );
  });
  try {
    return await Promise.race([handle.result(), late]);
  } finally {
    clearTimeout(timer);
  }
}
