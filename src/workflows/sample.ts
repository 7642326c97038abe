/**
 * sampleWorkflow (`sample:<sampleId>:<pipelineVersion>`): plans one sample, runs its steps one
 * job each, registers the outputs with their provenance in the catalogue, and derives the
 * sample's contribution to the frequency database. Started by a
 * submission (with the files its intake checked) or by a campaign (a rerun: the files are found
 * and checked again first); a campaign's child reports its end to the campaign by signal.
 *
 * Its inputs are in sample-input.ts, its status and report in sample-status.ts, the checks
 * before the work in sample-prepare.ts and the work itself in sample-harmonise.ts.
 */
import {
  ApplicationFailure,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { INVALID_ID, firstIdProblem } from '../domain/id-rules.ts';
import { SearchAttribute } from '../shared.ts';
import { sampleStatusQuery } from './messages.ts';
import { harmonise } from './sample-harmonise.ts';
import type { SampleWorkflowInput, SampleWorkflowResult } from './sample-input.ts';
import { inspectIntakeWork, prepareRerunWork } from './sample-prepare.ts';
import { newSampleRun, reportEnd, setStage, type SampleRun } from './sample-status.ts';

export type {
  IntakeSampleInput,
  RerunSampleInput,
  SampleWorkflowInput,
  SampleWorkflowResult,
  SubmittedSampleInput,
} from './sample-input.ts';
export { indexedStage, sampleStartAttributes } from './sample-status.ts';

export async function sampleWorkflow(input: SampleWorkflowInput): Promise<SampleWorkflowResult> {
  const rerun = 'rerun' in input ? input.rerun : null;
  const intake = 'intake' in input ? input.intake : null;
  const submitted = 'rerun' in input || 'intake' in input ? null : input;
  const { sampleId, pipelineVersion } = rerun ?? intake ?? submitted!;
  const invalid = firstIdProblem({ sampleId, pipelineVersion });
  if (invalid !== null) throw ApplicationFailure.nonRetryable(invalid.problem, INVALID_ID);
  const run = newSampleRun({ sampleId, pipelineVersion, rerun, intake, submitted });
  const { status } = run;
  setHandler(sampleStatusQuery, () => status);

  try {
    const prepared = rerun
      ? await prepareRerunWork(run, rerun)
      : intake
        ? await inspectIntakeWork(run, intake)
        : { work: submitted! };
    if ('rejected' in prepared) return prepared.rejected;
    const { work } = prepared;
    status.region = work.region;
    status.mode = work.mode;
    if (rerun) {
      // Planning is local and immediate: index the stage that follows it right away.
      run.indexed = 'running';
      upsertSearchAttributes([
        { key: SearchAttribute.Region, value: work.region },
        { key: SearchAttribute.HarmonisationMode, value: work.mode },
        { key: SearchAttribute.Stage, value: run.indexed },
      ]);
    }
    const result = await harmonise(work, status, (stage) => setStage(run, stage));
    await reportEnd(run, {
      status: result.status,
      errors: result.errors,
      ...(result.status === 'done' && result.steps ? { steps: result.steps } : {}),
    });
    return result;
  } catch (error) {
    await recordFailure(run, error);
    throw error;
  }
}

/** A sample that failed or was cancelled: its status says why, and its campaign is told. */
async function recordFailure(run: SampleRun, error: unknown): Promise<void> {
  const cancelled = isCancellation(error);
  setStage(run, cancelled ? 'cancelled' : 'failed');
  run.status.errors = [
    {
      code: cancelled
        ? 'SAMPLE_CANCELLED'
        : error instanceof ApplicationFailure && error.type
          ? error.type
          : 'SAMPLE_FAILED',
      path: `sample ${run.sampleId}`,
      message: error instanceof Error ? error.message : String(error),
    },
  ];
  await reportEnd(run, { status: cancelled ? 'cancelled' : 'failed', errors: run.status.errors });
}
