/**
 * A campaign on disk (`gdb/campaigns/<campaignId>/`): the request, the resolved sample list (one
 * id per line; it never travels through workflow history), the outcomes in numbered batches as
 * the campaign learns them, and the final report. Each file appears by atomic rename.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CampaignSampleOutcome } from '../domain/campaign.ts';
import { idSchema } from '../domain/ids.ts';
import { writeFileAtomic } from './atomic.ts';
import type { Layout } from './layout.ts';

export interface CampaignFiles {
  dir: string;
  request: string;
  samples: string;
  resolution: string;
  outcomesDir: string;
  report: string;
}

export function campaignFiles(layout: Layout, campaignId: string): CampaignFiles {
  const dir = layout.campaignDir(campaignId);
  return {
    dir,
    request: path.join(dir, 'request.json'),
    samples: path.join(dir, 'samples.txt'),
    resolution: path.join(dir, 'resolution.json'),
    outcomesDir: path.join(dir, 'outcomes'),
    report: path.join(dir, 'report.json'),
  };
}

export async function writeSampleList(file: string, sampleIds: readonly string[]): Promise<void> {
  await writeFileAtomic(file, sampleIds.map((id) => `${id}\n`).join(''));
}

/** Reads sample lists page by page, keeping the last list read (a campaign reads one at a time). */
export class SampleListReader {
  private cached: { file: string; ids: string[] } | null = null;

  async page(file: string, offset: number, limit: number): Promise<string[]> {
    if (this.cached?.file !== file) {
      const text = await fs.readFile(file, 'utf8');
      this.cached = { file, ids: text.split('\n').filter((line) => line !== '') };
    }
    return this.cached.ids.slice(offset, offset + limit);
  }
}

function batchFile(outcomesDir: string, seq: number): string {
  return path.join(outcomesDir, `${String(seq).padStart(6, '0')}.jsonl`);
}

/** Writes batch `seq`; writing the same batch again (a retried activity) replaces it whole. */
export async function writeOutcomeBatch(
  outcomesDir: string,
  seq: number,
  outcomes: readonly CampaignSampleOutcome[],
): Promise<void> {
  await writeFileAtomic(
    batchFile(outcomesDir, seq),
    outcomes.map((o) => `${JSON.stringify(o)}\n`).join(''),
  );
}

/** Every recorded outcome, in the order the campaign learnt them; the last word per sample wins. */
export async function readOutcomes(outcomesDir: string): Promise<CampaignSampleOutcome[]> {
  let names: string[];
  try {
    names = await fs.readdir(outcomesDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const bySample = new Map<string, CampaignSampleOutcome>();
  for (const name of names.filter((n) => /^\d{6}\.jsonl$/.test(n)).sort()) {
    const text = await fs.readFile(path.join(outcomesDir, name), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const outcome = JSON.parse(line) as CampaignSampleOutcome;
      bySample.set(outcome.sampleId, outcome);
    }
  }
  return [...bySample.values()];
}

/** A samples file: one id per line; blank lines and `#` comments ignored; every id validated. */
export async function readSampleIds(file: string): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8');
  const ids: string[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parsed = idSchema.safeParse(line);
    if (!parsed.success) {
      problems.push(`line ${i + 1} "${line}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      continue;
    }
    if (seen.has(line)) continue;
    seen.add(line);
    ids.push(line);
  }
  if (problems.length > 0) {
    throw new Error(
      `${file} has invalid sample ids: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
    );
  }
  return ids;
}
