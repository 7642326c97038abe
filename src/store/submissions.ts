/**
 * A submission on disk, beside its outcome record (`gdb/submissions/<region>/<submissionId>.json`):
 * the run folder of its workflow (`…/<submissionId>/<runId>/`) holds the intake list (one line
 * per manifest sample, in manifest order, `intake.jsonl`) and the samples' outcomes in numbered
 * batches (`outcomes/000001.jsonl`). Sample lists never travel through workflow history: the
 * workflow reads the list a page at a time by byte offset, and a sample workflow reads its own
 * line by offset and length. The full status is composed from these files and the workflow's
 * small progress record.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { IntakeEntry, IntakePageEntry, IntakeRef } from '../domain/intake-list.ts';
import type { InputIssue } from '../domain/issues.ts';
import type {
  SubmissionProgress,
  SubmissionSampleStatus,
  SubmissionStatus,
} from '../domain/status.ts';
import { readJsonIfExists, writeFileAtomic } from './atomic.ts';
import type { Layout } from './layout.ts';

export type { IntakeEntry, IntakePageEntry, IntakeRef };

export function intakeFile(runDir: string): string {
  return path.join(runDir, 'intake.jsonl');
}

function outcomesDir(runDir: string): string {
  return path.join(runDir, 'outcomes');
}

/** Writes the intake list (atomically, once per run; a retried intake writes it again whole). */
export async function writeIntake(
  runDir: string,
  entries: readonly IntakeEntry[],
): Promise<string> {
  const file = intakeFile(runDir);
  await writeFileAtomic(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return file;
}

/**
 * Up to `limit` entries from byte `from` (a line start), and the byte where the next page starts.
 * Reads only as much of the file as the page needs.
 */
export async function readIntakePage(
  file: string,
  from: number,
  limit: number,
): Promise<{ entries: IntakePageEntry[]; next: number }> {
  const handle = await fs.open(file, 'r');
  const entries: IntakePageEntry[] = [];
  let position = from;
  let carry = Buffer.alloc(0);
  try {
    const chunk = Buffer.alloc(1 << 20);
    while (entries.length < limit) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position + carry.length);
      if (bytesRead === 0) break;
      let data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let newline = data.indexOf(0x0a);
      while (newline >= 0 && entries.length < limit) {
        const line = data.subarray(0, newline);
        const entry = JSON.parse(line.toString('utf8')) as IntakeEntry;
        delete entry.sample;
        entries.push({ ...entry, ref: { file, offset: position, length: newline } });
        position += newline + 1;
        data = data.subarray(newline + 1);
        newline = data.indexOf(0x0a);
      }
      carry = Buffer.from(data);
    }
  } finally {
    await handle.close();
  }
  return { entries, next: position };
}

/** One sample's intake entry, by its reference; checked to be the sample asked for. */
export async function readIntakeEntry(ref: IntakeRef, sampleId: string): Promise<IntakeEntry> {
  const handle = await fs.open(ref.file, 'r');
  try {
    const buffer = Buffer.alloc(ref.length);
    const { bytesRead } = await handle.read(buffer, 0, ref.length, ref.offset);
    const entry = JSON.parse(buffer.subarray(0, bytesRead).toString('utf8')) as IntakeEntry;
    if (entry.sampleId !== sampleId)
      throw new Error(`${ref.file} at ${ref.offset} holds ${entry.sampleId}, not ${sampleId}`);
    return entry;
  } finally {
    await handle.close();
  }
}

/** Writes outcome batch `seq`; writing it again (a retried activity) replaces it whole. */
export async function writeOutcomes(
  runDir: string,
  seq: number,
  outcomes: readonly SubmissionSampleStatus[],
): Promise<void> {
  await writeFileAtomic(
    path.join(outcomesDir(runDir), `${String(seq).padStart(6, '0')}.jsonl`),
    outcomes.map((o) => `${JSON.stringify(o)}\n`).join(''),
  );
}

async function linesOf(file: string): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text.split('\n').filter((line) => line !== '');
}

/** Every sample of the submission: intake's verdict, overlaid by the outcomes written since. */
async function samplesOnDisk(runDir: string): Promise<Map<string, SubmissionSampleStatus>> {
  const samples = new Map<string, SubmissionSampleStatus>();
  for (const line of await linesOf(intakeFile(runDir))) {
    const entry = JSON.parse(line) as IntakeEntry;
    samples.set(entry.sampleId, {
      sampleId: entry.sampleId,
      status: entry.status,
      mode: null,
      errors: entry.errors,
      workflowId: entry.workflowId ?? null,
    });
  }
  const names = await fs.readdir(outcomesDir(runDir)).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^\d{6}\.jsonl$/.test(n)).sort()) {
    for (const line of await linesOf(path.join(outcomesDir(runDir), name))) {
      const outcome = JSON.parse(line) as SubmissionSampleStatus;
      samples.set(outcome.sampleId, outcome);
    }
  }
  return samples;
}

/**
 * What a submitter may see of a message: no path of the server. The submission folder becomes
 * the manifest's relative paths, anything else under the data root `<data>/…`.
 */
export function forSubmitter(
  message: string,
  roots: { dataRoot: readonly string[]; submissionDir: readonly string[] },
): string {
  let out = message;
  for (const dir of roots.submissionDir) out = out.replaceAll(`${dir}/`, '').replaceAll(dir, '.');
  for (const root of roots.dataRoot)
    out = out.replaceAll(`${root}/`, '<data>/').replaceAll(root, '<data>');
  return out;
}

/** A path as it is written and as it is (through any symbolic link on the way). */
async function spellings(dir: string): Promise<string[]> {
  const real = await fs.realpath(dir).catch(() => dir);
  return real === dir ? [dir] : [dir, real];
}

/** Rewrites a message of this submission for its submitter (forSubmitter, both spellings). */
export async function submitterView(
  layout: Layout,
  region: string,
  submissionId: string,
): Promise<(message: string) => string> {
  const roots = {
    dataRoot: await spellings(layout.root),
    submissionDir: await spellings(layout.submissionDir(region, submissionId)),
  };
  return (message) => forSubmitter(message, roots);
}

/**
 * The full status of a submission (the contract of `submission status --json`) from the
 * workflow's progress and the files of its run: every sample in manifest order.
 */
export async function composeSubmissionStatus(
  layout: Layout,
  progress: SubmissionProgress,
): Promise<SubmissionStatus> {
  const samples =
    progress.runDir === null
      ? new Map<string, SubmissionSampleStatus>()
      : await samplesOnDisk(progress.runDir);
  for (const { sampleId, workflowId } of progress.running) {
    samples.set(sampleId, {
      sampleId,
      status: 'running',
      mode: progress.mode,
      errors: [],
      workflowId,
    });
  }
  for (const outcome of progress.recent) samples.set(outcome.sampleId, outcome);
  const view = await submitterView(layout, progress.region, progress.submissionId);
  const tidy = (issue: InputIssue): InputIssue => ({ ...issue, message: view(issue.message) });
  const status: SubmissionStatus & Partial<SubmissionProgress> = {
    ...progress,
    errors: progress.errors.map(tidy),
    samples: [...samples.values()].map((s) => ({
      ...s,
      mode: s.mode ?? progress.mode,
      errors: s.errors.map(tidy),
    })),
  };
  // The workflow's own bookkeeping is not part of the status.
  delete status.runDir;
  delete status.running;
  delete status.recent;
  return status;
}

/** The outcome record of a finished submission, if it was written. */
export async function readSubmissionRecord(
  layout: Layout,
  region: string,
  submissionId: string,
): Promise<SubmissionStatus | null> {
  const record = await readJsonIfExists(layout.submissionRecord(region, submissionId));
  return (record as SubmissionStatus | undefined) ?? null;
}
