/**
 * Error identities that cross process and bundling boundaries. Temporal failures carry `type`
 * strings, never class names, so every failure type here is a stable string constant.
 */
export const FailureType = {
  /** A job's tool exited non-zero: the step fails with the tail of stderr. */
  JobFailed: 'JobFailed',
  /** The job went over its memory: retry with more memory. */
  JobOutOfMemory: 'JobOutOfMemory',
  /** The job went over its time limit: retry with more time. */
  JobTimeout: 'JobTimeout',
  /** Node failure, preemption, boot failure, or a job that vanished: retry unchanged. */
  JobInfrastructure: 'JobInfrastructure',
  /** The job was cancelled from outside harmonise. */
  JobCancelled: 'JobCancelled',
  /** A finished job did not leave the outputs its step promised. */
  JobOutputsMissing: 'JobOutputsMissing',
  /** The reference on disk is not the one the pipeline spec pins. */
  ReferenceMismatch: 'ReferenceMismatch',
  /** A pipeline spec, policy file or configuration is invalid or missing. */
  ConfigInvalid: 'ConfigInvalid',
  /** A step ran out of attempts or resources. */
  StepFailed: 'StepFailed',
  /** A frequency release found nothing to aggregate. */
  NoEligibleSamples: 'NoEligibleSamples',
  /** A campaign's selection or samples file cannot be used. */
  CampaignInvalid: 'CampaignInvalid',
  /** A consent withdrawal names a sample the catalogue does not hold. */
  SampleUnknown: 'SampleUnknown',
  /** A submitted file a job was to read is not the one intake checked (replaced or changed). */
  InputChangedAfterIntake: 'INPUT_CHANGED_AFTER_INTAKE',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
