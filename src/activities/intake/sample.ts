/**
 * Content checks of one sample's files, after their paths and checksums were found good: each
 * file by its kind within its budget, and a FASTQ pair against each other. A file that breaks a
 * limit (line length, decompressed size, time) gets that limit's issue; the others are still
 * checked. Returns the problems, and the facts the planner decides from, attached to each file.
 */
import type { FileFacts } from '../../domain/file-facts.ts';
import type { InputIssue } from '../../domain/issues.ts';
import type { FileKind } from '../../domain/manifest.ts';
import {
  BudgetExceededError,
  DecompressedTooLargeError,
  LineTooLongError,
  budgetFor,
  formatBytes,
  type Inspector,
} from './budget.ts';
import {
  FILE_DECOMPRESSES_TOO_LARGE,
  FILE_INSPECTION_TOO_SLOW,
  FILE_LINE_TOO_LONG,
  fileIssue,
} from './codes.ts';
import { inspectFile, inspectReadPair, type FileToInspect, type ReferenceInfo } from './inspect.ts';

/** Kinds whose content is read against the national reference. */
const NEEDS_REFERENCE: readonly FileKind[] = ['cram', 'bam', 'ucram', 'vcf', 'gvcf'];

export function needsReference(files: readonly { kind: FileKind }[]): boolean {
  return files.some((f) => NEEDS_REFERENCE.includes(f.kind));
}

/** A broken limit as the file's issue; anything else is not about the file and is thrown. */
function limitIssue(file: FileToInspect, error: unknown): InputIssue {
  if (error instanceof LineTooLongError) {
    return fileIssue(
      file,
      FILE_LINE_TOO_LONG,
      `line ${error.line} is longer than ${formatBytes(error.limit)}, NGC's limit for one line: it is not a FASTQ or VCF file`,
    );
  }
  if (error instanceof DecompressedTooLargeError) {
    return fileIssue(file, FILE_DECOMPRESSES_TOO_LARGE, error.message);
  }
  if (error instanceof BudgetExceededError) {
    return fileIssue(
      file,
      FILE_INSPECTION_TOO_SLOW,
      `${error.message} (HARMONISE_INTAKE_SECONDS, plus HARMONISE_INTAKE_SECONDS_PER_GIB per GiB): NGC stopped reading it`,
    );
  }
  throw error;
}

export async function inspectSampleFiles(
  files: readonly FileToInspect[],
  reference: ReferenceInfo,
  inspector: Inspector,
): Promise<{ issues: InputIssue[]; facts: (FileFacts | null)[] }> {
  const issues: InputIssue[] = [];
  const facts: (FileFacts | null)[] = [];
  for (const file of files) {
    try {
      const inspection = await inspectFile(file, reference, budgetFor(inspector, file.size));
      issues.push(...inspection.issues);
      facts.push(inspection.facts);
    } catch (error) {
      issues.push(limitIssue(file, error));
      facts.push(null);
    }
  }
  const r1 = files.filter((f) => f.kind === 'fastq-r1');
  const r2 = files.filter((f) => f.kind === 'fastq-r2');
  // A pair is compared only when both halves are readable on their own.
  const unreadable = new Set(issues.map((i) => i.path));
  const [a, b] = [r1[0], r2[0]];
  if (
    a !== undefined &&
    b !== undefined &&
    r1.length === 1 &&
    r2.length === 1 &&
    ![a, b].some((f) => unreadable.has(`${f.jsonPath}.path`))
  ) {
    try {
      issues.push(...(await inspectReadPair(a, b, budgetFor(inspector, a.size + b.size))));
    } catch (error) {
      issues.push(limitIssue(b, error));
    }
  }
  return { issues, facts };
}
