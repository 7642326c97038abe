/**
 * The catalogue: one JSON record per sample, changed only by atomic rename under a lock.
 * File-based while it fits (DESIGN §10): 60,000 records scan in seconds.
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

  /** Every record, in sample-id order. */
  async list(): Promise<SampleRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.layout.catalogueDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: SampleRecord[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const record = await this.get(name.slice(0, -'.json'.length));
      if (record) records.push(record);
    }
    return records;
  }
}
