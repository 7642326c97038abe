/**
 * The local executor's record of each job (`job.json` in its work directory) and its append-only
 * ledger of process starts. The record is what lets a restarted worker re-attach to a job.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readJsonIfExists, writeJsonAtomic } from '../store/atomic.ts';

export const JOB_FILE = 'job.json';
/** Set in every local job's environment, so a restarted worker can find a job it lost track of. */
export const JOB_ID_ENV = 'HARMONISE_JOB_ID';

const jobFileSchema = z.object({
  key: z.string(),
  jobId: z.string(),
  /** queued: waiting for budget; starting: being spawned; started: pid recorded. */
  phase: z.enum(['queued', 'starting', 'started']),
  submittedAt: z.string(),
  resources: z.object({ cpus: z.number(), memMiB: z.number(), timeMinutes: z.number() }),
  pid: z.number().optional(),
  pidStartTime: z.string().optional(),
  startedAt: z.string().optional(),
});
export type JobFile = z.infer<typeof jobFileSchema>;

export async function readJobFile(workDir: string): Promise<JobFile | null> {
  const raw = await readJsonIfExists(path.join(workDir, JOB_FILE));
  return raw === undefined ? null : jobFileSchema.parse(raw);
}

export async function writeJobFile(workDir: string, file: JobFile): Promise<void> {
  await writeJsonAtomic(path.join(workDir, JOB_FILE), file);
}

/** One line per process start: the evidence that no job key was ever started twice. */
export async function appendLedger(
  ledgerFile: string,
  entry: { key: string; jobId: string; pid: number; at: string },
): Promise<void> {
  await fsp.appendFile(ledgerFile, `${JSON.stringify({ event: 'start', ...entry })}\n`);
}
