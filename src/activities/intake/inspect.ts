/**
 * Content checks of submitted files, by manifest kind: the entry points intake and the planner
 * code against. Bad content is returned as issues (never thrown); a missing tool or an I/O
 * failure of this machine is thrown, and so are the budget's and cancellation's errors (the
 * caller turns a broken limit into the file's issue). Every file is read through the descriptor
 * intake opened, streamed or by a tool, never loaded whole.
 */
import type { FileHandle } from 'node:fs/promises';
import type { InputIssue } from '../../domain/issues.ts';
import { inspectAlignment } from './alignments.ts';
import type { Budget } from './budget.ts';
import { inspectFastq, inspectFastqPair } from './fastq.ts';
import type { FileToInspect, Inspection, ReferenceInfo } from './inspection.ts';
import { inspectVariants } from './variants.ts';

export type {
  AlignmentFacts,
  FileFacts,
  FileToInspect,
  Inspection,
  ReferenceInfo,
  VariantFacts,
} from './inspection.ts';

/** Content checks of one file by its manifest kind, within its budget. */
export async function inspectFile(
  file: FileToInspect,
  reference: ReferenceInfo,
  budget: Budget,
): Promise<Inspection> {
  switch (file.kind) {
    case 'fastq-r1':
    case 'fastq-r2':
    case 'fastq':
      return inspectFastq(file, budget);
    case 'cram':
    case 'bam':
    case 'ucram':
      return inspectAlignment(file, reference, budget);
    case 'vcf':
    case 'gvcf':
      return inspectVariants(file, reference, budget);
    case 'crai':
    case 'bai':
    case 'tbi':
      // Index files get no content check here: only their data files are checked.
      return { issues: [], facts: { kind: 'other' } };
    case 'spring':
      // Decoding SPRING needs the site's own binary (not in Debian): the planner handles it.
      return { issues: [], facts: { kind: 'other' } };
  }
}

/** R1/R2 of one sample: same number of reads, and read names pair up record by record (ignoring a trailing /1 /2 and anything after the first space). */
export async function inspectReadPair(
  r1: FileToInspect,
  r2: FileToInspect,
  budget: Budget,
): Promise<InputIssue[]> {
  return inspectFastqPair(r1, r2, budget);
}

export type { FileHandle };
