/**
 * Batch partials and the plan of a release's reduce. Every eligible genome is in a fixed batch
 * (`freq/batches/<version>.json`); a batch's partial is immutable, named by what it sums, and
 * kept in `freq/partials/<version>/<id>/`: a release builds only the partials of batches whose
 * members changed (a withdrawal: one), then reduces every shard over all the batches' partials.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  assignBatches,
  batchRegistrySchema,
  emptyRegistry,
  partialKey,
  type BatchRegistry,
  type PartialMember,
} from '../domain/frequency-batches.ts';
import type { PlanStep } from '../domain/plan.ts';
import { genomicShards } from '../domain/shards.ts';
import { ENGINE_REPORT, PARTIAL_FILES } from '../frequency/files.ts';
import { pathExists, readJsonIfExists, writeFileAtomic } from '../store/atomic.ts';
import { withFileLock } from '../store/file-lock.ts';
import type { LoadedPipeline } from '../store/pipelines.ts';
import { linkOrCopy, publishDirectory } from '../store/publish.ts';
import { CONTRIBUTION_FILES } from '../tools/frequency-contribution.ts';
import type { JobUsage } from '../tools/usage.ts';
import { currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { contributionKey, readEligible, type EligibleSample } from './contribution-keys.ts';
import { readContribution } from './frequency-contributions.ts';
import {
  reduceSteps,
  withAnTrack,
  writeKaryotypeCounts,
  writeShardTables,
} from './frequency-reduce-plan.ts';
import type { ReleaseSnapshot } from './release-snapshot.ts';

/** Raised when a partial's tables change shape: every partial is then built again. */
export const PARTIAL_FORMAT = 2;
export const PARTIAL_SCHEMA = 'harmonise.partial/v1';
export const PARTIAL_RECORD = 'partial.json';

export interface BatchPlan {
  batch: string;
  /** The partial's folder name: its id. */
  partial: string;
  members: number;
  /** Built by an earlier release, and summed again as it is. */
  reused: boolean;
}

export interface ReducePlan {
  batches: BatchPlan[];
  /** One partial job per batch that has none yet. */
  build: PlanStep[];
  /** One reduce job per genomic shard, over every batch's partial. */
  reduce: PlanStep[];
  gather: PlanStep;
}

/** A finished partial job, as the release workflow hands it over. */
export interface PartialJob {
  batch: string;
  workDir: string;
  jobId: string;
  usage?: JobUsage;
}

async function readRegistry(file: string, pipelineVersion: string): Promise<BatchRegistry> {
  const raw = await readJsonIfExists(file);
  if (raw === undefined) return emptyRegistry(pipelineVersion);
  const parsed = batchRegistrySchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a batch registry: ${parsed.error.message}`);
  return parsed.data;
}

export function createPartialActivities(deps: ActivityDeps) {
  return {
    /**
     * Assigns new genomes to batches, then plans a partial job for each batch without a partial
     * of its present members, and the reduce over every batch's partial.
     */
    planPartials: (input: { snapshot: ReleaseSnapshot; workflowId: string }) =>
      planPartials(deps, input),
    /** Publishes each partial a job built under its id, with what it sums and what it cost. */
    publishPartials: (input: {
      snapshot: ReleaseSnapshot;
      workflowId: string;
      jobs: PartialJob[];
    }) => publishPartials(deps, input),
  };
}

async function planPartials(
  deps: ActivityDeps,
  input: { snapshot: ReleaseSnapshot; workflowId: string },
): Promise<ReducePlan> {
  const activity = currentActivity();
  const { snapshot } = input;
  const version = snapshot.pipelineVersion;
  const pipeline = await deps.pipelines.load(version);
  const eligible = await readEligible(snapshot.files.eligible);
  const registry = await assignToBatches(deps, version, eligible);
  const dir = deps.layout.workDir(input.workflowId, 'partials');
  await fs.mkdir(dir, { recursive: true });
  const regions = genomicShards(
    pipeline.spec.reference.sequences,
    deps.config.frequency.shardBases,
  );
  const { shardsTsv, contigs } = await writeShardTables(dir, regions, pipeline);
  const context: BatchContext = { deps, version, dir, regions, shardsTsv, pipeline };
  const bySample = new Map(eligible.map((s) => [s.sampleId, s]));
  const batches: BatchPlan[] = [];
  const build: PlanStep[] = [];
  for (const { batch, samples } of registry.batches) {
    const present = samples.flatMap((id) => {
      const sample = bySample.get(id);
      return sample ? [sample] : [];
    });
    if (present.length === 0) continue;
    activity.heartbeat({ batch });
    const planned = await planBatch(context, batch, present);
    batches.push(planned.plan);
    if (planned.step) build.push(planned.step);
  }
  const partials = path.join(dir, 'partials.list');
  await writeFileAtomic(
    partials,
    batches.map((b) => `${deps.layout.partialDir(version, b.partial)}\n`).join(''),
  );
  const karyotypes = await writeKaryotypeCounts(dir, eligible);
  const reduce = reduceSteps({ regions, partials, contigs, karyotypes, pipeline });
  return { batches, build, reduce, gather: withAnTrack(snapshot.gather) };
}

/** Puts genomes not yet in a batch into one, under the registry's lock (releases may overlap). */
async function assignToBatches(
  deps: ActivityDeps,
  version: string,
  eligible: readonly EligibleSample[],
): Promise<BatchRegistry> {
  const registryFile = deps.layout.batchRegistry(version);
  await fs.mkdir(path.dirname(registryFile), { recursive: true });
  return withFileLock(registryFile, async () => {
    const next = assignBatches(
      await readRegistry(registryFile, version),
      eligible.map((s) => s.sampleId),
      deps.config.frequency.batchSize,
    );
    await writeFileAtomic(registryFile, `${JSON.stringify(next, null, 2)}\n`);
    return next;
  });
}

interface BatchContext {
  deps: ActivityDeps;
  version: string;
  /** The release's partials work folder. */
  dir: string;
  regions: readonly string[];
  shardsTsv: string;
  pipeline: LoadedPipeline;
}

/**
 * One batch's partial: named by what it sums, reused when published, otherwise a partial job
 * with its members, checksums and draft record written into the work folder.
 */
async function planBatch(
  { deps, version, dir, regions, shardsTsv, pipeline }: BatchContext,
  batch: string,
  present: readonly EligibleSample[],
): Promise<{ plan: BatchPlan; step?: PlanStep }> {
  const members = await Promise.all(present.map((s) => memberOf(deps, version, s)));
  const key = partialKey({
    engineFormat: PARTIAL_FORMAT,
    pipelineVersion: version,
    shards: regions,
    members: members.map((m) => m.member),
  });
  const partial = `${batch}-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
  const reused = await pathExists(
    path.join(deps.layout.partialDir(version, partial), PARTIAL_RECORD),
  );
  const plan: BatchPlan = { batch, partial, members: present.length, reused };
  if (reused) return { plan };
  const file = (suffix: string) => path.join(dir, `${batch}.${suffix}`);
  await writeFileAtomic(
    file('members.tsv'),
    members
      .map(
        (m) =>
          `${m.member.sampleId}\t${m.member.region}\t${m.alleles}\t${m.called}\t${m.karyotype}\n`,
      )
      .join(''),
  );
  await writeFileAtomic(
    file('sha256'),
    members
      .map((m) => `${m.sha256.alleles}  ${m.alleles}\n${m.sha256.called}  ${m.called}\n`)
      .join(''),
  );
  await writeFileAtomic(
    file('partial.json'),
    `${JSON.stringify({ batch, partial, key: JSON.parse(key) as unknown })}\n`,
  );
  const step: PlanStep = {
    name: batch as `batch-${string}`,
    kind: 'frequency-partial',
    inputs: {
      members: { path: file('members.tsv') },
      shards: { path: shardsTsv },
      checksums: { path: file('sha256') },
    },
    outputs: [...Object.values(PARTIAL_FILES), ENGINE_REPORT],
    resources: pipeline.spec.steps.frequency,
  };
  return { plan, step };
}

async function publishPartials(
  deps: ActivityDeps,
  input: { snapshot: ReleaseSnapshot; workflowId: string; jobs: PartialJob[] },
): Promise<{ published: number }> {
  const version = input.snapshot.pipelineVersion;
  const dir = deps.layout.workDir(input.workflowId, 'partials');
  for (const job of input.jobs) {
    const draft = JSON.parse(
      await fs.readFile(path.join(dir, `${job.batch}.partial.json`), 'utf8'),
    ) as { batch: string; partial: string; key: unknown };
    await publishDirectory(deps.layout.partialDir(version, draft.partial), async (staging) => {
      for (const name of [...Object.values(PARTIAL_FILES), ENGINE_REPORT])
        await linkOrCopy(path.join(job.workDir, name), path.join(staging, name));
      const record = {
        schema: PARTIAL_SCHEMA,
        partial: draft.partial,
        batch: draft.batch,
        pipelineVersion: version,
        sums: draft.key,
        createdAt: new Date().toISOString(),
        provenance: { workflowId: input.workflowId, jobId: job.jobId },
        ...(job.usage ? { usage: job.usage } : {}),
      };
      await writeFileAtomic(
        path.join(staging, PARTIAL_RECORD),
        `${JSON.stringify(record, null, 2)}\n`,
      );
    });
  }
  return { published: input.jobs.length };
}

/** A batch member: its contribution's digest and files (which must have been published). */
async function memberOf(deps: ActivityDeps, version: string, sample: EligibleSample) {
  const key = await contributionKey(sample);
  const dir = deps.layout.contributionDir(sample.sampleId, version, key);
  const record = await readContribution(dir);
  const alleles = path.join(dir, CONTRIBUTION_FILES.alleles);
  const called = path.join(dir, CONTRIBUTION_FILES.called);
  const member: PartialMember = {
    sampleId: sample.sampleId,
    region: sample.region,
    contribution: record.digest,
  };
  return {
    member,
    karyotype: sample.karyotype,
    alleles,
    called,
    sha256: {
      alleles: record.files[CONTRIBUTION_FILES.alleles]!.sha256,
      called: record.files[CONTRIBUTION_FILES.called]!.sha256,
    },
  };
}
