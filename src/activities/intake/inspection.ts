/**
 * The shapes of intake's content checks: the file to inspect, the national reference it is
 * checked against, and what an inspection finds. Every inspector and the dispatcher
 * (inspect.ts) share them.
 */
import type { FileHandle } from 'node:fs/promises';
import type { InputIssue } from '../../domain/issues.ts';
import type { FileFacts } from '../../domain/file-facts.ts';
import type { FileKind } from '../../domain/manifest.ts';

export interface ReferenceInfo {
  fasta: string;
  sequences: readonly { name: string; length: number; md5: string }[];
}

export interface FileToInspect {
  kind: FileKind;
  /** The opened file: every check reads this descriptor, not the name. */
  handle: FileHandle;
  /** Its real path (inside the submission), only to be hidden from messages. */
  path: string;
  /** As written in the manifest; used in messages. */
  relativePath: string;
  /** The manifest entry, e.g. `samples[0].files[1]`; issues point at its `.path`. */
  jsonPath: string;
  size: number;
}

// The facts' shapes live in the domain, where the planner reads them; re-exported as this API.
// Here: m5s leaves out @SQ lines without an M5 tag; records of a CRAM on an unknown reference
// come from a flags-only count (it cannot be decoded), and are 0 for unreadable files; gvcf
// also counts GATK's <NON_REF> as a reference-block allele.
export type { AlignmentFacts, FileFacts, VariantFacts } from '../../domain/file-facts.ts';

export interface Inspection {
  issues: InputIssue[];
  facts: FileFacts;
}
