/** createActivities(deps): every activity, with its adapters injected by the worker (or a test). */
import type { ActivityDeps } from './deps.ts';
import { createCampaignActivities } from './campaign.ts';
import { createConsentActivities } from './consent.ts';
import { createFrequencyActivities } from './frequency.ts';
import { createContributionActivities } from './frequency-contributions.ts';
import { createPartialActivities } from './frequency-partials.ts';
import { createIntakeActivities } from './intake.ts';
import { createJobActivities } from './jobs.ts';
import { createPlanningActivities } from './planning.ts';
import { createRegistrationActivities } from './registration.ts';
import { createRerunActivities } from './rerun.ts';
import { createStepReuseActivities } from './step-reuse.ts';
import { createSubmissionActivities } from './submissions.ts';

export type { ActivityDeps } from './deps.ts';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createIntakeActivities(deps),
    ...createPlanningActivities(deps),
    ...createJobActivities(deps),
    ...createRegistrationActivities(deps),
    ...createFrequencyActivities(deps),
    ...createContributionActivities(deps),
    ...createPartialActivities(deps),
    ...createRerunActivities(deps),
    ...createStepReuseActivities(deps),
    ...createCampaignActivities(deps),
    ...createSubmissionActivities(deps),
    ...createConsentActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
