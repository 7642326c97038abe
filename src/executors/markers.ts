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
