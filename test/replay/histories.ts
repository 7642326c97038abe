/**
 * The recorded workflow histories the replay test replays (`test/replay/histories/*.json`), one
 * file per workflow run, written by `test/replay/record.ts` from real runs. A file keeps what the
 * run was (its type, id, run, what it stands for) and which code recorded it, beside the
 * history itself in Temporal's JSON form.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HISTORIES_DIR = fileURLToPath(new URL('./histories', import.meta.url));

export interface RecordedHistory {
  /** The file's name without `.json`: what the run stands for, e.g. `sample-full-short`. */
  name: string;
  /** What the run covers, in words. */
  covers: string;
  workflowType: string;
  workflowId: string;
  runId: string;
  /** The commit of the code that ran it, and when it was recorded. */
  commit: string;
  recordedAt: string;
  /** The number of events, to see at a glance what a history holds. */
  events: number;
  /** The history as `historyToJSON` writes it (Temporal's proto JSON). */
  history: unknown;
}

/** A recorded history and the set (folder) it belongs to. */
export interface ReplaySetEntry extends RecordedHistory {
  /** The set's folder: `<date>-<commit>` of the recording. */
  set: string;
}

/** Every recorded history of every set, set by set. */
export async function readHistories(dir = HISTORIES_DIR): Promise<ReplaySetEntry[]> {
  const sets = (await fs.readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const entries: ReplaySetEntry[] = [];
  for (const set of sets) {
    const names = (await fs.readdir(path.join(dir, set))).filter((n) => n.endsWith('.json')).sort();
    for (const name of names) {
      const text = await fs.readFile(path.join(dir, set, name), 'utf8');
      entries.push({ ...(JSON.parse(text) as RecordedHistory), set });
    }
  }
  return entries;
}
