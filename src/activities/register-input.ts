/**
 * What registerSample is given: the sample's work and verdict, its inputs as intake checked them,
 * every step's result and attempt, and the outputs to publish. provenance.ts records it.
 */
import type { FileIdentity } from '../domain/file-facts.ts';
import type { KaryotypeVerdict } from '../domain/karyotype.ts';
import type { FileKind } from '../domain/manifest.ts';
import type { PlanVerdict, SampleWork } from '../domain/plan.ts';
import type { StepAttempt } from '../domain/status.ts';
import type { StepResult } from './jobs.ts';

export interface RegisterSampleInput extends SampleWork {
  workflowId: string;
  runId: string;
  verdict: PlanVerdict;
  inputs: {
    kind: FileKind;
    relativePath: string;
    md5: string | null;
    sha256: string | null;
    /** The file intake checked (and every job checked again): its size, inode and mtime. */
    identity?: FileIdentity;
  }[];
  steps: StepResult[];
  /** Every attempt of every step, failed ones included, as the workflow saw them. */
  attempts: (StepAttempt & { step: string })[];
  /** Files to publish by role (a manifest kind), each a finished step output. */
  publish: Partial<Record<FileKind, string>>;
  /** The verdict registration decided (registration sets it for the provenance). */
  karyotypeVerdict?: KaryotypeVerdict;
}
