/**
 * Files a job leaves in its work directory, read the same way whatever the executor:
 * the script's `exitcode` marker (written last), and the executor's own `outcome` marker when it
 * ended the job itself (time limit, memory, cancellation).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobState } from '../domain/job-state.ts';
import type { JobStatus } from './port.ts';
import { EXIT_MARKER, STDERR_NAME } from '../tools/job-script.ts';
import { writeFileAtomic } from '../store/atomic.ts';

export const OUTCOME_MARKER = 'outcome.json';

export interface Outcome {
  state: Extract<JobState, 'OUT_OF_MEMORY' | 'TIMEOUT' | 'CANCELLED' | 'NODE_FAIL'>;
  reason: string;
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The script's exit code, or null while it has not finished. */
export async function readExitCode(workDir: string): Promise<number | null> {
  const text = await readOptional(path.join(workDir, EXIT_MARKER));
  if (text === null) return null;
  const code = Number.parseInt(text.trim(), 10);
  return Number.isNaN(code) ? null : code;
}

export async function readOutcome(workDir: string): Promise<Outcome | null> {
  const text = await readOptional(path.join(workDir, OUTCOME_MARKER));
  return text === null ? null : (JSON.parse(text) as Outcome);
}

export async function writeOutcome(workDir: string, outcome: Outcome): Promise<void> {
  await writeFileAtomic(path.join(workDir, OUTCOME_MARKER), `${JSON.stringify(outcome)}\n`);
}

/** The last lines of the job's stderr, for failure messages. */
export async function stderrTail(workDir: string, maxLines = 20, maxChars = 4000): Promise<string> {
  const text = (await readOptional(path.join(workDir, STDERR_NAME))) ?? '';
  const tail = text.trimEnd().split('\n').slice(-maxLines).join('\n');
  return tail.length > maxChars ? tail.slice(-maxChars) : tail;
}

/**
 * A job's end as its markers tell it, whatever the executor: the executor's own outcome first
 * (it killed the job), then the script's exit code. Null while the job has not ended.
 */
export async function statusFromMarkers(workDir: string): Promise<JobStatus | null> {
  const outcome = await readOutcome(workDir);
  const exitCode = await readExitCode(workDir);
  if (outcome) return { state: outcome.state, exitCode, reason: outcome.reason };
  if (exitCode === null) return null;
  return exitCode === 0
    ? { state: 'COMPLETED', exitCode }
    : { state: 'FAILED', exitCode, reason: `exit code ${exitCode}` };
}

/** Below this much free space a job's work folder counts as full. */
const FULL_BELOW_BYTES = 1 << 20;

/**
 * Why a job may have left no exit marker: its work folder's file system is full (a job that
 * cannot write cannot record its own end either). Null when there is room.
 */
export async function fullDiskReason(workDir: string): Promise<string | null> {
  const stats = await fs.statfs(workDir).catch(() => null);
  if (stats === null) return null;
  const free = stats.bavail * stats.bsize;
  if (free >= FULL_BELOW_BYTES) return null;
  return `the file system of its work folder ${workDir} is full (${free} bytes free): the job could not write its outputs or its exit marker; free space and retry`;
}
