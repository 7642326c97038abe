/**
 * What a sample workflow is started with (by a submission, with its intake line or its checked
 * files, or by a campaign, as a rerun) and what it returns.
 */
import type { IntakeFile } from '../activities/intake.ts';
import type { InputIssue } from '../domain/issues.ts';
import type { IntakeRef } from '../domain/intake-list.ts';
import type { SampleWork } from '../domain/plan.ts';
import type { HarmonisationMode } from '../domain/policy.ts';
import type { SampleVersion } from '../domain/sample-record.ts';
import type { ReuseChoice, StepTally } from '../domain/step-reuse.ts';

/** A sample whose files were inspected before its workflow started (and a rerun's prepared work). */
export interface SubmittedSampleInput extends SampleWork {
  files: IntakeFile[];
  campaignId?: string;
  /** A rerun's choice: take steps from earlier versions (`steps`) or run them all. Absent: none. */
  reuse?: ReuseChoice;
}

/** A submission's sample: its workflow inspects its files first, from its line of the intake list. */
export interface IntakeSampleInput {
  intake: {
    sampleId: string;
    region: string;
    submissionId: string;
    mode: HarmonisationMode;
    pipelineVersion: string;
    ref: IntakeRef;
  };
}

export interface RerunSampleInput {
  rerun: {
    sampleId: string;
    pipelineVersion: string;
    /** The campaign's override of the region's policy mode; null: the policy decides. */
    mode: HarmonisationMode | null;
    campaignId: string;
    /** Where to report the end. */
    campaignWorkflowId: string;
    /** Absent in campaigns started before steps could be reused: none. */
    reuse?: ReuseChoice;
  };
}

export type SampleWorkflowInput = SubmittedSampleInput | IntakeSampleInput | RerunSampleInput;

export type SampleWorkflowResult =
  | { sampleId: string; status: 'done'; version: SampleVersion; errors: []; steps?: StepTally }
  | { sampleId: string; status: 'rejected'; errors: InputIssue[] };
