/**
 * Intake: reads an in-place submission and says what is wrong with it, without changing a byte
 * of the inbox and without trusting a name in it. `validateSubmission` does the submission-wide
 * part (folder, manifest, listed files, sample ids; no file content) and writes the intake list
 * to the submission's run folder; `inspectSample` checks one sample's files (checksums, content)
 * inside its own workflow, within the limits of config `intake`. A bad manifest rejects the
 * submission; a bad file rejects only its sample.
 */
import type { Config } from '../config.ts';
import { boundIssues, type InputIssue } from '../domain/issues.ts';
import { emptyCounts, type SubmissionCounts } from '../domain/status.ts';
import { SampleClaims } from '../store/claims.ts';
import {
  readIntakeEntry,
  writeIntake,
  type IntakeEntry,
  type IntakeRef,
} from '../store/submissions.ts';
import { currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import type { Inspector } from './intake/budget.ts';
import { intakeSample, referenceFor, type IntakeSample } from './intake/files.ts';
import {
  checkListedFiles,
  checkSampleIds,
  manifestProblems,
  readManifestText,
  submissionFolder,
  type SubmissionRef,
} from './intake/submission.ts';

export type { IntakeFile, IntakeSample } from './intake/files.ts';

export interface ValidateSubmissionInput extends SubmissionRef {
  /** Names the run folder: the submission workflow's first run id. */
  runId: string;
}

export interface IntakeResult {
  /** Problems with the submission as a whole: any one rejects it. */
  issues: InputIssue[];
  pipeline: { name: string; version: string } | null;
  /** The run folder, and the intake list in it (null when the submission was rejected). */
  runDir: string | null;
  intakeFile: string | null;
  /** pending: to be inspected and harmonised; rejected and done: at intake. */
  counts: SubmissionCounts;
}

export interface InspectSampleInput {
  region: string;
  submissionId: string;
  sampleId: string;
  /** The sample's line in the intake list. */
  intake: IntakeRef;
  /** Files are checked against this pipeline's national reference. */
  pipelineVersion: string;
}

/** The limits of config `intake` in bytes, with the current activity's heartbeat and cancellation. */
export function inspectorFor(config: Config): Inspector {
  const activity = currentActivity();
  const { intake } = config;
  return {
    heartbeat: () => activity.heartbeat(),
    signal: activity.cancellationSignal,
    limits: {
      maxLineBytes: intake.maxLineKiB * 1024,
      maxGzipRatio: intake.maxGzipRatio,
      maxDecompressedBytes: intake.maxDecompressedGiB * 2 ** 30,
      secondsPerFile: intake.secondsPerFile,
      secondsPerGiB: intake.secondsPerGiB,
    },
  };
}

export function createIntakeActivities(deps: ActivityDeps) {
  const claims = new SampleClaims(deps.layout);
  return {
    validateSubmission: (input: ValidateSubmissionInput) => validateSubmission(deps, claims, input),
    /** One sample's files, as intake listed them: checksums, content, identity. */
    inspectSample: (input: InspectSampleInput) => inspectSample(deps, input),
  };
}

async function validateSubmission(
  deps: ActivityDeps,
  claims: SampleClaims,
  input: ValidateSubmissionInput,
): Promise<IntakeResult> {
  const activity = currentActivity();
  const rejected = (issues: InputIssue[]): IntakeResult => ({
    issues: boundIssues(issues),
    pipeline: null,
    runDir: null,
    intakeFile: null,
    counts: emptyCounts(),
  });
  if (!deps.config.regions.includes(input.region)) {
    return rejected([
      {
        code: 'SUBMISSION_UNKNOWN_REGION',
        path: 'region',
        message: `region "${input.region}" is not configured (known: ${deps.config.regions.join(', ')})`,
      },
    ]);
  }
  const folder = await submissionFolder(deps, input.region, input.submissionId);
  if (!folder.ok) return rejected([folder.issue]);
  const text = await readManifestText(folder.realDir, deps.config.intake.maxManifestMiB * 2 ** 20);
  if (!text.ok) return rejected([text.issue]);
  const parsed = manifestProblems(text.text, input, deps.config.intake.maxSamples);
  if (!parsed.ok) return rejected(parsed.issues);
  const { manifest } = parsed;

  const listed = await checkListedFiles(folder.realDir, manifest.samples, () =>
    activity.heartbeat(),
  );
  if (listed.duplicates.length > 0) return rejected(listed.duplicates);

  const entries: IntakeEntry[] = [];
  const counts = { ...emptyCounts(), total: manifest.samples.length };
  for (const [index, sample] of manifest.samples.entries()) {
    const fileIssues = listed.perSample[index] ?? [];
    const verdict =
      fileIssues.length > 0
        ? { status: 'rejected' as const, errors: boundIssues(fileIssues) }
        : await checkSampleIds(deps, claims, input, sample, index);
    counts[verdict.status] += 1;
    entries.push({
      index,
      sampleId: sample.sampleId,
      ...verdict,
      ...(verdict.status === 'pending' ? { sample } : {}),
    });
    if (index % 100 === 0) activity.heartbeat();
  }
  const runDir = deps.layout.submissionRunDir(input.region, input.submissionId, input.runId);
  const intakeFile = await writeIntake(runDir, entries);
  deps.logger.info(
    { region: input.region, submissionId: input.submissionId, ...counts },
    'submission validated',
  );
  return { issues: [], pipeline: manifest.pipeline, runDir, intakeFile, counts };
}

async function inspectSample(deps: ActivityDeps, input: InspectSampleInput): Promise<IntakeSample> {
  const entry = await readIntakeEntry(input.intake, input.sampleId);
  if (entry.sample === undefined)
    throw new Error(`${input.sampleId} has no manifest entry in ${input.intake.file}`);
  const folder = await submissionFolder(deps, input.region, input.submissionId);
  if (!folder.ok) {
    return {
      sampleId: entry.sampleId,
      readType: entry.sample.readType,
      consent: entry.sample.consent,
      files: [],
      issues: [folder.issue],
    };
  }
  const reference = await referenceFor(deps, input.pipelineVersion, [entry.sample]);
  const log = deps.logger.child({ sampleId: input.sampleId, submissionId: input.submissionId });
  log.info('sample intake started');
  try {
    const sample = await intakeSample(
      folder.realDir,
      entry.sample,
      entry.index,
      reference,
      inspectorFor(deps.config),
    );
    log.info({ issues: sample.issues.map((i) => i.code) }, 'sample intake finished');
    return sample;
  } catch (error) {
    log.warn({ err: error }, 'sample intake stopped');
    throw error;
  }
}
