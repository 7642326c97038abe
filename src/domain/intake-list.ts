/**
 * The intake list of a submission (one entry per manifest sample, in manifest order, on disk:
 * store/submissions.ts), and the references workflows pass instead of the entries themselves.
 */
import type { InputIssue } from './issues.ts';
import type { ManifestSample } from './manifest.ts';

/** One line of intake.jsonl. */
export interface IntakeEntry {
  /** The sample's place in the manifest, and so its line in the list. */
  index: number;
  sampleId: string;
  /** pending: to be inspected and harmonised; rejected: at intake; done: by an earlier run. */
  status: 'pending' | 'rejected' | 'done';
  errors: InputIssue[];
  /** pending: the manifest's entry as intake validated it (its sample workflow reads this). */
  sample?: ManifestSample;
  workflowId?: string | null;
}

/** Where a sample's line is in intake.jsonl. */
export interface IntakeRef {
  file: string;
  offset: number;
  length: number;
}

/** An intake entry as a workflow pages through it: no manifest entry, a reference instead. */
export type IntakePageEntry = Omit<IntakeEntry, 'sample'> & { ref: IntakeRef };
