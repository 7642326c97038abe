/**
 * Intake: reads an in-place submission and says what is wrong with it, without changing a byte
 * of the inbox. A bad manifest rejects the submission; a bad file rejects only its sample.
 * Files are streamed (checksums), never read whole.
 */
import { currentActivity } from './context.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { InputIssue } from '../domain/issues.ts';
import { parseManifest, type FileKind, type ManifestFile } from '../domain/manifest.ts';
import { hashFile } from '../store/checksums.ts';
import type { ActivityDeps } from './deps.ts';

export interface ValidateSubmissionInput {
  region: string;
  submissionId: string;
}

export interface IntakeFile {
  kind: FileKind;
  /** As written in the manifest. */
  relativePath: string;
  /** Absolute, after resolving symlinks. */
  path: string;
  md5: string | null;
  sha256: string | null;
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
      const samples: IntakeSample[] = [];
      for (const [i, sample] of manifest.samples.entries()) {
        const files: IntakeFile[] = [];
        const sampleIssues: InputIssue[] = [];
        for (const [j, file] of sample.files.entries()) {
          const checked = await checkFile(realDir, file, `samples[${i}].files[${j}]`, () =>
            activity.heartbeat(),
          );
          if ('issue' in checked) sampleIssues.push(checked.issue);
          else files.push(checked.file);
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
    },
  };
}
