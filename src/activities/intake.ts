/**
 * Intake: reads an in-place submission and says what is wrong with it, without changing a byte
 * of the inbox. A bad manifest rejects the submission; a bad file rejects only its sample.
 * Files are streamed (checksums), never read whole.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { InputIssue } from '../domain/issues.ts';
import { parseManifest } from '../domain/manifest.ts';
import { currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { intakeSample, referenceFor, type IntakeSample } from './intake/files.ts';

export type { IntakeFile, IntakeSample } from './intake/files.ts';

export interface ValidateSubmissionInput {
  region: string;
  submissionId: string;
  /** Files are checked against this pipeline's national reference. */
  pipelineVersion: string;
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
        samples.push(await intakeSample(realDir, sample, i, reference, () => activity.heartbeat()));
      }
      deps.logger.info(
        { region: input.region, submissionId: input.submissionId, samples: samples.length },
        'submission validated',
      );
      return { submissionDir: dir, issues: [], pipeline: manifest.pipeline, samples };
    },
  };
}
