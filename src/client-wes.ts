/**
 * The WES view of harmonise's workflows (the typed client's `wes`; api/wes*.ts shapes the
 * answers): a run's state from Temporal's status and Stage attribute, refined by the workflow's
 * own query when one run is asked about; its job attempts; cancelling it; the run list a page at
 * a time behind signed page tokens; and what service-info counts.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { pageTokenCodec } from './client-page-tokens.ts';
import type { Config } from './config.ts';
import type { StepStatus } from './domain/status.ts';
import { wesState, type WesState } from './domain/wes-state.ts';
import { SearchAttribute } from './shared.ts';
import { PipelineRegistry } from './store/pipelines.ts';
import { loadSalt } from './store/redaction.ts';
import { rawStage, statusName } from './temporal-records.ts';
import { campaignProgressQuery, sampleStatusQuery } from './workflows/messages.ts';

export interface WesContext {
  config: Config;
  temporal: Client;
  controlCampaign(campaignId: string, action: 'cancel', requestedBy: string): Promise<unknown>;
}

/** One run as Temporal's server and, when it answers, its workflow know it. */
export interface WesRun {
  state: WesState;
  /** The workflow type: sampleWorkflow, campaignWorkflow, … */
  type: string;
  /** Temporal's status: RUNNING, COMPLETED, FAILED, … */
  status: string;
  startTime: Date;
  closeTime: Date | undefined;
  pipelineVersion: string | null;
  /** The search attributes, as text. */
  attributes: Record<string, string>;
  /** A sample's steps and their job attempts (empty for other runs, or without a worker). */
  steps: StepStatus[];
  /** The workflow's result once it completed, else null. */
  outputs: unknown;
}

type Description = Awaited<ReturnType<WorkflowHandle['describe']>>;

/** The current step's last attempt was preempted: the sample waits for that step's retry. */
function preempted(steps: readonly StepStatus[]): boolean {
  const current = steps.find((s) => s.status === 'running');
  return current?.attempts.at(-1)?.state === 'PREEMPTED';
}

/** A run's WES state, refined by the workflow's own query where it knows more. */
async function stateOf(
  handle: WorkflowHandle,
  description: Description,
): Promise<{ state: WesState; steps: StepStatus[] }> {
  let stage: string | null = description.typedSearchAttributes.get(SearchAttribute.Stage) ?? null;
  let steps: StepStatus[] = [];
  const running = description.status.name === 'RUNNING';
  try {
    if (description.type === 'sampleWorkflow') {
      const status = await handle.query(sampleStatusQuery);
      steps = status.steps;
      if (running && preempted(steps)) stage = 'preempted';
    } else if (description.type === 'campaignWorkflow' && running) {
      stage = (await handle.query(campaignProgressQuery)).state;
    }
  } catch {
    // No worker to answer: the attribute stands.
  }
  return { state: wesState(description.status.name, stage), steps };
}

/** Temporal's execution statuses, counted as the WES states they map to. */
const COUNTED = [
  ['Running', 'RUNNING'],
  ['Completed', 'COMPLETE'],
  ['Failed', 'SYSTEM_ERROR'],
  ['TimedOut', 'SYSTEM_ERROR'],
  ['Canceled', 'CANCELED'],
  ['Terminated', 'CANCELED'],
] as const;

export class WesRuns {
  // Made on first use: a client is also made where no request ever lists runs.
  private codec: ReturnType<typeof pageTokenCodec> | null = null;

  constructor(private readonly ctx: WesContext) {}

  private pageTokens() {
    return (this.codec ??= pageTokenCodec(loadSalt(this.ctx.config.dataRoot)));
  }

  /** The run's handle and description; null when Temporal holds no such workflow. */
  private async describe(runId: string) {
    const handle = this.ctx.temporal.workflow.getHandle(runId);
    try {
      return { handle, description: await handle.describe() };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  async run(runId: string): Promise<WesRun | null> {
    const found = await this.describe(runId);
    if (found === null) return null;
    const { handle, description } = found;
    const { state, steps } = await stateOf(handle, description);
    const outputs: unknown =
      description.status.name === 'COMPLETED'
        ? await (handle.result() as Promise<unknown>).catch(() => null)
        : null;
    const attributes = description.typedSearchAttributes;
    return {
      state,
      type: description.type,
      status: description.status.name,
      startTime: description.startTime,
      closeTime: description.closeTime,
      pipelineVersion: attributes.get(SearchAttribute.PipelineVersion) ?? null,
      attributes: Object.fromEntries(
        attributes.getAll().map((pair) => [pair.key.name, String(pair.value)]),
      ),
      steps,
      outputs,
    };
  }

  async state(runId: string): Promise<WesState | null> {
    const found = await this.describe(runId);
    return found === null ? null : (await stateOf(found.handle, found.description)).state;
  }

  /**
   * Cancels a running run: a campaign by its update (its samples and jobs with it), any other by
   * cancelling its workflow. `cancelled: false` with the status of one that has ended; null: none.
   */
  async cancel(
    runId: string,
    requestedBy: string,
  ): Promise<{ cancelled: boolean; status: string } | null> {
    const found = await this.describe(runId);
    if (found === null) return null;
    const { handle, description } = found;
    const status = description.status.name;
    if (status !== 'RUNNING') return { cancelled: false, status };
    if (description.type === 'campaignWorkflow') {
      await this.ctx.controlCampaign(runId.replace(/^campaign:/, ''), 'cancel', requestedBy);
    } else {
      await handle.cancel();
    }
    return { cancelled: true, status };
  }

  /**
   * A page of runs, newest first. Only page tokens this client signed reach Temporal (which
   * spends 20 s on a bad one): null for any other.
   */
  async page(
    pageSize: number,
    pageToken: string | undefined,
  ): Promise<{ runs: { runId: string; state: WesState }[]; nextPageToken: string } | null> {
    const token = pageToken ? this.pageTokens().decode(pageToken) : null;
    if (pageToken && token === null) return null;
    const page = await this.ctx.temporal.workflowService.listWorkflowExecutions({
      namespace: this.ctx.config.temporal.namespace,
      pageSize,
      nextPageToken: token,
      query: '',
    });
    return {
      runs: (page.executions ?? []).map((info) => ({
        runId: info.execution?.workflowId ?? '',
        state: wesState(statusName(info.status), rawStage(info)),
      })),
      nextPageToken: page.nextPageToken?.length
        ? this.pageTokens().encode(Buffer.from(page.nextPageToken))
        : '',
    };
  }

  /** What service-info tells: Temporal's version, the pipeline versions and runs by WES state. */
  async serviceFacts(): Promise<{
    serverVersion: string | null;
    pipelineVersions: string[];
    counts: Partial<Record<WesState, number>>;
  }> {
    const info = await this.ctx.temporal.connection.workflowService.getSystemInfo({});
    const { pipelinesDir, dataRoot } = this.ctx.config;
    const pipelineVersions = await new PipelineRegistry(pipelinesDir, dataRoot).versions();
    const counts: Partial<Record<WesState, number>> = {};
    for (const [status, wes] of COUNTED) {
      const { count } = await this.ctx.temporal.workflow.count(`ExecutionStatus="${status}"`);
      counts[wes] = (counts[wes] ?? 0) + count;
    }
    return { serverVersion: info.serverVersion ?? null, pipelineVersions, counts };
  }
}
