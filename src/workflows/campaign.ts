/**
 * campaignWorkflow (`campaign:<campaignId>`): reruns a selection of the catalogue with a pipeline
 * version. The selection is resolved into a list on disk; samples are started as sampleWorkflow
 * children in a sliding window of at most `maxConcurrent`; each child reports its end by signal,
 * so children started by an earlier run are still counted after continue-as-new. Only cursors,
 * counters and the window's ids cross runs; outcomes go to disk in batches.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CancellationScope,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  RATE_WINDOW,
  etaSeconds,
  finishRate,
  maxConcurrentProblem,
  type CampaignCounts,
  type CampaignProgress,
  type CampaignRequest,
  type CampaignResolution,
  type CampaignSampleOutcome,
  type CampaignState,
  type SampleFinished,
} from '../domain/campaign.ts';
import { SearchAttribute, sampleWorkflowId } from '../shared.ts';
import { campaignActivities } from './activities.ts';
import {
  campaignProgressQuery,
  cancelCampaignUpdate,
  pauseCampaignUpdate,
  resumeCampaignUpdate,
  sampleFinishedSignal,
  setConcurrencyUpdate,
  type CampaignControlRequest,
} from './messages.ts';
import { sampleStartAttributes, sampleWorkflow } from './sample.ts';

/** Plain JSON (STYLE §3): what one run hands to the next. */
export interface CampaignCarry {
  resolution: CampaignResolution;
  /** Index in the list of the next sample to start. */
  cursor: number;
  /** Samples started and not yet reported, as a set. */
  inFlight: Record<string, true>;
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
}

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
/** How many ids one page read brings, and how many children one turn starts at most. */
const PAGE_SIZE = 500;
const START_BATCH = 100;
/** Outcomes are written to disk in batches of this size (and always before continue-as-new). */
const FLUSH_EVERY = 200;
/** At most this many unwritten outcomes are handed to the next run. */
const CARRY_AT_MOST = 50;

function now(): string {
  return new Date(Date.now()).toISOString();
}

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignProgress> {
  const { campaignId, request } = input;
  const workflowId = workflowInfo().workflowId;
  const canAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  const carry: CampaignCarry = input.carried ?? {
    resolution: { total: 0, alreadyDone: 0, unknown: [], listFile: '' },
    cursor: 0,
    inFlight: {},
    counts: { done: 0, failed: 0, rejected: 0, skipped: 0, cancelled: 0 },
    maxConcurrent: request.maxConcurrent,
    state: 'resolving',
    outcomeSeq: 0,
    finishTimes: [],
    run: 0,
    startedAt: now(),
    pendingOutcomes: [],
  };
  carry.run += 1;
  let pendingOutcomes: CampaignSampleOutcome[] = carry.pendingOutcomes;
  carry.pendingOutcomes = [];
  let endedAt: string | null = null;
  let reportFile: string | null = null;
  let updatedAt = now();
  let inFlightCount = Object.keys(carry.inFlight).length;
  const silenceMs = (input.checkSilenceAfterSeconds ?? DEFAULT_SILENCE_SECONDS) * 1000;
  let lastNews = Date.now();
  let tick = false;

  const progress = (): CampaignProgress => {
    const counts: CampaignCounts = {
      total: carry.resolution.total,
      pending: carry.resolution.total - carry.cursor,
      running: inFlightCount,
      ...carry.counts,
    };
    const rate = finishRate(carry.finishTimes);
    return {
      campaignId,
      workflowId,
      name: request.name,
      pipelineVersion: request.pipelineVersion,
      selection: request.selection,
      state: carry.state,
      maxConcurrent: carry.maxConcurrent,
      counts,
      alreadyDone: carry.resolution.alreadyDone,
      samplesPerSecond: rate,
      etaSeconds: carry.state === 'paused' ? null : etaSeconds(counts, rate),
      run: carry.run,
      startedAt: carry.startedAt,
      updatedAt,
      endedAt,
      reportFile,
    };
  };
  const setState = (state: CampaignState) => {
    carry.state = state;
    updatedAt = now();
    upsertSearchAttributes([{ key: SearchAttribute.Stage, value: state }]);
  };
  const record = (outcome: Omit<CampaignSampleOutcome, 'at'>) => {
    const { sampleId, status } = outcome;
    if (!carry.inFlight[sampleId]) return false;
    delete carry.inFlight[sampleId];
    inFlightCount -= 1;
    carry.counts[status] += 1;
    // Error messages (a job's stderr tail) are cut short: outcomes cross continue-as-new.
    const errors = outcome.errors.map((e) => ({ ...e, message: e.message.slice(0, 2000) }));
    pendingOutcomes.push({ ...outcome, errors, at: now() });
    carry.finishTimes.push(Date.now());
    lastNews = Date.now();
    if (carry.finishTimes.length > RATE_WINDOW) carry.finishTimes.shift();
    updatedAt = now();
    return true;
  };
  const isOver = () => carry.state === 'completed' || carry.state === 'cancelled';

  setHandler(campaignProgressQuery, progress);
  // A repeated or late report (the sample is not in the window) changes nothing.
  setHandler(sampleFinishedSignal, (finished: SampleFinished) => {
    record({ ...finished });
  });
  const log_ = (action: string, requestedBy: string) =>
    log.info(`campaign ${action}`, { campaignId, requestedBy });
  setHandler(
    pauseCampaignUpdate,
    ({ requestedBy }) => {
      if (carry.state === 'running') setState('paused');
      log_('paused', requestedBy);
      return progress();
    },
    { validator: (_request: CampaignControlRequest) => rejectWhenOver(isOver(), 'paused') },
  );
  setHandler(
    resumeCampaignUpdate,
    ({ requestedBy }) => {
      if (carry.state === 'paused') setState('running');
      log_('resumed', requestedBy);
      return progress();
    },
    { validator: (_request: CampaignControlRequest) => rejectWhenOver(isOver(), 'resumed') },
  );
  setHandler(
    cancelCampaignUpdate,
    ({ requestedBy }) => {
      if (carry.state !== 'cancelling') setState('cancelling');
      log_('cancelling', requestedBy);
      return progress();
    },
    { validator: (_request: CampaignControlRequest) => rejectWhenOver(isOver(), 'cancelled') },
  );
  setHandler(
    setConcurrencyUpdate,
    ({ requestedBy, maxConcurrent }) => {
      carry.maxConcurrent = maxConcurrent;
      updatedAt = now();
      log.info('campaign concurrency set', { campaignId, requestedBy, maxConcurrent });
      return progress();
    },
    {
      validator: ({ maxConcurrent }) => {
        rejectWhenOver(isOver(), 'changed');
        const problem = maxConcurrentProblem(maxConcurrent);
        if (problem !== null) throw new Error(problem);
      },
    },
  );

  upsertSearchAttributes([
    { key: SearchAttribute.CampaignId, value: campaignId },
    { key: SearchAttribute.PipelineVersion, value: request.pipelineVersion },
    { key: SearchAttribute.Stage, value: carry.state },
  ]);

  if (carry.state === 'resolving') {
    carry.resolution = await campaignActivities.resolveCampaign({ campaignId, request });
    setState('running');
  }

  const flush = async () => {
    if (pendingOutcomes.length === 0) return;
    const outcomes = pendingOutcomes;
    pendingOutcomes = [];
    await campaignActivities.recordCampaignOutcomes({
      campaignId,
      seq: carry.outcomeSeq,
      outcomes,
    });
    carry.outcomeSeq += 1;
  };

  let page: string[] = [];
  let pageStart = carry.cursor;
  const total = () => carry.resolution.total;
  const canStart = () =>
    carry.state === 'running' && carry.cursor < total() && inFlightCount < carry.maxConcurrent;
  const allDone = () => carry.cursor >= total() && inFlightCount === 0;
  const historyFull = () =>
    workflowInfo().historyLength >= canAfter || workflowInfo().continueAsNewSuggested;

  const startSamples = async () => {
    const n = Math.min(carry.maxConcurrent - inFlightCount, total() - carry.cursor, START_BATCH);
    if (carry.cursor + n > pageStart + page.length) {
      page = await campaignActivities.readCampaignPage({
        listFile: carry.resolution.listFile,
        offset: carry.cursor,
        limit: Math.max(PAGE_SIZE, n),
      });
      pageStart = carry.cursor;
    }
    const ids = page.slice(carry.cursor - pageStart, carry.cursor - pageStart + n);
    if (ids.length < n)
      throw new Error(`campaign list ended early at ${carry.cursor + ids.length}`);
    carry.cursor += ids.length;
    for (const id of ids) carry.inFlight[id] = true;
    inFlightCount += ids.length;
    updatedAt = now();
    await Promise.all(ids.map((sampleId) => startSample(sampleId)));
  };

  const startSample = async (sampleId: string) => {
    const childId = sampleWorkflowId(sampleId, request.pipelineVersion);
    try {
      await startChild(sampleWorkflow, {
        workflowId: childId,
        // Children outlive this run (continue-as-new) and report by signal.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // A sample rejected or failed before may run again; one done is skipped by prepareRerun,
        // and one running elsewhere refuses the start.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: sampleStartAttributes({
          campaignId,
          pipelineVersion: request.pipelineVersion,
        }),
        args: [
          {
            rerun: {
              sampleId,
              pipelineVersion: request.pipelineVersion,
              mode: request.mode ?? null,
              campaignId,
              campaignWorkflowId: workflowId,
            },
          },
        ],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      record({
        sampleId,
        workflowId: childId,
        status: 'skipped',
        errors: [
          {
            code: 'SAMPLE_IN_PROGRESS',
            path: `sample ${sampleId}`,
            message: `${childId} is already running for another request`,
          },
        ],
      });
    }
  };

  try {
    // A slow clock: unwritten outcomes reach disk, and a silent window is looked into.
    const ticker = async () => {
      for (;;) {
        await sleep(Math.min(60_000, silenceMs));
        tick = true;
      }
    };
    ticker().catch(() => undefined);
    for (;;) {
      await condition(
        () =>
          tick ||
          carry.state === 'cancelling' ||
          pendingOutcomes.length >= FLUSH_EVERY ||
          allDone() ||
          historyFull() ||
          canStart(),
      );
      if (tick) {
        tick = false;
        await flush();
        if (inFlightCount > 0 && Date.now() - lastNews >= silenceMs) await checkSilence();
      }
      if (pendingOutcomes.length >= FLUSH_EVERY) await flush();
      if (carry.state === 'cancelling' || allDone()) break;
      if (historyFull()) {
        // Write what is known; a handful that arrive meanwhile travel with the next run.
        do await flush();
        while (pendingOutcomes.length > CARRY_AT_MOST);
        await condition(allHandlersFinished);
        return continueAsNew<typeof campaignWorkflow>({
          ...input,
          carried: { ...carry, pendingOutcomes },
        });
      }
      if (canStart()) await startSamples();
    }
  } catch (error) {
    // Cancelled through Temporal itself: the children are cancelled too, and the report written.
    if (!isCancellation(error)) throw error;
    await CancellationScope.nonCancellable(async () => {
      setState('cancelling');
      await finish();
    });
    throw error;
  }
  await finish();
  return progress();

  async function finish() {
    if (carry.state === 'cancelling') await cancelRunning(request.pipelineVersion);
    await flush();
    endedAt = now();
    setState(carry.state === 'cancelling' ? 'cancelled' : 'completed');
    reportFile = await campaignActivities.writeCampaignReport({ progress: progress() });
    await condition(allHandlersFinished);
  }

  /** Records the samples whose workflows ended without a report. */
  async function checkSilence() {
    lastNews = Date.now();
    const silent = await campaignActivities.findSilentSamples({
      pipelineVersion: request.pipelineVersion,
      samples: Object.keys(carry.inFlight).map((sampleId) => ({
        sampleId,
        workflowId: sampleWorkflowId(sampleId, request.pipelineVersion),
      })),
    });
    for (const outcome of silent) record(outcome);
  }

  /** Cancels every running child (and so its jobs), and waits a while for them to say so. */
  async function cancelRunning(pipelineVersion: string) {
    const running = Object.keys(carry.inFlight);
    await Promise.all(
      running.map((sampleId) =>
        getExternalWorkflowHandle(sampleWorkflowId(sampleId, pipelineVersion))
          .cancel()
          .catch((error: unknown) =>
            log.warn('sample not cancelled', { sampleId, error: String(error) }),
          ),
      ),
    );
    await condition(() => inFlightCount === 0, '5 minutes');
    for (const sampleId of Object.keys(carry.inFlight)) {
      record({
        sampleId,
        workflowId: sampleWorkflowId(sampleId, pipelineVersion),
        status: 'cancelled',
        errors: [
          {
            code: 'SAMPLE_CANCELLED',
            path: `sample ${sampleId}`,
            message: 'cancelled with its campaign; it did not confirm within 5 minutes',
          },
        ],
      });
    }
  }
}

function rejectWhenOver(over: boolean, action: string): void {
  if (over) throw new Error(`the campaign has ended and cannot be ${action}`);
}
