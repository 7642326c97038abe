/**
 * campaignWorkflow (`campaign:<campaignId>`): reruns a selection of the catalogue with a pipeline
 * version. The selection is resolved into a list on disk; samples are started as sampleWorkflow
 * children in a sliding window of at most `maxConcurrent`; each child reports its end by signal,
 * so children started by an earlier run are still counted after continue-as-new. Only cursors,
 * counters and the window's ids cross runs; outcomes go to disk in batches.
 */
import { WorkflowExecutionAlreadyStartedError, type UpdateDefinition } from '@temporalio/common';
import {
  ApplicationFailure,
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
  admit,
  newCarry,
  progressOf,
  recordOutcome,
  type CampaignCarry,
} from '../domain/campaign-state.ts';
import {
  maxConcurrentProblem,
  type CampaignProgress,
  type CampaignRequest,
  type CampaignSampleOutcome,
  type CampaignState,
  type SampleFinished,
} from '../domain/campaign.ts';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
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
  const invalid = firstIdProblem({ campaignId, pipelineVersion: request.pipelineVersion });
  if (invalid !== null) throw ApplicationFailure.nonRetryable(invalid.problem, INVALID_ID);
  const workflowId = workflowInfo().workflowId;
  const canAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  const carry: CampaignCarry = input.carried ?? newCarry(request.maxConcurrent, now());
  carry.run += 1;
  let endedAt: string | null = null;
  let reportFile: string | null = null;
  let updatedAt = now();
  const silenceMs = (input.checkSilenceAfterSeconds ?? DEFAULT_SILENCE_SECONDS) * 1000;
  let lastNews = Date.now();
  let tick = false;

  const progress = (): CampaignProgress =>
    progressOf(carry, { campaignId, workflowId, request, updatedAt, endedAt, reportFile });
  const setState = (state: CampaignState) => {
    carry.state = state;
    updatedAt = now();
    upsertSearchAttributes([{ key: SearchAttribute.Stage, value: state }]);
  };
  const record = (outcome: Omit<CampaignSampleOutcome, 'at'>) => {
    if (!recordOutcome(carry, outcome, Date.now())) return;
    lastNews = Date.now();
    updatedAt = now();
  };
  const isOver = () => carry.state === 'completed' || carry.state === 'cancelled';

  setHandler(campaignProgressQuery, progress);
  // A repeated or late report (the sample is not in the window) changes nothing.
  setHandler(sampleFinishedSignal, (finished: SampleFinished) => {
    record({ ...finished });
  });
  const control = (
    update: UpdateDefinition<CampaignProgress, [CampaignControlRequest]>,
    done: string,
    apply: () => void,
  ) =>
    setHandler(
      update,
      ({ requestedBy }) => {
        apply();
        log.info(`campaign ${done}`, { campaignId, requestedBy });
        return progress();
      },
      { validator: (_request: CampaignControlRequest) => rejectWhenOver(isOver(), done) },
    );
  control(pauseCampaignUpdate, 'paused', () => {
    if (carry.state === 'running') setState('paused');
  });
  control(resumeCampaignUpdate, 'resumed', () => {
    if (carry.state === 'paused') setState('running');
  });
  control(cancelCampaignUpdate, 'cancelled', () => {
    if (carry.state !== 'cancelling') setState('cancelling');
  });
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
    if (carry.pendingOutcomes.length === 0) return;
    const outcomes = carry.pendingOutcomes;
    carry.pendingOutcomes = [];
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
    carry.state === 'running' && carry.cursor < total() && carry.running < carry.maxConcurrent;
  const allDone = () => carry.cursor >= total() && carry.running === 0;
  const historyFull = () =>
    workflowInfo().historyLength >= canAfter || workflowInfo().continueAsNewSuggested;

  const startSamples = async () => {
    const n = Math.min(carry.maxConcurrent - carry.running, total() - carry.cursor, START_BATCH);
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
    admit(carry, ids);
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
          carry.pendingOutcomes.length >= FLUSH_EVERY ||
          allDone() ||
          historyFull() ||
          canStart(),
      );
      if (tick) {
        tick = false;
        await flush();
        if (carry.running > 0 && Date.now() - lastNews >= silenceMs) await checkSilence();
      }
      if (carry.pendingOutcomes.length >= FLUSH_EVERY) await flush();
      if (carry.state === 'cancelling' || allDone()) break;
      if (historyFull()) {
        // Write what is known; a handful that arrive meanwhile travel with the next run.
        do await flush();
        while (carry.pendingOutcomes.length > CARRY_AT_MOST);
        await condition(allHandlersFinished);
        return continueAsNew<typeof campaignWorkflow>({
          ...input,
          carried: carry,
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
    // The report is written first: whoever sees the campaign ended can read its report.
    const ended: CampaignState = carry.state === 'cancelling' ? 'cancelled' : 'completed';
    reportFile = await campaignActivities.writeCampaignReport({
      progress: { ...progress(), state: ended },
    });
    setState(ended);
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
    await condition(() => carry.running === 0, '5 minutes');
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
