/**
 * The campaign's message handlers: the progress query, the samples' end reports, and the
 * operator's updates (pause, resume, cancel, set the window), each refused once the campaign
 * has ended.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { log, setHandler } from '@temporalio/workflow';
import {
  maxConcurrentProblem,
  type CampaignProgress,
  type SampleFinished,
} from '../domain/campaign.ts';
import {
  currentProgress,
  isOver,
  now,
  record,
  setState,
  type CampaignRun,
} from './campaign-run.ts';
import {
  campaignProgressQuery,
  cancelCampaignUpdate,
  pauseCampaignUpdate,
  resumeCampaignUpdate,
  sampleFinishedSignal,
  setConcurrencyUpdate,
  type CampaignControlRequest,
} from './messages.ts';

export function installCampaignHandlers(run: CampaignRun): void {
  const { carry } = run;
  setHandler(campaignProgressQuery, () => currentProgress(run));
  // A repeated or late report (the sample is not in the window) changes nothing.
  setHandler(sampleFinishedSignal, (finished: SampleFinished) => {
    record(run, { ...finished });
  });
  control(run, pauseCampaignUpdate, 'paused', () => {
    if (carry.state === 'running') setState(run, 'paused');
  });
  control(run, resumeCampaignUpdate, 'resumed', () => {
    if (carry.state === 'paused') setState(run, 'running');
  });
  control(run, cancelCampaignUpdate, 'cancelled', () => {
    if (carry.state !== 'cancelling') setState(run, 'cancelling');
  });
  setHandler(
    setConcurrencyUpdate,
    ({ requestedBy, maxConcurrent }) => {
      carry.maxConcurrent = maxConcurrent;
      run.updatedAt = now();
      log.info('campaign concurrency set', {
        campaignId: run.campaignId,
        requestedBy,
        maxConcurrent,
      });
      return currentProgress(run);
    },
    {
      validator: ({ maxConcurrent }) => {
        rejectWhenOver(isOver(run), 'changed');
        const problem = maxConcurrentProblem(maxConcurrent);
        if (problem !== null) throw new Error(problem);
      },
    },
  );
}

/** An update that changes the campaign's state (`apply`) and answers with its progress. */
function control(
  run: CampaignRun,
  update: UpdateDefinition<CampaignProgress, [CampaignControlRequest]>,
  done: string,
  apply: () => void,
): void {
  setHandler(
    update,
    ({ requestedBy }) => {
      apply();
      log.info(`campaign ${done}`, { campaignId: run.campaignId, requestedBy });
      return currentProgress(run);
    },
    { validator: (_request: CampaignControlRequest) => rejectWhenOver(isOver(run), done) },
  );
}

function rejectWhenOver(over: boolean, action: string): void {
  if (over) throw new Error(`the campaign has ended and cannot be ${action}`);
}
