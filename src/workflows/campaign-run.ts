/**
 * One run of a campaign workflow: the carry that crosses continue-as-new, and what only this
 * run knows (its timestamps, the page of the list in hand, the slow clock's tick), with the few
 * changes every part of the campaign makes to it: its state, a sample's outcome, a flush to disk.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  newCarry,
  progressOf,
  recordOutcome,
  type CampaignCarry,
} from '../domain/campaign-state.ts';
import type {
  CampaignProgress,
  CampaignRequest,
  CampaignSampleOutcome,
  CampaignState,
} from '../domain/campaign.ts';
import { SearchAttribute } from '../shared.ts';
import { campaignActivities } from './activities.ts';

export interface CampaignWorkflowInput {
  campaignId: string;
  request: CampaignRequest;
  /** Continue-as-new once history has this many events (tests lower it). */
  continueAsNewAfterEvents?: number;
  /** After this many seconds without a report, ask Temporal about the window (tests lower it). */
  checkSilenceAfterSeconds?: number;
  carried?: CampaignCarry;
}

const DEFAULT_CONTINUE_AS_NEW_AFTER = 4000;
/** A sample that ends without its report (terminated by hand) is found after this long. */
const DEFAULT_SILENCE_SECONDS = 600;

export interface CampaignRun {
  readonly input: CampaignWorkflowInput;
  readonly campaignId: string;
  readonly request: CampaignRequest;
  readonly workflowId: string;
  /** Continue-as-new once history has this many events. */
  readonly canAfter: number;
  readonly carry: CampaignCarry;
  endedAt: string | null;
  reportFile: string | null;
  updatedAt: string;
  readonly silenceMs: number;
  /** When a sample last reported, or the window was last looked into. */
  lastNews: number;
  /** Set by the slow clock (startTicker), cleared by the main loop. */
  tick: boolean;
  /** The page of the list in hand: ids from list position `pageStart` on. */
  page: string[];
  pageStart: number;
}

export function now(): string {
  return new Date(Date.now()).toISOString();
}

export function newCampaignRun(input: CampaignWorkflowInput): CampaignRun {
  const { campaignId, request } = input;
  const workflowId = workflowInfo().workflowId;
  const canAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  const carry: CampaignCarry = input.carried ?? newCarry(request.maxConcurrent, now());
  carry.run += 1;
  return {
    input,
    campaignId,
    request,
    workflowId,
    canAfter,
    carry,
    endedAt: null,
    reportFile: null,
    updatedAt: now(),
    silenceMs: (input.checkSilenceAfterSeconds ?? DEFAULT_SILENCE_SECONDS) * 1000,
    lastNews: Date.now(),
    tick: false,
    page: [],
    // The cursor moves only when samples are admitted, so this is where the list is read from.
    pageStart: carry.cursor,
  };
}

export function currentProgress(run: CampaignRun): CampaignProgress {
  const { campaignId, workflowId, request, updatedAt, endedAt, reportFile } = run;
  return progressOf(run.carry, { campaignId, workflowId, request, updatedAt, endedAt, reportFile });
}

export function setState(run: CampaignRun, state: CampaignState): void {
  run.carry.state = state;
  run.updatedAt = now();
  upsertSearchAttributes([{ key: SearchAttribute.Stage, value: state }]);
}

/** Records a sample's end; a repeated or late report (the sample is not in the window) is ignored. */
export function record(run: CampaignRun, outcome: Omit<CampaignSampleOutcome, 'at'>): void {
  if (!recordOutcome(run.carry, outcome, Date.now())) return;
  run.lastNews = Date.now();
  run.updatedAt = now();
}

export function isOver(run: CampaignRun): boolean {
  return run.carry.state === 'completed' || run.carry.state === 'cancelled';
}

/** Writes the outcomes not yet on disk, as the next batch. */
export async function flush(run: CampaignRun): Promise<void> {
  const { carry } = run;
  if (carry.pendingOutcomes.length === 0) return;
  const outcomes = carry.pendingOutcomes;
  carry.pendingOutcomes = [];
  await campaignActivities.recordCampaignOutcomes({
    campaignId: run.campaignId,
    seq: carry.outcomeSeq,
    outcomes,
  });
  carry.outcomeSeq += 1;
}
