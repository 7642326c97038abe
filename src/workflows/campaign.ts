/**
 * campaignWorkflow (`campaign:<campaignId>`): reruns a selection of the catalogue with a pipeline
 * version. The selection is resolved into a list on disk; samples are started as sampleWorkflow
 * children in a sliding window of at most `maxConcurrent`; each child reports its end by signal,
 * so children started by an earlier run are still counted after continue-as-new. Only cursors,
 * counters and the window's ids cross runs; outcomes go to disk in batches.
 *
 * This file is the main loop; the run's state is in campaign-run.ts, its message handlers in
 * campaign-control.ts, the window in campaign-window.ts and its end in campaign-finish.ts.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CampaignProgress } from '../domain/campaign.ts';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
import { SearchAttribute } from '../shared.ts';
import { campaignActivities } from './activities.ts';
import { installCampaignHandlers } from './campaign-control.ts';
import { finishCampaign } from './campaign-finish.ts';
import {
  currentProgress,
  flush,
  newCampaignRun,
  setState,
  type CampaignWorkflowInput,
} from './campaign-run.ts';
import {
  allDone,
  canStart,
  checkSilence,
  historyFull,
  startSamples,
  startTicker,
} from './campaign-window.ts';

export type { CampaignWorkflowInput } from './campaign-run.ts';

/** Outcomes are written to disk in batches of this size (and always before continue-as-new). */
const FLUSH_EVERY = 200;
/** At most this many unwritten outcomes are handed to the next run. */
const CARRY_AT_MOST = 50;

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignProgress> {
  const { campaignId, request } = input;
  const invalid = firstIdProblem({ campaignId, pipelineVersion: request.pipelineVersion });
  if (invalid !== null) throw ApplicationFailure.nonRetryable(invalid.problem, INVALID_ID);
  const run = newCampaignRun(input);
  const { carry } = run;
  installCampaignHandlers(run);

  upsertSearchAttributes([
    { key: SearchAttribute.CampaignId, value: campaignId },
    { key: SearchAttribute.PipelineVersion, value: request.pipelineVersion },
    { key: SearchAttribute.Stage, value: carry.state },
  ]);

  if (carry.state === 'resolving') {
    carry.resolution = await campaignActivities.resolveCampaign({ campaignId, request });
    setState(run, 'running');
  }

  try {
    startTicker(run);
    for (;;) {
      await condition(
        () =>
          run.tick ||
          carry.state === 'cancelling' ||
          carry.pendingOutcomes.length >= FLUSH_EVERY ||
          allDone(run) ||
          historyFull(run) ||
          canStart(run),
      );
      if (run.tick) {
        run.tick = false;
        await flush(run);
        if (carry.running > 0 && Date.now() - run.lastNews >= run.silenceMs)
          await checkSilence(run);
      }
      if (carry.pendingOutcomes.length >= FLUSH_EVERY) await flush(run);
      if (carry.state === 'cancelling' || allDone(run)) break;
      if (historyFull(run)) {
        // Write what is known; a handful that arrive meanwhile travel with the next run.
        do await flush(run);
        while (carry.pendingOutcomes.length > CARRY_AT_MOST);
        await condition(allHandlersFinished);
        return continueAsNew<typeof campaignWorkflow>({
          ...input,
          carried: carry,
        });
      }
      if (canStart(run)) await startSamples(run);
    }
  } catch (error) {
    // Cancelled through Temporal itself: the children are cancelled too, and the report written.
    if (!isCancellation(error)) throw error;
    await CancellationScope.nonCancellable(async () => {
      setState(run, 'cancelling');
      await finishCampaign(run);
    });
    throw error;
  }
  await finishCampaign(run);
  return currentProgress(run);
}
