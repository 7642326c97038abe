/**
 * How a campaign ends: a cancelled one cancels its running children first; then every outcome
 * is written, the report after them, and only then is the campaign marked ended.
 */
import {
  condition,
  allHandlersFinished,
  getExternalWorkflowHandle,
  log,
} from '@temporalio/workflow';
import type { CampaignState } from '../domain/campaign.ts';
import { sampleWorkflowId } from '../shared.ts';
import { campaignActivities } from './activities.ts';
import { currentProgress, flush, now, record, setState, type CampaignRun } from './campaign-run.ts';

export async function finishCampaign(run: CampaignRun): Promise<void> {
  const { carry } = run;
  if (carry.state === 'cancelling') await cancelRunning(run, run.request.pipelineVersion);
  await flush(run);
  run.endedAt = now();
  // The report is written first: whoever sees the campaign ended can read its report.
  const ended: CampaignState = carry.state === 'cancelling' ? 'cancelled' : 'completed';
  run.reportFile = await campaignActivities.writeCampaignReport({
    progress: { ...currentProgress(run), state: ended },
  });
  setState(run, ended);
  await condition(allHandlersFinished);
}

/** Cancels every running child (and so its jobs), and waits a while for them to say so. */
async function cancelRunning(run: CampaignRun, pipelineVersion: string): Promise<void> {
  const { carry } = run;
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
    record(run, {
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
