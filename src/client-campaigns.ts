/**
 * The campaign half of the typed client (client.ts delegates here): starting a campaign after
 * checking its request, reading its progress, and pause / resume / cancel / set-concurrency.
 */
import {
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  progressWithoutWorker,
  type CampaignListing,
  type CampaignMemory,
} from './client-campaign-fallback.ts';
import type { Config } from './config.ts';
import { campaignRequestSchema } from './domain/campaign-request.ts';
import {
  newCampaignId,
  progressOfReport,
  type CampaignProgress,
  type CampaignReport,
} from './domain/campaign.ts';
import { parseSelection } from './domain/selection.ts';
import { HarmoniseError, UsageError, WorkflowBusyError, errorMessage } from './errors.ts';
import { SearchAttribute, campaignWorkflowId } from './shared.ts';
import { readJsonIfExists } from './store/atomic.ts';
import { campaignFiles, readSampleIds, writeSampleList } from './store/campaigns.ts';
import type { Layout } from './store/layout.ts';
import { campaignIds } from './store/listings.ts';
import { PipelineRegistry } from './store/pipelines.ts';
import type { campaignWorkflow } from './workflows/campaign.ts';
import {
  campaignProgressQuery,
  cancelCampaignUpdate,
  pauseCampaignUpdate,
  resumeCampaignUpdate,
  setConcurrencyUpdate,
} from './workflows/messages.ts';

export interface CampaignClientContext {
  config: Config;
  layout: Layout;
  temporal: Client;
  /** The last progress each campaign answered, for when it does not (absent: none kept). */
  campaignMemory?: CampaignMemory;
}

/**
 * Starts a campaign after checking what can be checked here (selection, samples file,
 * pipeline version), so that a bad request is a usage error, not a failed workflow. A samples
 * file is copied into the campaign's folder: the campaign keeps what it was asked.
 */
export async function startCampaign(
  ctx: CampaignClientContext,
  raw: z.input<typeof campaignRequestSchema>,
  tuning: { continueAsNewAfterEvents?: number; checkSilenceAfterSeconds?: number } = {},
): Promise<{ campaignId: string; workflowId: string }> {
  const parsed = campaignRequestSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`invalid campaign: ${z.prettifyError(parsed.error)}`);
  const request = parsed.data;
  const campaignId = newCampaignId(request.name, new Date(), randomBytes(2).toString('hex'));
  if ('expression' in request.selection) {
    const selection = parseSelection(request.selection.expression);
    if (!selection.ok) throw new UsageError(`--select: ${selection.message}`);
  }
  const ids =
    'samplesFile' in request.selection
      ? await readSampleIds(request.selection.samplesFile).catch((error: unknown) => {
          throw new UsageError(`--samples: ${errorMessage(error)}`);
        })
      : null;
  await new PipelineRegistry(ctx.config.pipelinesDir, ctx.config.dataRoot).load(
    request.pipelineVersion,
  );
  const workflowId = campaignWorkflowId(campaignId);
  try {
    if (ids) {
      const copy = path.join(campaignFiles(ctx.layout, campaignId).dir, 'requested-samples.txt');
      await writeSampleList(copy, ids);
      request.selection = { samplesFile: copy };
    }
    await ctx.temporal.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      workflowId,
      taskQueue: ctx.config.temporal.taskQueue,
      args: [{ campaignId, request, ...tuning }],
      typedSearchAttributes: [
        { key: SearchAttribute.CampaignId, value: campaignId },
        { key: SearchAttribute.PipelineVersion, value: request.pipelineVersion },
      ],
    });
  } catch (error) {
    // The campaign never started: its folder (the samples file's copy) names nothing. The id is
    // new to this call, so nothing else can be in it.
    await rm(campaignFiles(ctx.layout, campaignId).dir, { recursive: true, force: true });
    throw error;
  }
  return { campaignId, workflowId };
}

/** `status` gets an answer, or the reason there is none, within this. */
const QUERY_DEADLINE_MS = 10_000;
/**
 * A list (dashboard, REST, metrics) asks each campaign for this long: short enough that what it
 * shows instead of a silent campaign is still asked within the request's own 5 s.
 */
const LIST_QUERY_DEADLINE_MS = 2_500;

const GRPC = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, FAILED_PRECONDITION: 9 } as const;

/**
 * Why a query found no worker to answer it, or null if the error is another: the server's
 * "query timed out before a worker could process it" (DEADLINE_EXCEEDED), the client's own
 * deadline passing (CANCELLED), or "no poller seen for task queue recently" (FAILED_PRECONDITION).
 */
function unanswered(error: unknown, deadline: number, waitedMs: number): string | null {
  if (!(error instanceof ServiceError)) return null;
  const cause = error.cause as { code?: unknown; details?: unknown } | undefined;
  const details = typeof cause?.details === 'string' ? cause.details : error.message;
  if (cause?.code === GRPC.DEADLINE_EXCEEDED || cause?.code === GRPC.FAILED_PRECONDITION)
    return details;
  if (cause?.code === GRPC.CANCELLED && Date.now() >= deadline)
    return `no answer within ${waitedMs / 1000} s`;
  return null;
}

/** The live progress, else the report of a campaign Temporal no longer holds, else null. */
export async function campaignProgress(
  ctx: CampaignClientContext,
  campaignId: string,
  waitMs = QUERY_DEADLINE_MS,
): Promise<CampaignProgress | null> {
  const handle = ctx.temporal.workflow.getHandle(campaignWorkflowId(campaignId));
  const deadline = Date.now() + waitMs;
  try {
    return await ctx.temporal.withDeadline(deadline, () => handle.query(campaignProgressQuery));
  } catch (error) {
    const why = unanswered(error, deadline, waitMs);
    if (why !== null) {
      throw new WorkflowBusyError(
        `campaign ${campaignId} did not answer (${why}): its worker is down or busy; ask again`,
        { cause: error },
      );
    }
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  const report = await readJsonIfExists(campaignFiles(ctx.layout, campaignId).report);
  if (report === undefined) return null;
  return progressOfReport(report as CampaignReport);
}

/**
 * The newest `limit` campaigns' progress (ids start with their time), newest first. A campaign
 * that does not answer is still listed: with its last known progress and the reason
 * (client-campaign-fallback.ts).
 */
export async function recentCampaigns(
  ctx: CampaignClientContext,
  limit: number,
): Promise<CampaignListing[]> {
  // Temporal itself down is an error (503), never an empty list.
  await ctx.temporal.connection.workflowService.getSystemInfo({});
  // Asked all at once: with the worker down each waits out the query deadline, together.
  const ids = await campaignIds(ctx.layout, limit);
  const all = await Promise.all(
    ids.map(async (id): Promise<CampaignListing | null> => {
      const ended = ctx.campaignMemory?.ended(id);
      if (ended) return ended;
      try {
        const progress = await campaignProgress(ctx, id, LIST_QUERY_DEADLINE_MS);
        if (progress !== null) ctx.campaignMemory?.remember(progress);
        return progress;
      } catch (error) {
        if (!(error instanceof WorkflowBusyError)) throw error;
        const reason = error.message;
        const known = ctx.campaignMemory?.recall(id);
        if (known)
          return { ...known.progress, progressUnavailable: reason, progressAsOf: known.at };
        const pieced = await progressWithoutWorker(ctx, id);
        if (pieced === null) return null;
        return { ...pieced, progressUnavailable: reason, progressAsOf: null };
      }
    }),
  );
  return all.filter((progress) => progress !== null);
}

/** pause, resume, cancel or set the window of a campaign; returns its progress after. */
export async function controlCampaign(
  ctx: CampaignClientContext,
  campaignId: string,
  action: 'pause' | 'resume' | 'cancel' | { maxConcurrent: number },
  requestedBy: string,
): Promise<CampaignProgress> {
  const handle = ctx.temporal.workflow.getHandle(campaignWorkflowId(campaignId));
  try {
    if (action === 'pause')
      return await handle.executeUpdate(pauseCampaignUpdate, { args: [{ requestedBy }] });
    if (action === 'resume')
      return await handle.executeUpdate(resumeCampaignUpdate, { args: [{ requestedBy }] });
    if (action === 'cancel')
      return await handle.executeUpdate(cancelCampaignUpdate, { args: [{ requestedBy }] });
    return await handle.executeUpdate(setConcurrencyUpdate, {
      args: [{ requestedBy, maxConcurrent: action.maxConcurrent }],
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      const ended = await handle.describe().catch(() => null);
      if (ended === null) throw new HarmoniseError('NOT_FOUND', `no campaign ${campaignId}`);
      throw new UsageError(
        `campaign ${campaignId} has ended (${ended.status.name}) and cannot be changed`,
      );
    }
    if (error instanceof WorkflowUpdateFailedError)
      throw new UsageError(`campaign ${campaignId}: ${errorMessage(error.cause ?? error)}`);
    throw error;
  }
}
