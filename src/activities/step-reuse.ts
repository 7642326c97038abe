/**
 * Step reuse (domain/step-reuse.ts decides): the earlier versions of a sample whose steps have
 * fingerprints, the decision for a new plan given the tool versions the cluster reports now, and
 * taking a reused step's outputs into the new version: hard links (copies across file systems)
 * of the published files, each checked against its recorded sha256 first.
 */
import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import path from 'node:path';
import { stepSettings, type PlanStep, type SamplePlan } from '../domain/plan.ts';
import { PROVENANCE_FILE, provenanceSchema, type Provenance } from '../domain/provenance.ts';
import {
  planStepReuse,
  type ReuseCandidate,
  type StepReuseDecision,
} from '../domain/step-reuse.ts';
import { FailureType } from '../errors.ts';
import { pathExists, readJsonIfExists } from '../store/atomic.ts';
import { hashFile } from '../store/checksums.ts';
import { linkOrCopy } from '../store/publish.ts';
import { beating, currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import type { StepResult } from './job-types.ts';
import { fingerprintStep } from './step-fingerprint.ts';

type ProvenanceStep = Provenance['steps'][number];

/** A candidate with the record of the job that made its outputs. */
export interface StepCandidate extends ReuseCandidate {
  job: ProvenanceStep;
}

export interface PlanStepReuseInput {
  sampleId: string;
  pipelineVersion: string;
  steps: PlanStep[];
  publish: SamplePlan['publish'];
  /** sha256 of each submitted file, by its absolute path. */
  submittedSha256: Record<string, string>;
  /** What the cluster's tools report now (a versions job's `tool-versions.tsv`). */
  toolVersions: Record<string, string>;
  candidates: StepCandidate[];
}

export interface ReuseStepInput {
  workflowId: string;
  runId: string;
  step: PlanStep;
  decision: StepReuseDecision<StepCandidate>;
}

export type ReuseStepOutcome = { ok: true; result: StepResult } | { ok: false; reason: string };

export function createStepReuseActivities(deps: ActivityDeps) {
  return {
    findReuseCandidates: (input: { sampleId: string; pipelineVersion: string }) =>
      findReuseCandidates(deps, input),
    decideStepReuse: (input: PlanStepReuseInput) => decideStepReuse(deps, input),
    reuseStep: (input: ReuseStepInput) => reuseStep(deps, input),
  };
}

/**
 * Every fingerprinted step of the sample's other published versions, the most recent first, with
 * the published files still holding each output's recorded checksum (by the provenance's own
 * record of them; reuseStep hashes a file again before taking it).
 */
async function findReuseCandidates(
  deps: ActivityDeps,
  input: { sampleId: string; pipelineVersion: string },
): Promise<StepCandidate[]> {
  const record = await deps.catalogue.get(input.sampleId);
  if (!record) return [];
  const versions = Object.values(record.versions)
    .filter((v) => v.pipelineVersion !== input.pipelineVersion && v.status !== 'benchmark')
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
  const candidates: StepCandidate[] = [];
  for (const version of versions) {
    const provenance = await readProvenance(deps, version.dir);
    if (!provenance) continue;
    for (const job of provenance.steps) {
      if (!job.fingerprint || !job.outputSha256) continue;
      const published: Record<string, string> = {};
      for (const [name, sum] of Object.entries(job.outputSha256)) {
        const file = path.join(version.dir, name);
        if (provenance.outputs[name]?.sha256 !== sum) continue;
        if (await pathExists(file)) published[name] = file;
      }
      candidates.push({
        version: version.pipelineVersion,
        step: job.name,
        fingerprint: job.fingerprint,
        outputs: job.outputSha256,
        published,
        cpuSeconds: job.usage?.cpuSeconds ?? null,
        job,
      });
    }
  }
  return candidates;
}

async function readProvenance(deps: ActivityDeps, dir: string): Promise<Provenance | null> {
  const raw = await readJsonIfExists(path.join(dir, PROVENANCE_FILE));
  if (raw === undefined) return null;
  const parsed = provenanceSchema.safeParse(raw);
  if (!parsed.success) {
    deps.logger.warn({ dir, problem: parsed.error.message }, 'provenance unreadable: not reused');
    return null;
  }
  return parsed.data;
}

/** Which steps of the new plan are reused, given what the cluster's tools report now. */
async function decideStepReuse(
  deps: ActivityDeps,
  input: PlanStepReuseInput,
): Promise<StepReuseDecision<StepCandidate>[]> {
  const pipeline = await deps.pipelines.load(input.pipelineVersion);
  const candidates = new Map<string, StepCandidate[]>();
  for (const c of input.candidates) {
    candidates.set(c.fingerprint, [...(candidates.get(c.fingerprint) ?? []), c]);
  }
  return planStepReuse({
    steps: input.steps,
    publish: input.publish,
    submittedSha256: input.submittedSha256,
    candidates,
    fingerprintOf: (step, inputSha256) => {
      const result = fingerprintStep(
        pipeline,
        input.sampleId,
        {
          kind: step.kind,
          inputNames: Object.keys(step.inputs),
          settings: stepSettings(step),
        },
        input.toolVersions,
        inputSha256,
      );
      return result.ok ? result.fingerprint : null;
    },
  });
}

/**
 * Takes a reused step's outputs into the new version's work folder, each checked against its
 * recorded sha256; a file that no longer matches refuses the reuse (the workflow then runs the
 * plan's steps itself).
 */
async function reuseStep(deps: ActivityDeps, input: ReuseStepInput): Promise<ReuseStepOutcome> {
  const { decision } = input;
  const { reuse, fingerprint } = decision;
  if (!reuse || fingerprint === null) {
    throw ApplicationFailure.nonRetryable(
      `step ${input.step.name} was not decided for reuse`,
      FailureType.StepFailed,
    );
  }
  const activity = currentActivity();
  return beating(activity, async () => {
    const dir = deps.layout.workDir(input.workflowId, input.runId, input.step.name, 'reused');
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    const outputs: Record<string, string> = {};
    for (const [name, src] of Object.entries(reuse.materialise)) {
      const expected = reuse.from.outputs[name];
      const dst = path.join(dir, name);
      await linkOrCopy(src, dst);
      const actual = await hashFile(dst, 'sha256', () => activity.heartbeat());
      if (actual !== expected) {
        return {
          ok: false,
          reason: `${src} no longer has the sha256 its provenance records (${expected}): not reused`,
        } as const;
      }
      outputs[name] = dst;
    }
    const { job } = reuse.from;
    const result: StepResult = {
      step: input.step.name,
      attempt: job.attempt,
      key: job.key,
      jobId: job.jobId,
      executor: job.executor,
      state: 'COMPLETED',
      workDir: dir,
      outputs,
      resources: job.resources,
      toolVersions: job.toolVersions,
      commands: job.commands,
      submittedAt: job.submittedAt,
      endedAt: job.endedAt,
      ...(job.usage ? { usage: job.usage } : {}),
      outputSha256: reuse.from.outputs,
      ...(job.inputSha256 ? { inputSha256: job.inputSha256 } : {}),
      fingerprint,
      reusedFrom: {
        version: reuse.from.version,
        step: reuse.from.step,
        fingerprint: reuse.from.fingerprint,
      },
    };
    deps.logger.info(
      { workflowId: input.workflowId, step: input.step.name, reusedFrom: result.reusedFrom },
      'step reused',
    );
    return { ok: true, result } as const;
  });
}
