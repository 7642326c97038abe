/**
 * Intake of one sample's files: each listed path is opened inside the submission as a regular
 * file (open.ts), its checksums are computed from that descriptor, its content is read from it
 * (intake/sample.ts), and its identity is checked once more at the end, so what was checked is
 * what is recorded. Used by the sample workflow of a submission, and again before a campaign
 * reruns the sample, so a rerun never starts from changed inputs.
 */
import type { Karyotype } from '../../domain/karyotype.ts';
import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import type { FileFacts } from '../../domain/file-facts.ts';
import { boundIssues, type InputIssue } from '../../domain/issues.ts';
import type { FileKind, ManifestFile, ManifestSample } from '../../domain/manifest.ts';
import { FailureType, errorMessage } from '../../errors.ts';
import { hashFileWith } from '../../store/checksums.ts';
import { verifyReference } from '../../store/pipelines.ts';
import type { ActivityDeps } from '../deps.ts';
import { checkCancelled, type Inspector } from './budget.ts';
import { FILE_CHANGED_DURING_INTAKE, FILE_CHECKSUM_MISMATCH } from './codes.ts';
import type { FileToInspect, ReferenceInfo } from './inspection.ts';
import { identityOf, sameIdentity } from '../../store/file-identity.ts';
import { openInside, type FileIdentity } from './open.ts';
import { inspectSampleFiles, needsReference } from './sample.ts';

export interface IntakeFile {
  kind: FileKind;
  /** As written in the manifest. */
  relativePath: string;
  /** Absolute: the real path of the file intake opened (inside the submission). */
  path: string;
  md5: string | null;
  sha256: string | null;
  /** What content inspection learnt (headers, references, programs); null when not inspected. */
  facts: FileFacts | null;
  /** The file intake checked: every job compares it again before reading (absent in old runs). */
  identity?: FileIdentity;
}

export interface IntakeSample {
  sampleId: string;
  readType: 'short' | 'long';
  /** The karyotype the manifest states, if it states one. */
  karyotype?: Karyotype;
  consent: { research: boolean };
  files: IntakeFile[];
  issues: InputIssue[];
}

/** The manifest entry of a file, e.g. `samples[0].files[1]`. */
export function fileJsonPath(sampleIndex: number, fileIndex: number): string {
  return `samples[${sampleIndex}].files[${fileIndex}]`;
}

/**
 * The cheap part of intake for every listed file, before any is read: there, a regular file,
 * inside the submission. Returns the problems and the identity of each file that passed.
 */
export async function listedFiles(
  realDir: string,
  sample: ManifestSample,
  index: number,
): Promise<{ issues: InputIssue[]; identities: { jsonPath: string; identity: FileIdentity }[] }> {
  const issues: InputIssue[] = [];
  const identities: { jsonPath: string; identity: FileIdentity }[] = [];
  for (const [j, file] of sample.files.entries()) {
    const jsonPath = fileJsonPath(index, j);
    const opened = await openInside(realDir, file.path);
    if (!opened.ok) {
      issues.push({ code: opened.code, path: `${jsonPath}.path`, message: opened.message });
      continue;
    }
    identities.push({ jsonPath, identity: opened.file.identity });
    await opened.file.handle.close();
  }
  return { issues, identities };
}

/** Checks and inspects the files of the manifest's sample number `index`. */
export async function intakeSample(
  realDir: string,
  sample: ManifestSample,
  index: number,
  reference: ReferenceInfo | null,
  inspector: Inspector,
): Promise<IntakeSample> {
  const files: IntakeFile[] = [];
  const opened: FileToInspect[] = [];
  const issues: InputIssue[] = [];
  try {
    for (const [j, file] of sample.files.entries()) {
      const jsonPath = fileJsonPath(index, j);
      const result = await openInside(realDir, file.path);
      if (!result.ok) {
        issues.push({ code: result.code, path: `${jsonPath}.path`, message: result.message });
        continue;
      }
      const { handle, real, identity } = result.file;
      const toInspect = {
        kind: file.kind,
        handle,
        path: real,
        relativePath: file.path,
        jsonPath,
        size: identity.size,
      };
      opened.push(toInspect);
      const checked = await checkChecksums(toInspect, file, inspector);
      if ('issue' in checked) {
        issues.push(checked.issue);
        continue;
      }
      files.push({
        kind: file.kind,
        relativePath: file.path,
        path: real,
        md5: file.md5 ?? null,
        sha256: checked.sha256,
        facts: null,
        identity,
      });
    }
    // Content is read only when every file is there and intact as listed.
    if (issues.length === 0) {
      const content = await inspectSampleFiles(opened, reference ?? NO_REFERENCE, inspector);
      issues.push(...content.issues);
      content.facts.forEach((facts, k) => (files[k]!.facts = facts));
      // What was read must be what is recorded: the same file, unchanged, under its name.
      for (const [k, file] of files.entries()) {
        if (!(await unchanged(file, opened[k]!))) {
          issues.push({
            code: FILE_CHANGED_DURING_INTAKE,
            path: `${opened[k]!.jsonPath}.path`,
            message: `${file.relativePath} changed while NGC was reading it; signal the submission again once it is complete`,
          });
        }
      }
    }
  } finally {
    await Promise.all(opened.map((file) => file.handle.close()));
  }
  return {
    sampleId: sample.sampleId,
    readType: sample.readType,
    ...(sample.karyotype ? { karyotype: sample.karyotype } : {}),
    consent: sample.consent,
    files,
    issues: boundIssues(issues),
  };
}

/**
 * The checksums the manifest lists must be the file's; its sha256 is computed in the same read
 * whether listed or not (a rerun's step fingerprints are made of their inputs' sha256).
 */
async function checkChecksums(
  file: FileToInspect,
  listed: ManifestFile,
  inspector: Inspector,
): Promise<{ sha256: string } | { issue: InputIssue }> {
  const algorithms =
    listed.md5 === undefined ? (['sha256'] as const) : (['md5', 'sha256'] as const);
  const actual = await hashFileWith(file.handle, algorithms, () => {
    // Hashing has no time budget of its own: it is bounded by the file's size.
    inspector.heartbeat();
    checkCancelled(inspector.signal);
  });
  for (const algorithm of algorithms) {
    const expected = listed[algorithm];
    if (expected !== undefined && actual[algorithm] !== expected) {
      return {
        issue: {
          code: FILE_CHECKSUM_MISMATCH,
          path: `${file.jsonPath}.${algorithm}`,
          message: `${file.relativePath}: ${algorithm} is ${actual[algorithm]}, the manifest says ${expected}`,
        },
      };
    }
  }
  return { sha256: actual.sha256! };
}

/** The descriptor's file is unchanged since it was opened, and its name still leads to it. */
async function unchanged(file: IntakeFile, opened: FileToInspect): Promise<boolean> {
  if (file.identity === undefined) return true;
  const now = identityOf(await opened.handle.stat({ bigint: true }));
  const named = await fs.stat(file.path, { bigint: true }).catch(() => null);
  return (
    sameIdentity(file.identity, now) &&
    named !== null &&
    sameIdentity(file.identity, identityOf(named))
  );
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
