/**
 * A campaign's working state (plain JSON: it crosses continue-as-new) and the pure operations
 * on it: a sample's report, the counts and the progress a query answers.
 */
import {
  RATE_WINDOW,
  etaSeconds,
  finishRate,
  type CampaignCounts,
  type CampaignProgress,
  type CampaignRequest,
  type CampaignResolution,
  type CampaignSampleOutcome,
  type CampaignState,
} from './campaign.ts';
import type { StepTally } from './step-reuse.ts';

export interface CampaignCarry {
  resolution: CampaignResolution;
  /** Index in the list of the next sample to start. */
  cursor: number;
  /** Samples started and not yet reported, as a set. */
  inFlight: Record<string, true>;
  /** How many keys inFlight has. */
  running: number;
  counts: Omit<CampaignCounts, 'total' | 'pending' | 'running'>;
  maxConcurrent: number;
  state: CampaignState;
  /** Sequence number of the next outcome batch on disk. */
  outcomeSeq: number;
  /** Epoch ms of the last finishes, for the rate. */
  finishTimes: number[];
  run: number;
  startedAt: string;
  /**
   * Outcomes not yet on disk. A report that arrives in the same workflow task as the last
   * write before continue-as-new would otherwise be counted but never written.
   */
  pendingOutcomes: CampaignSampleOutcome[];
  /** The done samples' steps, added up (absent in carries from before steps were counted). */
  steps?: StepTally;
}

export function newCarry(maxConcurrent: number, startedAt: string): CampaignCarry {
  return {
    resolution: { total: 0, alreadyDone: 0, unknown: [], listFile: '' },
    cursor: 0,
    inFlight: {},
    running: 0,
    counts: { done: 0, failed: 0, rejected: 0, skipped: 0, cancelled: 0 },
    maxConcurrent,
    state: 'resolving',
    outcomeSeq: 0,
    finishTimes: [],
    run: 0,
    startedAt,
    pendingOutcomes: [],
    steps: { run: 0, reused: 0, cpuSecondsRun: 0, cpuSecondsSaved: 0 },
  };
}

/** Error messages (a job's stderr tail) are cut to this length: outcomes cross continue-as-new. */
const MESSAGE_LIMIT = 2000;

/**
 * Takes a sample's report into the counts and the unwritten outcomes. A sample not in the
 * window (a repeated or late report) changes nothing: false.
 */
export function recordOutcome(
  carry: CampaignCarry,
  outcome: Omit<CampaignSampleOutcome, 'at'>,
  nowMs: number,
): boolean {
  if (!carry.inFlight[outcome.sampleId]) return false;
  delete carry.inFlight[outcome.sampleId];
  carry.running -= 1;
  carry.counts[outcome.status] += 1;
  if (outcome.steps) {
    const steps = (carry.steps ??= { run: 0, reused: 0, cpuSecondsRun: 0, cpuSecondsSaved: 0 });
    steps.run += outcome.steps.run;
    steps.reused += outcome.steps.reused;
    steps.cpuSecondsRun += outcome.steps.cpuSecondsRun;
    steps.cpuSecondsSaved += outcome.steps.cpuSecondsSaved;
  }
  const errors = outcome.errors.map((e) => ({ ...e, message: e.message.slice(0, MESSAGE_LIMIT) }));
  carry.pendingOutcomes.push({ ...outcome, errors, at: new Date(nowMs).toISOString() });
  carry.finishTimes.push(nowMs);
  if (carry.finishTimes.length > RATE_WINDOW) carry.finishTimes.shift();
  return true;
}

/** Moves the next ids into the window. */
export function admit(carry: CampaignCarry, sampleIds: readonly string[]): void {
  carry.cursor += sampleIds.length;
  for (const id of sampleIds) carry.inFlight[id] = true;
  carry.running += sampleIds.length;
}

export function countsOf(carry: CampaignCarry): CampaignCounts {
  return {
    total: carry.resolution.total,
    pending: carry.resolution.total - carry.cursor,
    running: carry.running,
    ...carry.counts,
  };
}

export function progressOf(
  carry: CampaignCarry,
  meta: {
    campaignId: string;
    workflowId: string;
    request: CampaignRequest;
    updatedAt: string;
    endedAt: string | null;
    reportFile: string | null;
  },
): CampaignProgress {
  const counts = countsOf(carry);
  const rate = finishRate(carry.finishTimes);
  return {
    campaignId: meta.campaignId,
    workflowId: meta.workflowId,
    name: meta.request.name,
    pipelineVersion: meta.request.pipelineVersion,
    selection: meta.request.selection,
    state: carry.state,
    maxConcurrent: carry.maxConcurrent,
    counts,
    alreadyDone: carry.resolution.alreadyDone,
    samplesPerSecond: rate,
    etaSeconds: carry.state === 'paused' ? null : etaSeconds(counts, rate),
    reuse: meta.request.reuse ?? 'none',
    stepsRun: carry.steps?.run ?? 0,
    stepsReused: carry.steps?.reused ?? 0,
    cpuHoursRun: hours(carry.steps?.cpuSecondsRun ?? 0),
    cpuHoursSaved: hours(carry.steps?.cpuSecondsSaved ?? 0),
    run: carry.run,
    startedAt: carry.startedAt,
    updatedAt: meta.updatedAt,
    endedAt: meta.endedAt,
    reportFile: meta.reportFile,
  };
}

/** CPU seconds as hours, to the nearest 3.6 s. */
function hours(seconds: number): number {
  return Math.round((seconds / 3600) * 1000) / 1000;
}
