/**
 * What the API lists from the GDB: campaign ids (newest first: ids start with their time),
 * submission outcome records, and published release summaries (newest first).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SubmissionStatus } from '../domain/status.ts';
import { readJsonIfExists } from './atomic.ts';
import type { Layout } from './layout.ts';

/** The parts of a release's summary.json that lists show. */
export interface ReleaseSummary {
  releaseId: string;
  createdAt: string;
  samples: number;
  sites: number;
  samplesPerRegion: Record<string, number>;
  excluded: { sampleId: string; reason: string }[];
  workflowId: string;
  [field: string]: unknown;
}

async function entries(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}

export async function campaignIds(layout: Layout, limit: number): Promise<string[]> {
  return (await entries(layout.campaignsDir)).sort().reverse().slice(0, limit);
}

export async function submissionRecords(layout: Layout): Promise<SubmissionStatus[]> {
  const records: SubmissionStatus[] = [];
  for (const region of await entries(layout.submissionsDir)) {
    for (const name of await entries(path.join(layout.submissionsDir, region))) {
      if (!name.endsWith('.json')) continue;
      const record = await readJsonIfExists(path.join(layout.submissionsDir, region, name));
      if (record !== undefined) records.push(record as SubmissionStatus);
    }
  }
  return records;
}

export async function releaseSummaries(layout: Layout, limit: number): Promise<ReleaseSummary[]> {
  const ids = (await entries(layout.releasesDir)).filter((name) => !name.startsWith('.'));
  const summaries: ReleaseSummary[] = [];
  for (const id of ids.sort().reverse().slice(0, limit)) {
    const summary = await readJsonIfExists(path.join(layout.releaseDir(id), 'summary.json'));
    if (summary !== undefined) summaries.push(summary as ReleaseSummary);
  }
  return summaries;
}
