/** The on-disk layout under the data root (DESIGN §5): every path is built here and only here. */
import path from 'node:path';

export interface Layout {
  root: string;
  inbox: string;
  submissionDir(region: string, submissionId: string): string;
  /** Outcome records of submissions, kept after their workflows leave Temporal's retention. */
  submissionRecord(region: string, submissionId: string): string;
  /** Holds `<region>/<submissionId>.json` outcome records. */
  submissionsDir: string;
  catalogueDir: string;
  /** Append-only log of operator and consent actions. */
  auditLog: string;
  /** A campaign's request, sample list, outcome batches and report. */
  campaignDir(campaignId: string): string;
  campaignsDir: string;
  catalogueFile(sampleId: string): string;
  sampleDir(sampleId: string, pipelineVersion: string): string;
  freqDir: string;
  releasesDir: string;
  releaseDir(releaseId: string): string;
  latestLink: string;
  referenceDir(pipelineVersion: string): string;
  workDir(workflowId: string, ...parts: string[]): string;
  temporalDir: string;
  runDir: string;
  logsDir: string;
  /** Append-only record of every local job start. */
  localJobLedger: string;
}

export function createLayout(dataRoot: string): Layout {
  const root = path.resolve(dataRoot);
  const gdb = path.join(root, 'gdb');
  const freqDir = path.join(root, 'freq');
  const runDir = path.join(root, 'run');
  return {
    root,
    inbox: path.join(root, 'inbox'),
    submissionDir: (region, submissionId) => path.join(root, 'inbox', region, submissionId),
    submissionRecord: (region, submissionId) =>
      path.join(gdb, 'submissions', region, `${submissionId}.json`),
    submissionsDir: path.join(gdb, 'submissions'),
    catalogueDir: path.join(gdb, 'catalogue'),
    auditLog: path.join(gdb, 'audit.jsonl'),
    campaignDir: (campaignId) => path.join(gdb, 'campaigns', campaignId),
    campaignsDir: path.join(gdb, 'campaigns'),
    catalogueFile: (sampleId) => path.join(gdb, 'catalogue', `${sampleId}.json`),
    sampleDir: (sampleId, pipelineVersion) => path.join(gdb, 'samples', sampleId, pipelineVersion),
    freqDir,
    releasesDir: path.join(freqDir, 'releases'),
    releaseDir: (releaseId) => path.join(freqDir, 'releases', releaseId),
    latestLink: path.join(freqDir, 'latest'),
    referenceDir: (pipelineVersion) => path.join(root, 'reference', pipelineVersion),
    workDir: (workflowId, ...parts) => path.join(root, 'work', workflowId, ...parts),
    temporalDir: path.join(root, 'temporal'),
    runDir,
    logsDir: path.join(root, 'logs'),
    localJobLedger: path.join(runDir, 'local-jobs.jsonl'),
  };
}
