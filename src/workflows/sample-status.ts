/**
 * What a sample workflow shows of itself: the status its query answers, the coarse Stage search
 * attribute (and the attributes its starter sets), and, for a campaign's sample, the report of
 * its end to the campaign.
 */
import {
  CancellationScope,
  getExternalWorkflowHandle,
  log,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SampleFinished } from '../domain/campaign.ts';
import type { HarmonisationMode } from '../domain/policy.ts';
import type { SampleStage, SampleWorkflowStatus } from '../domain/status.ts';
import { SearchAttribute } from '../shared.ts';
import { sampleFinishedSignal } from './messages.ts';
import type { IntakeSampleInput, RerunSampleInput, SubmittedSampleInput } from './sample-input.ts';

export interface SampleRun {
  readonly sampleId: string;
  readonly pipelineVersion: string;
  /** A campaign's sample: where its end is reported. */
  readonly rerun: RerunSampleInput['rerun'] | null;
  readonly status: SampleWorkflowStatus;
  /** The Stage search attribute as last set. */
  indexed: SampleStage;
}

export function newSampleRun(start: {
  sampleId: string;
  pipelineVersion: string;
  rerun: RerunSampleInput['rerun'] | null;
  intake: IntakeSampleInput['intake'] | null;
  submitted: SubmittedSampleInput | null;
}): SampleRun {
  const { sampleId, pipelineVersion, rerun, intake, submitted } = start;
  const status: SampleWorkflowStatus = {
    sampleId,
    region: submitted?.region ?? intake?.region ?? null,
    pipelineVersion,
    mode: submitted?.mode ?? intake?.mode ?? null,
    campaignId: rerun?.campaignId ?? submitted?.campaignId ?? null,
    stage: submitted ? 'planning' : 'preparing',
    steps: [],
    errors: [],
    verdict: null,
  };
  return { sampleId, pipelineVersion, rerun, status, indexed: status.stage };
}

/**
 * The starter sets the first search attributes (sampleStartAttributes). The Stage attribute is
 * coarse (indexedStage), since every change is a history event and a visibility write; the
 * status query shows the exact stage and every step attempt.
 */
export function setStage(run: SampleRun, stage: SampleStage): void {
  run.status.stage = stage;
  const coarse = indexedStage(stage);
  // Planning takes no time of its own: it is never worth a history event.
  if (coarse === run.indexed || coarse === 'planning') return;
  run.indexed = coarse;
  upsertSearchAttributes([{ key: SearchAttribute.Stage, value: coarse }]);
}

/** Tells a campaign's sample's campaign how it ended; a sample of a submission tells no one. */
export async function reportEnd(
  run: SampleRun,
  finished: Omit<SampleFinished, 'sampleId' | 'workflowId'>,
): Promise<void> {
  const { rerun } = run;
  if (!rerun) return;
  const message = { sampleId: run.sampleId, workflowId: workflowInfo().workflowId, ...finished };
  // Reported even while the sample is being cancelled; a campaign that has ended is told nothing.
  await CancellationScope.nonCancellable(async () => {
    try {
      await getExternalWorkflowHandle(rerun.campaignWorkflowId).signal(
        sampleFinishedSignal,
        message,
      );
    } catch (error) {
      log.warn('campaign not told of the sample end', { error: String(error) });
    }
  });
}

/** The search attributes (src/shared.ts) a sample workflow starts with, set by its starter. */
export function sampleStartAttributes(
  start:
    | { pipelineVersion: string; campaignId: string }
    | {
        pipelineVersion: string;
        region: string;
        mode: HarmonisationMode;
        stage?: 'planning' | 'preparing';
      },
) {
  if ('campaignId' in start) {
    return [
      { key: SearchAttribute.CampaignId, value: start.campaignId },
      { key: SearchAttribute.PipelineVersion, value: start.pipelineVersion },
      { key: SearchAttribute.Stage, value: 'preparing' },
    ];
  }
  return [
    { key: SearchAttribute.Region, value: start.region },
    { key: SearchAttribute.PipelineVersion, value: start.pipelineVersion },
    { key: SearchAttribute.HarmonisationMode, value: start.mode },
    { key: SearchAttribute.Stage, value: start.stage ?? 'planning' },
  ];
}

/** The Stage search attribute of a sample workflow: preparing, planning, running, or its end. */
export function indexedStage(stage: SampleStage): SampleStage {
  if (stage === 'preparing' || stage === 'planning') return stage;
  if (stage === 'done' || stage === 'failed' || stage === 'rejected' || stage === 'cancelled')
    return stage;
  return 'running';
}
