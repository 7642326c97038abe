/**
 * A consent withdrawal through the typed client (client.ts delegates here): recorded in the
 * catalogue and the audit log and, unless told not to, followed by a release without the sample.
 */
import { HarmoniseError } from './errors.ts';
import { appendAudit } from './store/audit.ts';
import { Catalogue } from './store/catalogue.ts';
import type { Layout } from './store/layout.ts';

export interface ConsentWithdrawal {
  sampleId: string;
  withdrawnAt: string;
  alreadyWithdrawn: boolean;
  releaseId: string | null;
}

/**
 * Earlier releases are never touched. A repeated withdrawal is logged and starts nothing.
 */
export async function withdrawConsent(
  ctx: {
    layout: Layout;
    startRelease(options: { requestedBy: string }): Promise<string>;
  },
  sampleId: string,
  options: { requestedBy: string; release: boolean },
): Promise<ConsentWithdrawal> {
  const at = new Date().toISOString();
  const withdrawn = await new Catalogue(ctx.layout).withdrawConsent(sampleId, at);
  if (withdrawn === null) throw new HarmoniseError('NOT_FOUND', `no sample ${sampleId}`);
  const withdrawnAt = withdrawn.record.consent.withdrawnAt ?? at;
  const releaseId =
    options.release && !withdrawn.alreadyWithdrawn
      ? await ctx.startRelease({ requestedBy: options.requestedBy })
      : null;
  await appendAudit(ctx.layout.auditLog, {
    at,
    action: 'consent-withdrawn',
    requestedBy: options.requestedBy,
    sampleId,
    withdrawnAt,
    alreadyWithdrawn: withdrawn.alreadyWithdrawn,
    releaseId,
  });
  return { sampleId, withdrawnAt, alreadyWithdrawn: withdrawn.alreadyWithdrawn, releaseId };
}
