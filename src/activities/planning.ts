/** Policy and planning: which mode and pipeline apply, and what harmonising a sample means. */
import { ApplicationFailure } from '@temporalio/common';
import type { Karyotype } from '../domain/karyotype.ts';
import type { PlanFile, PlanOutcome } from '../domain/plan.ts';
import { toNoopPlan } from '../domain/noop-plan.ts';
import { planSample } from '../domain/planner.ts';
import { modeForRegion, type HarmonisationMode } from '../domain/policy.ts';
import { FailureType, errorMessage } from '../errors.ts';
import { readPolicy } from '../store/policy.ts';
import { verifyReference } from '../store/pipelines.ts';
import type { ActivityDeps } from './deps.ts';
import fs from 'node:fs/promises';

export interface ResolvedPolicy {
  mode: HarmonisationMode;
  pipelineVersion: string;
}

export interface PlanSampleInput {
  sampleId: string;
  region: string;
  submissionId: string;
  readType: 'short' | 'long';
  karyotype?: Karyotype;
  mode: HarmonisationMode;
  pipelineVersion: string;
  files: PlanFile[];
}

export function createPlanningActivities(deps: ActivityDeps) {
  /** Configuration problems are not transient: fail without Temporal retrying them forever. */
  async function configured<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (error) {
      throw ApplicationFailure.nonRetryable(errorMessage(error), FailureType.ConfigInvalid);
    }
  }

  return {
    async resolvePolicy(input: { region: string }): Promise<ResolvedPolicy> {
      return configured(async () => {
        const policy = await readPolicy(deps.config.policyFile);
        const pipelineVersion = policy.pipelineVersion ?? (await deps.pipelines.newest());
        await deps.pipelines.load(pipelineVersion);
        return { mode: modeForRegion(policy, input.region), pipelineVersion };
      });
    },

    async planSampleWork(input: PlanSampleInput): Promise<PlanOutcome> {
      const pipeline = await configured(() => deps.pipelines.load(input.pipelineVersion));
      const noop = pipeline.spec.noop;
      // A benchmark pipeline's jobs never read the reference.
      if (!noop) {
        try {
          await verifyReference(pipeline);
        } catch (error) {
          throw ApplicationFailure.nonRetryable(errorMessage(error), FailureType.ReferenceMismatch);
        }
      }
      const outcome = planSample({
        ...input,
        pipeline: pipeline.spec,
        springAvailable: await isExecutable(deps.config.springBin),
      });
      if (!noop || !outcome.ok) return outcome;
      return { ok: true, plan: toNoopPlan(outcome.plan, noop.sleepSeconds) };
    },
  };
}

async function isExecutable(file: string | null): Promise<boolean> {
  if (file === null) return false;
  return fs.access(file, fs.constants.X_OK).then(
    () => true,
    () => false,
  );
}
