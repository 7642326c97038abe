/**
 * Intake of one sample's files: each listed path must stay inside the submission and match its
 * checksums, then its content is read (intake/sample.ts). Used by a submission's validation and
 * again before a campaign reruns the sample, so a rerun never starts from changed inputs.
 */
import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileFacts } from '../../domain/file-facts.ts';
import type { InputIssue } from '../../domain/issues.ts';
import type { FileKind, ManifestFile, ManifestSample } from '../../domain/manifest.ts';
import { FailureType, errorMessage } from '../../errors.ts';
import { hashFile } from '../../store/checksums.ts';
import { verifyReference } from '../../store/pipelines.ts';
import type { ActivityDeps } from '../deps.ts';
import type { ReferenceInfo } from './inspect.ts';
import { inspectSampleFiles, needsReference, type CheckedFile } from './sample.ts';

export interface IntakeFile {
  kind: FileKind;
  /** As written in the manifest. */
  relativePath: string;
  /** Absolute, after resolving symlinks. */
  path: string;
  md5: string | null;
  sha256: string | null;
  /** What content inspection learnt (headers, references, programs); null when not inspected. */
  facts: FileFacts | null;
}

export interface IntakeSample {
  sampleId: string;
  readType: 'short' | 'long';
  consent: { research: boolean };
  files: IntakeFile[];
  issues: InputIssue[];
}

/** Checks and inspects the files of the manifest's sample number `index`. */
export async function intakeSample(
  realDir: string,
  sample: ManifestSample,
  index: number,
  reference: ReferenceInfo | null,
  heartbeat: () => void,
): Promise<IntakeSample> {
  const files: IntakeFile[] = [];
  const checkedFiles: CheckedFile[] = [];
  const issues: InputIssue[] = [];
  for (const [j, file] of sample.files.entries()) {
    const jsonPath = `samples[${index}].files[${j}]`;
    const checked = await checkFile(realDir, file, jsonPath, heartbeat);
    if ('issue' in checked) {
      issues.push(checked.issue);
      continue;
    }
    files.push(checked.file);
    checkedFiles.push({ ...checked.file, jsonPath });
  }
  // Content is read only when every file is there and intact as listed.
  if (issues.length === 0) {
    const content = await inspectSampleFiles(checkedFiles, reference ?? NO_REFERENCE, heartbeat);
    issues.push(...content.issues);
    content.facts.forEach((facts, k) => (files[k]!.facts = facts));
  }
  return {
    sampleId: sample.sampleId,
    readType: sample.readType,
    consent: sample.consent,
    files,
    issues,
  };
}

async function checkFile(
  realDir: string,
  file: ManifestFile,
  jsonPath: string,
  heartbeat: () => void,
): Promise<{ file: IntakeFile } | { issue: InputIssue }> {
  const issue = (code: string, message: string) => ({
    issue: { code, path: `${jsonPath}.path`, message },
  });
  const listed = path.join(realDir, file.path);
  let real: string;
  try {
    real = await fs.realpath(listed);
  } catch {
    return issue('FILE_MISSING', `${file.path} does not exist in the submission`);
  }
  if (real !== realDir && !real.startsWith(realDir + path.sep)) {
    return issue(
      'FILE_OUTSIDE_SUBMISSION',
      `${file.path} resolves to ${real}, outside the submission folder`,
    );
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) return issue('FILE_NOT_REGULAR', `${file.path} is not a regular file`);
  for (const algorithm of ['md5', 'sha256'] as const) {
    const expected = file[algorithm];
    if (expected === undefined) continue;
    const actual = await hashFile(real, algorithm, heartbeat);
    if (actual !== expected) {
      return {
        issue: {
          code: 'FILE_CHECKSUM_MISMATCH',
          path: `${jsonPath}.${algorithm}`,
          message: `${file.path}: ${algorithm} is ${actual}, the manifest says ${expected}`,
        },
      };
    }
  }
  return {
    file: {
      kind: file.kind,
      relativePath: file.path,
      path: real,
      md5: file.md5 ?? null,
      sha256: file.sha256 ?? null,
      facts: null,
    },
  };
}

/** Only FASTQ is read without a reference; it is never consulted then. */
const NO_REFERENCE: ReferenceInfo = { fasta: '/nonexistent', sequences: [] };

/**
 * The national reference the files are checked against, when any file needs one. A missing or
 * wrong reference is NGC's configuration problem, not the region's: it fails the submission
 * (to be signalled again once fixed) rather than rejecting it.
 */
export async function referenceFor(
  deps: ActivityDeps,
  pipelineVersion: string,
  samples: readonly { files: readonly { kind: FileKind }[] }[],
): Promise<ReferenceInfo | null> {
  if (!samples.some((s) => needsReference(s.files))) return null;
  try {
    const pipeline = await deps.pipelines.load(pipelineVersion);
    await verifyReference(pipeline);
    return { fasta: pipeline.referenceFasta, sequences: pipeline.spec.reference.sequences };
  } catch (error) {
    throw ApplicationFailure.nonRetryable(errorMessage(error), FailureType.ReferenceMismatch);
  }
}
