/**
 * Content checks of one sample's files, after their paths and checksums were found good: each
 * file by its kind, and a FASTQ pair against each other. Returns the problems, and the facts the
 * planner decides from, attached to each file.
 */
import type { FileFacts } from '../../domain/file-facts.ts';
import type { InputIssue } from '../../domain/issues.ts';
import type { FileKind } from '../../domain/manifest.ts';
import { inspectFile, inspectReadPair, type FileToInspect, type ReferenceInfo } from './inspect.ts';

export interface CheckedFile {
  kind: FileKind;
  path: string;
  relativePath: string;
  jsonPath: string;
}

/** Kinds whose content is read against the national reference. */
const NEEDS_REFERENCE: readonly FileKind[] = ['cram', 'bam', 'ucram', 'vcf', 'gvcf'];

export function needsReference(files: readonly { kind: FileKind }[]): boolean {
  return files.some((f) => NEEDS_REFERENCE.includes(f.kind));
}

export async function inspectSampleFiles(
  files: readonly CheckedFile[],
  reference: ReferenceInfo,
  heartbeat: () => void,
): Promise<{ issues: InputIssue[]; facts: (FileFacts | null)[] }> {
  const issues: InputIssue[] = [];
  const facts: (FileFacts | null)[] = [];
  for (const file of files) {
    const inspection = await inspectFile(file satisfies FileToInspect, reference, heartbeat);
    issues.push(...inspection.issues);
    facts.push(inspection.facts);
  }
  const r1 = files.filter((f) => f.kind === 'fastq-r1');
  const r2 = files.filter((f) => f.kind === 'fastq-r2');
  // A pair is compared only when both halves are readable on their own.
  const unreadable = new Set(issues.map((i) => i.path));
  if (
    r1.length === 1 &&
    r2.length === 1 &&
    ![r1[0]!, r2[0]!].some((f) => unreadable.has(`${f.jsonPath}.path`))
  ) {
    issues.push(...(await inspectReadPair(r1[0]!, r2[0]!, heartbeat)));
  }
  return { issues, facts };
}
