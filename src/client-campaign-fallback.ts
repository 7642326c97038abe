/**
 * What the campaign list shows of a campaign that does not answer its progress query (its worker
 * is down or busy, the query timed out): never nothing. It shows the last progress the campaign
 * answered to this process, else what Temporal's server and the campaign's files say without a
 * worker (its start input, state attribute, running children, resolution and outcome batches),
 * and always why the live progress is missing.
 */
import { WorkflowNotFoundError, defaultPayloadConverter, type Client } from '@temporalio/client';
import type { Config } from './config.ts';
import { newCarry, progressOf } from './domain/campaign-state.ts';
import type {
  CampaignProgress,
  CampaignResolution,
  CampaignSampleOutcome,
  CampaignState,
} from './domain/campaign.ts';
import { SearchAttribute, campaignWorkflowId } from './shared.ts';
import { readJsonIfExists } from './store/atomic.ts';
import { campaignFiles, readOutcomes } from './store/campaigns.ts';
import type { Layout } from './store/layout.ts';
import type { CampaignWorkflowInput } from './workflows/campaign.ts';

interface Context {
  config: Config;
  layout: Layout;
  temporal: Client;
}

export interface CampaignListing extends CampaignProgress {
  /** Set when the campaign did not answer: why. The progress beside it is the last known. */
  progressUnavailable?: string;
  /**
   * With progressUnavailable: when the campaign last answered with the progress shown, or null
   * when it was pieced together from Temporal's records and the campaign's files instead.
   */
  progressAsOf?: string | null;
}

/**
 * The last progress each campaign answered (a few hundred bytes per campaign listed). A campaign
 * that answered completed or cancelled has written its report and changes no more: a list takes
 * its progress from here instead of asking again (a query of an ended workflow is a replay of
 * its whole history on a worker).
 */
export class CampaignMemory {
  private readonly last = new Map<string, { progress: CampaignProgress; at: string }>();

  remember(progress: CampaignProgress): void {
    this.last.set(progress.campaignId, { progress, at: new Date().toISOString() });
  }

  recall(campaignId: string): { progress: CampaignProgress; at: string } | undefined {
    return this.last.get(campaignId);
  }

  /** The progress of a campaign known to have ended, else undefined. */
  ended(campaignId: string): CampaignProgress | undefined {
    const known = this.last.get(campaignId)?.progress;
    return known && ENDED.includes(known.state) ? known : undefined;
  }
}

const ENDED: readonly string[] = ['completed', 'cancelled'];

const ENDED_STAGES = ['done', 'failed', 'rejected', 'cancelled'] as const;

const STATES: readonly string[] = [
  'resolving',
  'running',
  'paused',
  'cancelling',
  'completed',
  'cancelled',
];

/** The input of the campaign's current run (the first event of its history), or null. */
async function startInput(ctx: Context, workflowId: string): Promise<CampaignWorkflowInput | null> {
  const history = await ctx.temporal.workflowService.getWorkflowExecutionHistory({
    namespace: ctx.config.temporal.namespace,
    execution: { workflowId },
    maximumPageSize: 1,
  });
  const payload =
    history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<CampaignWorkflowInput>(payload) : null;
}

/** The campaign's progress as far as it can be known without its worker, or null if none runs. */
export async function progressWithoutWorker(
  ctx: Context,
  campaignId: string,
): Promise<CampaignProgress | null> {
  const workflowId = campaignWorkflowId(campaignId);
  const handle = ctx.temporal.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  });
  const input = description && (await startInput(ctx, workflowId));
  if (!description || !input) return null;
  const files = campaignFiles(ctx.layout, campaignId);
  const carry =
    input.carried ?? newCarry(input.request.maxConcurrent, description.startTime.toISOString());
  // As the run itself counts (the first run is 1).
  carry.run += 1;
  const resolution = (await readJsonIfExists(files.resolution)) as CampaignResolution | undefined;
  if (resolution) carry.resolution = resolution;
  // Outcomes on disk are those written so far (in batches); Temporal's records count every child
  // that has ended, by the Stage it ended in. Each is a lower bound: the larger wins.
  const outcomes: CampaignSampleOutcome[] = await readOutcomes(files.outcomesDir);
  const counts = { done: 0, failed: 0, rejected: 0, skipped: 0, cancelled: 0 };
  for (const outcome of outcomes) counts[outcome.status] += 1;
  const children = `WorkflowType="sampleWorkflow" AND CampaignId="${campaignId}"`;
  const count = async (query: string) => (await ctx.temporal.workflow.count(query)).count;
  const [running, ended] = await Promise.all([
    count(`${children} AND ExecutionStatus="Running"`),
    Promise.all(
      ENDED_STAGES.map((stage) =>
        count(`${children} AND ExecutionStatus!="Running" AND Stage="${stage}"`),
      ),
    ),
  ]);
  ENDED_STAGES.forEach((stage, i) => {
    counts[stage] = Math.max(counts[stage], ended[i] ?? 0);
  });
  for (const key of Object.keys(counts) as (keyof typeof counts)[])
    carry.counts[key] = Math.max(carry.counts[key], counts[key]);
  carry.running = running;
  const finished = Object.values(carry.counts).reduce((a, b) => a + b, 0);
  carry.cursor = Math.min(carry.resolution.total, Math.max(carry.cursor, finished + running));
  const state = description.typedSearchAttributes.get(SearchAttribute.Stage);
  if (state !== undefined && STATES.includes(state)) carry.state = state as CampaignState;
  const newest = outcomes.reduce((at, o) => (o.at > at ? o.at : at), carry.startedAt);
  const progress = progressOf(carry, {
    campaignId,
    workflowId,
    request: input.request,
    updatedAt: newest,
    endedAt: null,
    reportFile: null,
  });
  // The finish times carried in are a run old: no rate, and so no ETA.
  return { ...progress, samplesPerSecond: null, etaSeconds: null };
}
