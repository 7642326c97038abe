/**
 * Intake: reads an in-place submission and says what is wrong with it, without changing a byte
 * of the inbox. A bad manifest rejects the submission; a bad file rejects only its sample.
 * Files are streamed (checksums), never read whole.
 */
import { currentActivity } from './context.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileFacts } from '../domain/file-facts.ts';
import type { InputIssue } from '../domain/issues.ts';
import { parseManifest, type FileKind, type ManifestFile } from '../domain/manifest.ts';
import { FailureType, errorMessage } from '../errors.ts';
import { verifyReference } from '../store/pipelines.ts';
import type { ReferenceInfo } from './intake/inspect.ts';
import { inspectSampleFiles, needsReference, type CheckedFile } from './intake/sample.ts';
import { ApplicationFailure } from '@temporalio/common';
import { hashFile } from '../store/checksums.ts';
import type { ActivityDeps } from './deps.ts';

export interface ValidateSubmissionInput {
  region: string;
  submissionId: string;
  /** Files are checked against this pipeline's national reference. */
  pipelineVersion: string;
}

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

export interface IntakeResult {
  submissionDir: string;
  /** Problems with the submission as a whole: any one rejects it. */
  issues: InputIssue[];
  pipeline: { name: string; version: string } | null;
  samples: IntakeSample[];
}

export function createIntakeActivities(deps: ActivityDeps) {
  return {
    async validateSubmission(input: ValidateSubmissionInput): Promise<IntakeResult> {
      const activity = currentActivity();
      const dir = deps.layout.submissionDir(input.region, input.submissionId);
      const reject = (issue: InputIssue): IntakeResult => ({
        submissionDir: dir,
        issues: [issue],
        pipeline: null,
        samples: [],
      });
      if (!deps.config.regions.includes(input.region)) {
        return reject({
          code: 'SUBMISSION_UNKNOWN_REGION',
          path: 'region',
          message: `region "${input.region}" is not configured (known: ${deps.config.regions.join(', ')})`,
        });
      }
      let text: string;
      try {
        text = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8');
      } catch (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        return reject({
          code: missing ? 'SUBMISSION_NOT_FOUND' : 'SUBMISSION_UNREADABLE',
          path: 'manifest.json',
          message: missing
            ? `no manifest.json in ${dir}`
            : `cannot read ${path.join(dir, 'manifest.json')}: ${String(error)}`,
        });
      }
      const parsed = parseManifest(text);
      if (!parsed.ok)
        return { submissionDir: dir, issues: parsed.issues, pipeline: null, samples: [] };
      const manifest = parsed.manifest;
      const issues: InputIssue[] = [];
      if (manifest.region !== input.region) {
        issues.push({
          code: 'MANIFEST_REGION_MISMATCH',
          path: 'region',
          message: `the manifest says region "${manifest.region}" but the submission is in the folder of "${input.region}"`,
        });
      }
      if (manifest.submissionId !== input.submissionId) {
        issues.push({
          code: 'MANIFEST_SUBMISSION_MISMATCH',
          path: 'submissionId',
          message: `the manifest says submissionId "${manifest.submissionId}" but its folder is "${input.submissionId}"`,
        });
      }
      if (issues.length > 0) return { submissionDir: dir, issues, pipeline: null, samples: [] };

      const realDir = await fs.realpath(dir);
      const reference = await referenceFor(deps, input.pipelineVersion, manifest.samples);
      const samples: IntakeSample[] = [];
      for (const [i, sample] of manifest.samples.entries()) {
        const files: IntakeFile[] = [];
        const checkedFiles: CheckedFile[] = [];
        const sampleIssues: InputIssue[] = [];
        for (const [j, file] of sample.files.entries()) {
          const jsonPath = `samples[${i}].files[${j}]`;
          const checked = await checkFile(realDir, file, jsonPath, () => activity.heartbeat());
          if ('issue' in checked) {
            sampleIssues.push(checked.issue);
            continue;
          }
          files.push(checked.file);
          checkedFiles.push({ ...checked.file, jsonPath });
        }
        // Content is read only when every file is there and intact as listed.
        if (sampleIssues.length === 0) {
          const content = await inspectSampleFiles(checkedFiles, reference ?? NO_REFERENCE, () =>
            activity.heartbeat(),
          );
          sampleIssues.push(...content.issues);
          content.facts.forEach((facts, k) => (files[k]!.facts = facts));
        }
        samples.push({
          sampleId: sample.sampleId,
          readType: sample.readType,
          consent: sample.consent,
          files,
          issues: sampleIssues,
        });
      }
      deps.logger.info(
        { region: input.region, submissionId: input.submissionId, samples: samples.length },
        'submission validated',
      );
      return { submissionDir: dir, issues: [], pipeline: manifest.pipeline, samples };
    },
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
async function referenceFor(
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
