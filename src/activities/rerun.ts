/**
 * prepareRerun: what a campaign reruns a sample from. The sample's current version names the
 * submission it came from; its files are found in the region's folder and checked again, as at
 * intake (paths, checksums, content against the new pipeline's reference), and against the
 * checksums the earlier version's provenance recorded: a rerun never starts from inputs that
 * changed since, and says so instead. A version whose provenance is gone or unusable cannot
 * vouch for its inputs: the sample is refused (RERUN_PROVENANCE_MISSING), never taken as unchanged.
 */
import type { InputIssue } from '../domain/issues.ts';
import { parseManifest, type ManifestSample } from '../domain/manifest.ts';
import type { SampleWork } from '../domain/plan.ts';
import { modeForRegion, type HarmonisationMode } from '../domain/policy.ts';
import { currentVersion } from '../domain/selection.ts';
import type { Provenance } from '../domain/provenance.ts';
import type { SampleVersion } from '../domain/sample-record.ts';
import { ProvenanceMissingError } from '../errors.ts';
import { readPolicy } from '../store/policy.ts';
import { readProvenance } from '../store/provenance.ts';
import type { ActivityDeps } from './deps.ts';
import { inspectorFor } from './intake.ts';
import { intakeSample, referenceFor, type IntakeFile } from './intake/files.ts';
import { readManifestText, submissionFolder } from './intake/submission.ts';

export interface PrepareRerunInput {
  sampleId: string;
  pipelineVersion: string;
  /** The campaign's override of the region's policy mode, if any. */
  mode: HarmonisationMode | null;
}

export type PreparedRerun =
  | {
      ok: true;
      work: SampleWork & { files: IntakeFile[] };
      /** The version rerun from. */
      from: { pipelineVersion: string; submissionId: string };
    }
  /** `skip`: nothing to do (the sample is already harmonised with the version). */
  | { ok: false; skip?: boolean; issues: InputIssue[] };

export function createRerunActivities(deps: ActivityDeps) {
  return {
    prepareRerun: (input: PrepareRerunInput) => prepareRerun(deps, input),
  };
}

function refusal(sampleId: string, code: string, message: string): PreparedRerun {
  return { ok: false, issues: [{ code, path: `sample ${sampleId}`, message }] };
}

async function prepareRerun(deps: ActivityDeps, input: PrepareRerunInput): Promise<PreparedRerun> {
  const refuse = (code: string, message: string) => refusal(input.sampleId, code, message);
  const record = await deps.catalogue.get(input.sampleId);
  if (record === null)
    return refuse('RERUN_SAMPLE_UNKNOWN', `${input.sampleId} is not in the catalogue`);
  const done = record.versions[input.pipelineVersion];
  if (done) {
    return {
      ok: false,
      skip: true,
      issues: [
        {
          code: 'SAMPLE_ALREADY_HARMONISED',
          path: `sample ${input.sampleId}`,
          message: `already harmonised with pipeline ${input.pipelineVersion} in ${done.dir}`,
        },
      ],
    };
  }
  const source = currentVersion(record);
  if (source === null)
    return refuse('RERUN_NO_VERSION', `${input.sampleId} has no version to rerun from`);
  // Read first: without it nothing can be compared, and intake may read hundreds of GB.
  let before: Provenance;
  try {
    before = await provenanceOf(input.sampleId, source);
  } catch (error) {
    if (!(error instanceof ProvenanceMissingError)) throw error;
    return refuse(
      error.code,
      `${input.sampleId} cannot be rerun from its pipeline ${source.pipelineVersion} version: ${error.message}, so whether its inputs changed since cannot be checked`,
    );
  }
  const listed = await sourceSample(deps, input.sampleId, record.region, source.submissionId);
  if (!listed.ok) return listed.refused;
  const { realDir, sample, index } = listed;
  const reference = await referenceFor(deps, input.pipelineVersion, [sample]);
  const intake = await intakeSample(realDir, sample, index, reference, inspectorFor(deps.config));
  if (intake.issues.length > 0) return { ok: false, issues: intake.issues };
  const changed = changedSince(before, intake.files);
  if (changed.length > 0) {
    return refuse(
      'RERUN_INPUTS_CHANGED',
      `inputs differ from those pipeline ${source.pipelineVersion} used: ${changed.join('; ')}`,
    );
  }
  const mode = input.mode ?? modeForRegion(await readPolicy(deps.config.policyFile), record.region);
  return {
    ok: true,
    work: {
      sampleId: input.sampleId,
      region: record.region,
      submissionId: source.submissionId,
      readType: sample.readType,
      ...(sample.karyotype ? { karyotype: sample.karyotype } : {}),
      // The catalogue's consent is the current one (a withdrawal is never undone).
      consent: { research: record.consent.research },
      mode,
      pipelineVersion: input.pipelineVersion,
      files: intake.files,
    },
    from: { pipelineVersion: source.pipelineVersion, submissionId: source.submissionId },
  };
}

/** The sample's entry in the manifest of the submission it came from, read again now. */
async function sourceSample(
  deps: ActivityDeps,
  sampleId: string,
  region: string,
  submissionId: string,
): Promise<
  | { ok: true; realDir: string; sample: ManifestSample; index: number }
  | { ok: false; refused: PreparedRerun }
> {
  const where = `inbox/${region}/${submissionId}`;
  const folder = await submissionFolder(deps, region, submissionId);
  const text = folder.ok
    ? await readManifestText(folder.realDir, deps.config.intake.maxManifestMiB * 2 ** 20)
    : null;
  if (!folder.ok || text === null || !text.ok) {
    const refused = refusal(
      sampleId,
      'RERUN_INPUTS_MISSING',
      `${sampleId} came from submission ${submissionId}, whose ${where}/manifest.json cannot be read now (${folder.ok ? (text?.ok === false ? text.issue.message : 'unreadable') : folder.issue.message})`,
    );
    return { ok: false, refused };
  }
  const parsed = parseManifest(text.text);
  const index = parsed.ok ? parsed.manifest.samples.findIndex((s) => s.sampleId === sampleId) : -1;
  if (!parsed.ok || index < 0) {
    const refused = refusal(
      sampleId,
      'RERUN_INPUTS_CHANGED',
      `${where}/manifest.json no longer ${parsed.ok ? `lists ${sampleId}` : 'parses'}`,
    );
    return { ok: false, refused };
  }
  return { ok: true, realDir: folder.realDir, sample: parsed.manifest.samples[index]!, index };
}

/** The provenance the version's catalogue entry names; one it names none for is missing too. */
async function provenanceOf(sampleId: string, version: SampleVersion): Promise<Provenance> {
  const file = version.files.provenance;
  if (file === undefined)
    throw new ProvenanceMissingError('its catalogue entry names no provenance.json');
  return readProvenance(file, { sampleId, pipelineVersion: version.pipelineVersion });
}

/** Files whose checksum now differs from the one the earlier version's provenance recorded. */
function changedSince(provenance: Provenance, files: readonly IntakeFile[]): string[] {
  const changed: string[] = [];
  for (const before of provenance.inputs) {
    const now = files.find((f) => f.relativePath === before.relativePath);
    if (now === undefined) {
      changed.push(`${before.relativePath} is no longer listed`);
      continue;
    }
    for (const algorithm of ['md5', 'sha256'] as const) {
      const was = before[algorithm];
      const is = now[algorithm];
      if (was !== null && is !== null && was !== is)
        changed.push(`${before.relativePath} ${algorithm} was ${was}, is ${is}`);
    }
  }
  return changed;
}
