/**
 * The submission-wide part of intake, which reads no file's content: the submission folder (a
 * real folder inside the region's inbox, not a link), the manifest (a regular file, not a link,
 * within its size limit, parsed within the sample limit), each listed file (there, regular,
 * inside), files listed twice under any spelling, and the sample ids (new, or this submission's
 * own; a new one is claimed). The samples' content is checked by their own workflows.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { boundIssues, type InputIssue } from '../../domain/issues.ts';
import { parseManifest, type Manifest, type ManifestSample } from '../../domain/manifest.ts';
import type { SampleClaims } from '../../store/claims.ts';
import type { IntakeEntry } from '../../store/submissions.ts';
import type { ActivityDeps } from '../deps.ts';
import { formatBytes } from './budget.ts';
import { listedFiles } from './files.ts';
import { openInside } from './open.ts';

export interface SubmissionRef {
  region: string;
  submissionId: string;
  pipelineVersion: string;
  /** The submission workflow, which claims new sample ids. */
  workflowId: string;
}

type Reject = { ok: false; issue: InputIssue };

function reject(code: string, path: string, message: string): Reject {
  return { ok: false, issue: { code, path, message } };
}

/** The submission folder, resolved: a folder (not a link) inside the region's inbox. */
export async function submissionFolder(
  deps: ActivityDeps,
  region: string,
  submissionId: string,
): Promise<{ ok: true; realDir: string } | Reject> {
  const dir = deps.layout.submissionDir(region, submissionId);
  const shown = `inbox/${region}/${submissionId}`;
  const stat = await fs.lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw error;
  });
  if (stat === null)
    return reject('SUBMISSION_NOT_FOUND', 'manifest.json', `there is no folder ${shown}`);
  if (stat.isSymbolicLink()) {
    return reject(
      'SUBMISSION_SYMLINK',
      'manifest.json',
      `${shown} is a symbolic link; a submission must be a folder placed in the inbox itself`,
    );
  }
  if (!stat.isDirectory())
    return reject('SUBMISSION_NOT_FOUND', 'manifest.json', `${shown} is not a folder`);
  const realDir = await fs.realpath(dir);
  const regionDir = await fs.realpath(deps.layout.regionInbox(region));
  if (path.dirname(realDir) !== regionDir) {
    return reject(
      'SUBMISSION_SYMLINK',
      'manifest.json',
      `${shown} leads outside the region's inbox`,
    );
  }
  return { ok: true, realDir };
}

const MANIFEST_CODES: Record<string, string> = {
  FILE_MISSING: 'SUBMISSION_NOT_FOUND',
  FILE_SYMLINK: 'MANIFEST_SYMLINK',
  FILE_OUTSIDE_SUBMISSION: 'MANIFEST_SYMLINK',
  FILE_NOT_REGULAR: 'MANIFEST_NOT_REGULAR',
  FILE_UNREADABLE: 'SUBMISSION_UNREADABLE',
  FILE_CHANGED_DURING_INTAKE: 'SUBMISSION_UNREADABLE',
};

/** Reads manifest.json: a regular file, not a link, at most `maxBytes`; read from its descriptor. */
export async function readManifestText(
  realDir: string,
  maxBytes: number,
): Promise<{ ok: true; text: string } | Reject> {
  const opened = await openInside(realDir, 'manifest.json', { noFollow: true });
  if (!opened.ok) {
    return reject(
      MANIFEST_CODES[opened.code] ?? 'SUBMISSION_UNREADABLE',
      'manifest.json',
      opened.message,
    );
  }
  const { handle, identity } = opened.file;
  try {
    if (identity.size > maxBytes) {
      return reject(
        'MANIFEST_TOO_LARGE',
        'manifest.json',
        `manifest.json is ${formatBytes(identity.size)}; NGC reads manifests of at most ${formatBytes(maxBytes)}`,
      );
    }
    const buffer = Buffer.alloc(identity.size);
    const { bytesRead } = await handle.read(buffer, 0, identity.size, 0);
    return { ok: true, text: buffer.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** The manifest's own problems, and whether its region and id are the folder's. */
export function manifestProblems(
  text: string,
  ref: SubmissionRef,
  maxSamples: number,
): { ok: true; manifest: Manifest } | { ok: false; issues: InputIssue[] } {
  const parsed = parseManifest(text, { maxSamples });
  if (!parsed.ok) return { ok: false, issues: boundIssues(parsed.issues) };
  const { manifest } = parsed;
  const issues: InputIssue[] = [];
  if (manifest.region !== ref.region) {
    issues.push({
      code: 'MANIFEST_REGION_MISMATCH',
      path: 'region',
      message: `the manifest says region "${manifest.region}" but the submission is in the folder of "${ref.region}"`,
    });
  }
  if (manifest.submissionId !== ref.submissionId) {
    issues.push({
      code: 'MANIFEST_SUBMISSION_MISMATCH',
      path: 'submissionId',
      message: `the manifest says submissionId "${manifest.submissionId}" but its folder is "${ref.submissionId}"`,
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, manifest };
}

/**
 * Every listed file, not read: problems reject their sample; two entries that are one file
 * (a symbolic link, `a//b`) reject the submission, as a path listed twice does.
 */
export async function checkListedFiles(
  realDir: string,
  samples: readonly ManifestSample[],
  heartbeat: () => void,
): Promise<{ duplicates: InputIssue[]; perSample: InputIssue[][] }> {
  const seen = new Map<string, string>();
  const duplicates: InputIssue[] = [];
  const perSample: InputIssue[][] = [];
  for (const [i, sample] of samples.entries()) {
    const { issues, identities } = await listedFiles(realDir, sample, i);
    perSample.push(issues);
    for (const { jsonPath, identity } of identities) {
      const key = `${identity.dev}:${identity.ino}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, jsonPath);
      else {
        duplicates.push({
          code: 'MANIFEST_DUPLICATE_FILE',
          path: `${jsonPath}.path`,
          message: `is the same file as ${first} (another spelling of its path, or a link to it): each file may be listed once`,
        });
      }
    }
    heartbeat();
  }
  return { duplicates: boundIssues(duplicates), perSample };
}

/**
 * What intake says of each sample's id: new (and now claimed by this submission), this
 * submission's own from an earlier run (done), or taken: registered by the region already
 * (SAMPLE_ALREADY_REGISTERED: a new version comes by a campaign, a consent change by a
 * withdrawal), by another region (SAMPLE_ID_CONFLICT), or claimed by another submission that is
 * still running (SAMPLE_IN_PROGRESS, or SAMPLE_ID_CONFLICT for another region's).
 */
export async function checkSampleIds(
  deps: ActivityDeps,
  claims: SampleClaims,
  ref: SubmissionRef,
  sample: ManifestSample,
  index: number,
): Promise<Pick<IntakeEntry, 'status' | 'errors' | 'workflowId'>> {
  const path = `samples[${index}].sampleId`;
  const taken = (code: string, message: string) => ({
    status: 'rejected' as const,
    errors: [{ code, path, message }],
  });
  const record = await deps.catalogue.get(sample.sampleId);
  if (record !== null) {
    if (record.region !== ref.region) {
      return taken(
        'SAMPLE_ID_CONFLICT',
        `${sample.sampleId} is already registered for another region: sample ids are national, choose another`,
      );
    }
    const version = record.versions[ref.pipelineVersion];
    if (version?.submissionId === ref.submissionId) {
      // An earlier run of this very submission registered it (the submission is being retried).
      return { status: 'done', errors: [], workflowId: version.workflowId };
    }
    const from = Object.values(record.versions).map(
      (v) => `${v.submissionId} (pipeline ${v.pipelineVersion})`,
    );
    return taken(
      'SAMPLE_ALREADY_REGISTERED',
      `${sample.sampleId} is already registered, from ${from.join(', ') || 'an earlier submission'}; a new version comes through a rerun campaign, and a consent change through a consent withdrawal, never through a new submission`,
    );
  }
  const claimed = await claims.claim(
    {
      sampleId: sample.sampleId,
      region: ref.region,
      submissionId: ref.submissionId,
      workflowId: ref.workflowId,
    },
    async (holder) => {
      if (!deps.workflows) return false;
      const statuses = await deps.workflows.statuses([holder.workflowId]);
      return statuses[holder.workflowId] !== 'RUNNING';
    },
  );
  if (claimed.won) return { status: 'pending', errors: [] };
  if (claimed.holder.region !== ref.region) {
    return taken(
      'SAMPLE_ID_CONFLICT',
      `${sample.sampleId} is being submitted by another region: sample ids are national, choose another`,
    );
  }
  return taken(
    'SAMPLE_IN_PROGRESS',
    `${sample.sampleId} is being harmonised from submission ${claimed.holder.submissionId}; it may be submitted once`,
  );
}
