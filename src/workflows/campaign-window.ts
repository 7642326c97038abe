/**
 * The campaign's sliding window: when it may start samples, starting them as sampleWorkflow
 * children a page of the list at a time, and the slow clock that looks into a window that has
 * gone silent.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { admit } from '../domain/campaign-state.ts';
import { sampleWorkflowId } from '../shared.ts';
import { campaignActivities } from './activities.ts';
import { now, record, type CampaignRun } from './campaign-run.ts';
import { sampleWorkflow } from './sample.ts';
import { sampleStartAttributes } from './sample-status.ts';

/** How many ids one page read brings, and how many children one turn starts at most. */
const PAGE_SIZE = 500;
const START_BATCH = 100;

const total = (run: CampaignRun) => run.carry.resolution.total;

export function canStart(run: CampaignRun): boolean {
  const { carry } = run;
  return (
    carry.state === 'running' && carry.cursor < total(run) && carry.running < carry.maxConcurrent
  );
}

export function allDone(run: CampaignRun): boolean {
  return run.carry.cursor >= total(run) && run.carry.running === 0;
}

export function historyFull(run: CampaignRun): boolean {
  return workflowInfo().historyLength >= run.canAfter || workflowInfo().continueAsNewSuggested;
}

/** A slow clock: unwritten outcomes reach disk, and a silent window is looked into. */
export function startTicker(run: CampaignRun): void {
  const ticker = async () => {
    for (;;) {
      await sleep(Math.min(60_000, run.silenceMs));
      run.tick = true;
    }
  };
  ticker().catch(() => undefined);
}

/** Starts as many samples as the window has room for, at most a batch, reading the list as needed. */
export async function startSamples(run: CampaignRun): Promise<void> {
  const { carry } = run;
  const n = Math.min(carry.maxConcurrent - carry.running, total(run) - carry.cursor, START_BATCH);
  if (carry.cursor + n > run.pageStart + run.page.length) {
    run.page = await campaignActivities.readCampaignPage({
      listFile: carry.resolution.listFile,
      offset: carry.cursor,
      limit: Math.max(PAGE_SIZE, n),
    });
    run.pageStart = carry.cursor;
  }
  const ids = run.page.slice(carry.cursor - run.pageStart, carry.cursor - run.pageStart + n);
  if (ids.length < n) throw new Error(`campaign list ended early at ${carry.cursor + ids.length}`);
  admit(carry, ids);
  run.updatedAt = now();
  await Promise.all(ids.map((sampleId) => startSample(run, sampleId)));
}

async function startSample(run: CampaignRun, sampleId: string): Promise<void> {
  const { campaignId, request } = run;
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
            campaignWorkflowId: run.workflowId,
            ...(request.reuse ? { reuse: request.reuse } : {}),
          },
        },
      ],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    record(run, {
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
}

/** Records the samples whose workflows ended without a report. */
export async function checkSilence(run: CampaignRun): Promise<void> {
  const { carry, request } = run;
  run.lastNews = Date.now();
  const silent = await campaignActivities.findSilentSamples({
    pipelineVersion: request.pipelineVersion,
    samples: Object.keys(carry.inFlight).map((sampleId) => ({
      sampleId,
      workflowId: sampleWorkflowId(sampleId, request.pipelineVersion),
    })),
  });
  for (const outcome of silent) record(run, outcome);
}
