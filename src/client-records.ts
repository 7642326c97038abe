/**
 * What the data root holds, as the API reads it through the typed client (`records`): release
 * summaries and submission outcome records; and the API's own entries in the audit log, personal
 * numbers replaced by the data root's salted hash.
 */
import path from 'node:path';
import type { Config } from './config.ts';
import type { SubmissionStatus } from './domain/status.ts';
import { readJsonIfExists } from './store/atomic.ts';
import { appendAudit } from './store/audit.ts';
import { createLayout, type Layout } from './store/layout.ts';
import { releaseSummaries, submissionRecords, type ReleaseSummary } from './store/listings.ts';
import { loadSalt, personalNumberRedactor, redactDeep, type Redact } from './store/redaction.ts';

/** One API call that changes something, for the audit log. */
export interface ApiCallEntry {
  /** `api <METHOD> <route>` */
  action: string;
  /** `api:<role>` */
  requestedBy: string;
  /** The path parameters as asked (personal numbers are replaced before they are written). */
  params: Record<string, string>;
  /** The status, with the error code when it failed. */
  outcome: string;
}

export class Records {
  // Made on first use, from the same salt as the logger's: the same number, the same hash.
  private redactor: Redact | null = null;

  constructor(private readonly ctx: { config: Config; layout: Layout }) {}

  /** The records of a data root without a Temporal connection (reading releases needs none). */
  static ofDataRoot(config: Config): Records {
    return new Records({ config, layout: createLayout(config.dataRoot) });
  }

  /** Published releases' summary.json, newest first. */
  releaseSummaries(limit: number): Promise<ReleaseSummary[]> {
    return releaseSummaries(this.ctx.layout, limit);
  }

  /** A release's summary.json once it is published, else undefined. */
  releaseSummary(releaseId: string): Promise<unknown> {
    return readJsonIfExists(path.join(this.ctx.layout.releaseDir(releaseId), 'summary.json'));
  }

  /** Every submission's outcome record. */
  submissionRecords(): Promise<SubmissionStatus[]> {
    return submissionRecords(this.ctx.layout);
  }

  /** Appends an API call to the audit log, never with a personal number (a salted hash instead). */
  recordApiCall(entry: ApiCallEntry): Promise<void> {
    this.redactor ??= personalNumberRedactor(loadSalt(this.ctx.config.dataRoot));
    return appendAudit(this.ctx.layout.auditLog, {
      at: new Date().toISOString(),
      action: entry.action,
      requestedBy: entry.requestedBy,
      params: redactDeep(entry.params, this.redactor),
      outcome: entry.outcome,
    });
  }
}
