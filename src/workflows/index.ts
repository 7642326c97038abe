/** Every workflow the worker registers (the bundle's entry point). */
export { campaignWorkflow } from './campaign.ts';
export { consentWorkflow } from './consent.ts';
export { frequencyReleaseWorkflow } from './frequency-release.ts';
export { sampleWorkflow } from './sample.ts';
export { submissionWorkflow } from './submission.ts';
export { jobProbeWorkflow } from './job-probe.ts';
