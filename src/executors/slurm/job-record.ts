/**
 * The slurm executor's record of a key's job (`slurm-job.json` beside the script): an intent
 * written before sbatch, then the job id once known. It is what makes one sbatch per key hold
 * across worker restarts.
 */
import path from 'node:path';
import { z } from 'zod';
import { readJsonIfExists, writeJsonAtomic } from '../../store/atomic.ts';

export const SLURM_JOB_FILE = 'slurm-job.json';

const recordSchema = z.object({
  key: z.string(),
  /** Absent while sbatch is under way: the intent is written first, the id once known. */
  jobId: z.string().optional(),
  submittedAt: z.string(),
  /** How the id was learnt: our own sbatch, or found by name after a crash. */
  source: z.enum(['sbatch', 'found', 'intent']),
});
export type SlurmJobRecord = z.infer<typeof recordSchema>;

export async function readJobRecord(workDir: string): Promise<SlurmJobRecord | null> {
  const raw = await readJsonIfExists(path.join(workDir, SLURM_JOB_FILE));
  return raw === undefined ? null : recordSchema.parse(raw);
}

export async function writeJobRecord(
  workDir: string,
  record: Omit<SlurmJobRecord, 'submittedAt'>,
): Promise<void> {
  await writeJsonAtomic(path.join(workDir, SLURM_JOB_FILE), {
    ...record,
    submittedAt: new Date().toISOString(),
  } satisfies SlurmJobRecord);
}
