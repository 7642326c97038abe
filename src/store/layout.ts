/**
 * The on-disk layout under the data root (docs/storage.md, "The data root"): every path is built here and only
 * here, by one function (`inside`) that checks each id against its rules and refuses to leave
 * its folder. A bad id is an InvalidIdError, never a path elsewhere.
 */
import path from 'node:path';
import { firstIdProblem, type IdKind } from '../domain/id-rules.ts';
import { InvalidIdError } from '../errors.ts';

export interface Layout {
  root: string;
  inbox: string;
  /** `inbox/<region>`: the region's own folder, under NGC's ACLs. */
  regionInbox(region: string): string;
  submissionDir(region: string, submissionId: string): string;
  /** Outcome records of submissions, kept after their workflows leave Temporal's retention. */
  submissionRecord(region: string, submissionId: string): string;
  /**
   * What one run of a submission's workflow learnt (its intake list, each sample's checked files,
   * the samples' outcomes), named by the workflow's first run id.
   */
  submissionRunDir(region: string, submissionId: string, runId: string): string;
  /** Holds `<region>/<submissionId>.json` outcome records. */
  submissionsDir: string;
  catalogueDir: string;
  /** Which submission has claimed a new sample id while it is harmonised. */
  claimFile(sampleId: string): string;
  /** Append-only log of operator and consent actions. */
  auditLog: string;
  /** A campaign's request, sample list, outcome batches and report. */
  campaignDir(campaignId: string): string;
  campaignsDir: string;
  catalogueFile(sampleId: string): string;
  sampleDir(sampleId: string, pipelineVersion: string): string;
  /**
   * One genome's contribution to the frequencies (`<sampleDir>/contributions/<key>`), beside
   * its gVCF; `key` names the gVCF it was read from and the contribution format.
   */
  contributionDir(sampleId: string, pipelineVersion: string, key: string): string;
  freqDir: string;
  /** The fixed batches of a pipeline version's frequency database. */
  batchRegistry(pipelineVersion: string): string;
  /** An immutable batch partial, named by its id. */
  partialDir(pipelineVersion: string, partialId: string): string;
  releasesDir: string;
  releaseDir(releaseId: string): string;
  latestLink: string;
  referenceDir(pipelineVersion: string): string;
  /** Job scratch of all workflows. */
  workRoot: string;
  workDir(workflowId: string, ...parts: string[]): string;
  temporalDir: string;
  runDir: string;
  logsDir: string;
  /** Append-only record of every local job start. */
  localJobLedger: string;
}

/**
 * A path segment made by harmonise itself (workflow ids, run ids, step names, attempts): no
 * separators, no `.` or `..`, nothing a shell or a path could read twice.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:+@-]{0,254}$/;

function checkIds(ids: Partial<Record<IdKind, string>>): void {
  const problem = firstIdProblem(ids);
  if (problem !== null) throw new InvalidIdError(problem.problem);
}

/** `base/segments…`, each segment checked, and the result proven to lie strictly inside base. */
export function inside(base: string, ...segments: string[]): string {
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) {
      throw new InvalidIdError(
        `refusing the path segment ${JSON.stringify(segment.slice(0, 80))} under ${base}`,
      );
    }
  }
  const full = path.join(base, ...segments);
  const relative = path.relative(base, full);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new InvalidIdError(`refusing a path that leaves ${base}`);
  }
  return full;
}

export function createLayout(dataRoot: string): Layout {
  const root = path.resolve(dataRoot);
  const runDir = path.join(root, 'run');
  return {
    root,
    ...inboxPaths(root),
    ...gdbPaths(path.join(root, 'gdb')),
    ...freqPaths(root),
    referenceDir: (pipelineVersion) => {
      checkIds({ pipelineVersion });
      return inside(root, 'reference', pipelineVersion);
    },
    ...workPaths(path.join(root, 'work')),
    temporalDir: path.join(root, 'temporal'),
    runDir,
    logsDir: path.join(root, 'logs'),
    localJobLedger: path.join(runDir, 'local-jobs.jsonl'),
  };
}

/** The regions' submissions, read only. */
function inboxPaths(root: string) {
  const inbox = path.join(root, 'inbox');
  return {
    inbox,
    regionInbox: (region) => {
      checkIds({ region });
      return inside(inbox, region);
    },
    submissionDir: (region, submissionId) => {
      checkIds({ region, submissionId });
      return inside(inbox, region, submissionId);
    },
  } satisfies Partial<Layout>;
}

/** The GDB: catalogue, published samples, submission and campaign records, claims, audit log. */
function gdbPaths(gdb: string) {
  const submissionsDir = path.join(gdb, 'submissions');
  const catalogueDir = path.join(gdb, 'catalogue');
  const campaignsDir = path.join(gdb, 'campaigns');
  return {
    submissionRecord: (region, submissionId) => {
      checkIds({ region, submissionId });
      return inside(submissionsDir, region, `${submissionId}.json`);
    },
    submissionRunDir: (region, submissionId, runId) => {
      checkIds({ region, submissionId });
      return inside(submissionsDir, region, submissionId, runId);
    },
    submissionsDir,
    catalogueDir,
    claimFile: (sampleId) => {
      checkIds({ sampleId });
      return inside(gdb, 'claims', `${sampleId}.json`);
    },
    auditLog: path.join(gdb, 'audit.jsonl'),
    campaignDir: (campaignId) => {
      checkIds({ campaignId });
      return inside(campaignsDir, campaignId);
    },
    campaignsDir,
    catalogueFile: (sampleId) => {
      checkIds({ sampleId });
      return inside(catalogueDir, `${sampleId}.json`);
    },
    sampleDir: (sampleId, pipelineVersion) => {
      checkIds({ sampleId, pipelineVersion });
      return inside(gdb, 'samples', sampleId, pipelineVersion);
    },
    contributionDir: (sampleId, pipelineVersion, key) => {
      checkIds({ sampleId, pipelineVersion });
      return inside(gdb, 'samples', sampleId, pipelineVersion, 'contributions', key);
    },
  } satisfies Partial<Layout>;
}

/** The frequency database: batches, partials, releases and `latest`. */
function freqPaths(root: string) {
  const freqDir = path.join(root, 'freq');
  const releasesDir = path.join(freqDir, 'releases');
  return {
    freqDir,
    batchRegistry: (pipelineVersion) => {
      checkIds({ pipelineVersion });
      return inside(freqDir, 'batches', `${pipelineVersion}.json`);
    },
    partialDir: (pipelineVersion, partialId) => {
      checkIds({ pipelineVersion });
      return inside(freqDir, 'partials', pipelineVersion, partialId);
    },
    releasesDir,
    releaseDir: (releaseId) => {
      checkIds({ releaseId });
      return inside(releasesDir, releaseId);
    },
    latestLink: path.join(freqDir, 'latest'),
  } satisfies Partial<Layout>;
}

/** Job scratch, by workflow. */
function workPaths(workRoot: string) {
  return {
    workRoot,
    workDir: (workflowId, ...parts) => inside(workRoot, workflowId, ...parts),
  } satisfies Partial<Layout>;
}
