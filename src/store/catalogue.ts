/**
 * The catalogue: one JSON record per sample, changed only by atomic rename under a lock.
 * File-based while it fits (docs/storage.md): 60,000 records scan in seconds.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  SAMPLE_RECORD_SCHEMA,
  sampleRecordSchema,
  type SampleRecord,
  type SampleVersion,
} from '../domain/sample-record.ts';
import { readJsonIfExists, writeJsonAtomic } from './atomic.ts';
import { withFileLock } from './file-lock.ts';
import type { Layout } from './layout.ts';

export class Catalogue {
  constructor(private readonly layout: Layout) {}

  async get(sampleId: string): Promise<SampleRecord | null> {
    const file = this.layout.catalogueFile(sampleId);
    const raw = await readJsonIfExists(file);
    if (raw === undefined) return null;
    const parsed = sampleRecordSchema.safeParse(raw);
    if (!parsed.success)
      throw new Error(`catalogue record ${file} is invalid: ${parsed.error.message}`);
    return parsed.data;
  }

  /** Adds (or confirms) one harmonised version of a sample. */
  async recordVersion(
    identity: Pick<SampleRecord, 'sampleId' | 'region' | 'readType' | 'consent'>,
    version: SampleVersion,
  ): Promise<SampleRecord> {
    const file = this.layout.catalogueFile(identity.sampleId);
    await fs.mkdir(path.dirname(file), { recursive: true });
    return withFileLock(file, async () => {
      const existing = await this.get(identity.sampleId);
      const record: SampleRecord = {
        schema: SAMPLE_RECORD_SCHEMA,
        sampleId: identity.sampleId,
        region: existing?.region ?? identity.region,
        readType: identity.readType,
        // A withdrawal is never undone by a later submission.
        consent: existing?.consent.withdrawnAt ? existing.consent : identity.consent,
        versions: { ...existing?.versions, [version.pipelineVersion]: version },
        updatedAt: new Date().toISOString(),
      };
      await writeJsonAtomic(file, record);
      return record;
    });
  }

  /**
   * Records that the citizen withdrew consent to secondary use, at `at`. A withdrawal is kept
   * as first recorded and never undone. Returns the record and whether it was already withdrawn,
   * or null for an unknown sample.
   */
  async withdrawConsent(
    sampleId: string,
    at: string,
  ): Promise<{ record: SampleRecord; alreadyWithdrawn: boolean } | null> {
    const file = this.layout.catalogueFile(sampleId);
    await fs.mkdir(path.dirname(file), { recursive: true });
    return withFileLock(file, async () => {
      const existing = await this.get(sampleId);
      if (existing === null) return null;
      if (existing.consent.withdrawnAt) return { record: existing, alreadyWithdrawn: true };
      const record: SampleRecord = {
        ...existing,
        consent: { ...existing.consent, withdrawnAt: at },
        updatedAt: at,
      };
      await writeJsonAtomic(file, record);
      return { record, alreadyWithdrawn: false };
    });
  }

  /** Every record, in sample-id order. */
  async list(): Promise<SampleRecord[]> {
    const records: SampleRecord[] = [];
    await this.forEach((record) => records.push(record));
    return records;
  }

  /**
   * Visits every record in sample-id order, reading a few files at a time so a national
   * catalogue (60,000 records) scans in seconds without holding every record at once.
   */
  async forEach(visit: (record: SampleRecord) => void, onBatch?: () => void): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(this.layout.catalogueDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const ids = names
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .map((n) => n.slice(0, -'.json'.length))
      .sort();
    const BATCH = 64;
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = await Promise.all(ids.slice(i, i + BATCH).map((id) => this.get(id)));
      for (const record of batch) if (record) visit(record);
      onBatch?.();
    }
  }
}
