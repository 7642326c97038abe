/**
 * The local executor's record of each job (`job.json` in its work directory), its claim to start
 * the job (`start.claim`), and its append-only ledger of process starts. The record is what lets a
 * restarted worker re-attach to a job. Both files are created exclusively, so that workers sharing
 * a data root make one job of a key and start it once, whichever of them queued it.
 */
import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  createFileExclusive,
  readJsonIfExists,
  writeFileAtomic,
  writeJsonAtomic,
} from '../store/atomic.ts';
import { SCRIPT_NAME } from '../tools/job-script.ts';
import type { JobSpec } from './port.ts';

export const JOB_FILE = 'job.json';
export const START_CLAIM = 'start.claim';
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

/**
 * The job of `spec.key` in its folder: the one recorded there (by an earlier submit, perhaps of
 * another worker), or a new one (its script and a `queued` record), `created` by this call.
 */
export async function recordJob(spec: JobSpec): Promise<{ file: JobFile; created: boolean }> {
  await fsp.mkdir(spec.workDir, { recursive: true });
  const existing = await readJobFile(spec.workDir);
  if (existing) return { file: existing, created: false };
  await writeFileAtomic(path.join(spec.workDir, SCRIPT_NAME), spec.script, 0o755);
  const file: JobFile = {
    key: spec.key,
    jobId: `local-${randomUUID()}`,
    phase: 'queued',
    submittedAt: new Date().toISOString(),
    resources: spec.resources,
  };
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (await createFileExclusive(path.join(spec.workDir, JOB_FILE), text)) {
    return { file, created: true };
  }
  // Another submit of the key (another worker's) recorded its job first: that is the job.
  return { file: (await readJobFile(spec.workDir))!, created: false };
}

/**
 * Claims the one start of a job: true for the first worker process to ask, false for any later
 * one (another worker queued the job too and started it, or is starting it). Never removed.
 */
export function claimStart(workDir: string, jobId: string): Promise<boolean> {
  const claim = { jobId, host: os.hostname(), pid: process.pid, at: new Date().toISOString() };
  return createFileExclusive(path.join(workDir, START_CLAIM), `${JSON.stringify(claim)}\n`);
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
