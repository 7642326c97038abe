/**
 * Writes one genome's gVCF into the cohort cache: BGZF text, then `tabix`, each under a
 * temporary name renamed into place, the index first, so that a gVCF in place always has its
 * index and a crash leaves nothing that looks complete.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { bgzf } from './bgzf.ts';
import { genomeRecords } from './genome.ts';
import type { Population } from './model.ts';
import { headerText } from './vcf-text.ts';

/** A unique temporary name beside `file`, for a write that is renamed into place. */
export const staging = (file: string) =>
  path.join(
    path.dirname(file),
    `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}-${path.basename(file)}`,
  );

export interface GenomeJob {
  seed: number;
  index: number;
  sampleId: string;
  gvcf: string;
  reference: string;
  sequences: readonly { name: string; length: number }[];
}

export async function writeGenome(population: Population, job: GenomeJob): Promise<void> {
  const text =
    headerText(job.sequences, job.reference, job.sampleId) +
    genomeRecords(population, job.seed, job.index);
  const tmp = staging(job.gvcf);
  try {
    await fs.writeFile(tmp, await bgzf(text));
    await execa('tabix', ['-f', '-p', 'vcf', tmp]);
    await fs.rename(`${tmp}.tbi`, `${job.gvcf}.tbi`);
    await fs.rename(tmp, job.gvcf);
  } finally {
    await fs.rm(tmp, { force: true });
    await fs.rm(`${tmp}.tbi`, { force: true });
  }
}
