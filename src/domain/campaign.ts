/**
 * Rerun campaigns (docs/workflows.md): what an operator asks for, what each sample came to, and the
 * progress a campaign reports. Everything here is plain JSON: it crosses continue-as-new.
 */
import type { InputIssue } from './issues.ts';
import type { HarmonisationMode } from './policy.ts';
import type { ReuseChoice, StepTally } from './step-reuse.ts';

/** A window wider than this would approach Temporal's 2,000 pending children per run. */
export const MAX_CONCURRENT_LIMIT = 1000;

/** Why a window size is refused, or null when it is fine (no zod: workflows use it). */
export function maxConcurrentProblem(value: unknown): string | null {
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= MAX_CONCURRENT_LIMIT
  )
    return null;
  return `maxConcurrent must be a whole number from 1 to ${MAX_CONCURRENT_LIMIT}, not ${String(value)}`;
}

/** What an operator asks for (validated by campaign-request.ts at the edges). */
export interface CampaignRequest {
  name: string;
  pipelineVersion: string;
  /** A selection expression (domain/selection.ts) or a file of sample ids, one per line. */
  selection: { expression: string } | { samplesFile: string };
  maxConcurrent: number;
  /** An operator's override of each region's policy mode, for this campaign only. */
  mode?: HarmonisationMode | undefined;
  /**
   * `steps` (the default): a step whose fingerprint an earlier version of the sample ran is taken
   * from it, not run; `none`: every step runs (when a bit-identical rerun is itself the point).
   * Absent in campaigns started before steps could be reused: none.
   */
  reuse?: ReuseChoice | undefined;
  requestedBy: string;
}

/** `20261126T204000Z-rerun-v2-3f9a`: sorts by time, names what it is, never collides in practice. */
export function newCampaignId(name: string, now: Date, randomHex: string): string {
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/, '');
  return [time, slug, randomHex.slice(0, 4)].filter((p) => p !== '').join('-');
}

/** What became of one sample in a campaign. */
export const SAMPLE_OUTCOMES = ['done', 'failed', 'rejected', 'skipped', 'cancelled'] as const;
export type SampleOutcomeStatus = (typeof SAMPLE_OUTCOMES)[number];

export interface CampaignSampleOutcome {
  sampleId: string;
  status: SampleOutcomeStatus;
  workflowId: string;
  errors: InputIssue[];
  /** A done sample's steps: run, reused, and the CPU time the reused ones had cost. */
  steps?: StepTally;
  /** When the campaign learnt of it. */
  at: string;
}

/** The report of a sample child to its campaign, sent by signal when it ends. */
export interface SampleFinished {
  sampleId: string;
  workflowId: string;
  status: 'done' | 'failed' | 'rejected' | 'cancelled' | 'skipped';
  errors: InputIssue[];
  /** A done sample's steps: run, reused, and the CPU time the reused ones had cost. */
  steps?: StepTally;
}

export type CampaignState =
  'resolving' | 'running' | 'paused' | 'cancelling' | 'completed' | 'cancelled';

export interface CampaignCounts {
  /** Samples selected to run (already-done ones left out at resolution). */
  total: number;
  /** Selected but not yet started. */
  pending: number;
  running: number;
  done: number;
  failed: number;
  rejected: number;
  skipped: number;
  cancelled: number;
}

export interface CampaignResolution {
  /** Samples to run, written to the campaign's list on disk. */
  total: number;
  /** Matched, but already harmonised with the campaign's pipeline version. */
  alreadyDone: number;
  /** Listed in a samples file but not in the catalogue (reported, never run). */
  unknown: string[];
  listFile: string;
}

export interface CampaignProgress {
  campaignId: string;
  workflowId: string;
  name: string;
  pipelineVersion: string;
  selection: CampaignRequest['selection'];
  state: CampaignState;
  maxConcurrent: number;
  counts: CampaignCounts;
  alreadyDone: number;
  /** Finished samples per second, over the last finishes (null before two). */
  samplesPerSecond: number | null;
  /** Seconds until every pending and running sample has finished at that rate. */
  etaSeconds: number | null;
  /** Whether its samples may take steps from earlier versions (`none` for older campaigns). */
  reuse: ReuseChoice;
  /** Steps of done samples that ran a job, and that were taken from an earlier version. */
  stepsRun: number;
  stepsReused: number;
  /** The CPU time its samples' plan-step jobs measured, in hours. */
  cpuHoursRun: number;
  /** The CPU time the reused steps' jobs had cost (as they measured it), in hours. */
  cpuHoursSaved: number;
  /** The runs this campaign has been through (continue-as-new starts a new one). */
  run: number;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  reportFile: string | null;
}

/** How many finish times the rate is taken over. */
export const RATE_WINDOW = 200;

/** Samples per second over the recorded finish times (epoch ms, ascending). */
export function finishRate(finishTimes: readonly number[]): number | null {
  if (finishTimes.length < 2) return null;
  const first = finishTimes[0]!;
  const last = finishTimes[finishTimes.length - 1]!;
  if (last <= first) return null;
  return ((finishTimes.length - 1) * 1000) / (last - first);
}

export function etaSeconds(counts: CampaignCounts, rate: number | null): number | null {
  const remaining = counts.pending + counts.running;
  if (remaining === 0) return 0;
  if (rate === null || rate <= 0) return null;
  return Math.ceil(remaining / rate);
}

export function finishedCount(counts: CampaignCounts): number {
  return counts.done + counts.failed + counts.rejected + counts.skipped + counts.cancelled;
}

export const CAMPAIGN_REPORT_SCHEMA = 'harmonise.campaign-report/v1';

export interface CampaignReport extends CampaignProgress {
  schema: typeof CAMPAIGN_REPORT_SCHEMA;
  /** Every sample that was started, with its outcome, in sample-id order. */
  samples: CampaignSampleOutcome[];
  /** The samples that did not end done, with their reasons. */
  failures: CampaignSampleOutcome[];
  /** Listed in a samples file but not in the catalogue. */
  unknown: string[];
}

/** The progress part of a report (what `campaign status` shows once Temporal forgot the run). */
export function progressOfReport(report: CampaignReport): CampaignProgress {
  const progress: Partial<CampaignReport> = { ...report };
  delete progress.schema;
  delete progress.samples;
  delete progress.failures;
  delete progress.unknown;
  return progress as CampaignProgress;
}
