/**
 * The work of a sample whose files are not checked yet: a campaign's rerun (its files found in
 * the catalogue and checked again) or a submission's intake line (its files inspected). Either
 * gives the sample's work, or its rejection with the reasons.
 */
import { fileActivities, intakeActivities } from './activities.ts';
import type {
  IntakeSampleInput,
  RerunSampleInput,
  SampleWorkflowResult,
  SubmittedSampleInput,
} from './sample-input.ts';
import { reportEnd, setStage, type SampleRun } from './sample-status.ts';

export type Prepared = { work: SubmittedSampleInput } | { rejected: SampleWorkflowResult };

/** A rerun's work; one that cannot run (or need not: it is done) is reported to the campaign. */
export async function prepareRerunWork(
  run: SampleRun,
  rerun: RerunSampleInput['rerun'],
): Promise<Prepared> {
  const { sampleId, pipelineVersion, status } = run;
  const prepared = await fileActivities.prepareRerun({
    sampleId,
    pipelineVersion,
    mode: rerun.mode,
  });
  if (!prepared.ok) {
    status.errors = prepared.issues;
    setStage(run, 'rejected');
    await reportEnd(run, {
      status: prepared.skip ? 'skipped' : 'rejected',
      errors: prepared.issues,
    });
    return { rejected: { sampleId, status: 'rejected', errors: prepared.issues } };
  }
  return {
    work: {
      ...prepared.work,
      campaignId: rerun.campaignId,
      ...(rerun.reuse ? { reuse: rerun.reuse } : {}),
    },
  };
}

/** An intake line's work, once its files are inspected. */
export async function inspectIntakeWork(
  run: SampleRun,
  intake: IntakeSampleInput['intake'],
): Promise<Prepared> {
  const { sampleId, pipelineVersion, status } = run;
  const checked = await intakeActivities.inspectSample({
    region: intake.region,
    submissionId: intake.submissionId,
    sampleId,
    intake: intake.ref,
    pipelineVersion,
  });
  if (checked.issues.length > 0) {
    status.errors = checked.issues;
    setStage(run, 'rejected');
    return { rejected: { sampleId, status: 'rejected', errors: checked.issues } };
  }
  return {
    work: {
      sampleId,
      region: intake.region,
      submissionId: intake.submissionId,
      readType: checked.readType,
      ...(checked.karyotype ? { karyotype: checked.karyotype } : {}),
      consent: checked.consent,
      mode: intake.mode,
      pipelineVersion,
      files: checked.files,
    },
  };
}
