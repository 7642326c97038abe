/**
 * The activities of a consent withdrawal (workflows/consent.ts): record it in the catalogue, and
 * append it to the audit log. Each is idempotent, so a retry after a crash, or a repeated
 * withdrawal, does each thing once: the catalogue keeps the first withdrawal's time, and the
 * audit line is written once per workflow run (its key).
 */
import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import { FailureType } from '../domain/failures.ts';
import { newReleaseId } from '../shared.ts';
import { appendAudit, readAudit } from '../store/audit.ts';
import { Catalogue } from '../store/catalogue.ts';
import type { ActivityDeps } from './deps.ts';

export interface RecordedWithdrawal {
  withdrawnAt: string;
  alreadyWithdrawn: boolean;
  /**
   * A release already started for this withdrawal (by an earlier request, as its audit line
   * says) or published since it: then none is started again. Null: none yet.
   */
  releasedBy: string | null;
}

export interface ConsentAuditInput {
  /** Once per workflow run: `consent:<sampleId>:<runId>`. */
  key: string;
  at: string;
  requestedBy: string;
  sampleId: string;
  withdrawnAt: string;
  alreadyWithdrawn: boolean;
  releaseId: string | null;
}

export function createConsentActivities(deps: ActivityDeps) {
  const { layout } = deps;

  /** The release that already leaves the sample out, if there is one. */
  async function releaseSince(sampleId: string, withdrawnAt: string): Promise<string | null> {
    const audit = await readAudit(layout.auditLog);
    const started = audit.find(
      (e) =>
        e.action === 'consent-withdrawn' &&
        e.sampleId === sampleId &&
        typeof e.releaseId === 'string',
    );
    if (started) return started.releaseId as string;
    // Release ids sort by time: one cut after the withdrawal leaves the sample out.
    const after = newReleaseId(new Date(withdrawnAt));
    const published = await fs.readdir(layout.releasesDir).catch(() => [] as string[]);
    return published.sort().find((id) => id > after) ?? null;
  }

  return {
    async recordConsentWithdrawal(input: {
      sampleId: string;
      at: string;
    }): Promise<RecordedWithdrawal> {
      const withdrawn = await new Catalogue(layout).withdrawConsent(input.sampleId, input.at);
      if (withdrawn === null)
        throw ApplicationFailure.nonRetryable(
          `no sample ${input.sampleId}`,
          FailureType.SampleUnknown,
        );
      const withdrawnAt = withdrawn.record.consent.withdrawnAt ?? input.at;
      return {
        withdrawnAt,
        alreadyWithdrawn: withdrawn.alreadyWithdrawn,
        releasedBy: withdrawn.alreadyWithdrawn
          ? await releaseSince(input.sampleId, withdrawnAt)
          : null,
      };
    },

    async auditConsentWithdrawal(input: ConsentAuditInput): Promise<void> {
      const audit = await readAudit(layout.auditLog);
      if (audit.some((e) => e.key === input.key)) return;
      const { at, requestedBy, ...details } = input;
      await appendAudit(layout.auditLog, {
        at,
        action: 'consent-withdrawn',
        requestedBy,
        ...details,
      });
    },
  };
}
