/**
 * Contributions: each eligible genome's gVCF is read once in its life, by a contribution job,
 * into what it adds to the national frequencies. The result is published beside the gVCF
 * (`gdb/samples/<id>/<version>/contributions/<key>/`), with checksums and provenance, and every
 * later release reads that instead of the gVCF. `key` names the gVCF (its sha256 as the
 * catalogue recorded it) and the contribution format: a re-harmonised gVCF gets a new one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { PlanStep } from '../domain/plan.ts';
import { exclusionReason } from '../domain/release-eligibility.ts';
import { writeFileAtomic, pathExists } from '../store/atomic.ts';
import { hashFile } from '../store/checksums.ts';
import { linkOrCopy, publishDirectory } from '../store/publish.ts';
import {
  CONTRIBUTION_FILES,
  CONTRIBUTION_FORMAT,
  CONTRIBUTIONS_INDEX,
  type ContributionMember,
} from '../tools/frequency-contribution.ts';
import type { JobUsage } from '../tools/usage.ts';
import { currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import type { ReleaseSnapshot } from './frequency.ts';

export const CONTRIBUTION_SCHEMA = 'harmonise.contribution/v1';
export const CONTRIBUTION_RECORD = 'contribution.json';

export const contributionRecordSchema = z.object({
  schema: z.literal(CONTRIBUTION_SCHEMA),
  sampleId: z.string(),
  pipelineVersion: z.string(),
  format: z.number().int(),
  /** Names the contribution's content: what a batch partial records of its members. */
  digest: z.string(),
  gvcf: z.object({ path: z.string(), sha256: z.string() }),
  files: z.record(z.string(), z.object({ sha256: z.string() })),
  createdAt: z.string(),
  provenance: z.object({
    workflowId: z.string(),
    jobId: z.string(),
    executor: z.string(),
    jobKey: z.string(),
    toolVersions: z.record(z.string(), z.string()),
  }),
});
export type ContributionRecord = z.infer<typeof contributionRecordSchema>;

/** A genome in a release's snapshot (`eligible.tsv`). */
export interface EligibleSample {
  sampleId: string;
  region: string;
  gvcf: string;
  /** The gVCF's sha256 as the catalogue recorded it; null when it recorded none. */
  gvcfSha256: string | null;
}

export async function readEligible(file: string): Promise<EligibleSample[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sampleId, region, gvcf, sha] = line.split('\t') as [string, string, string, string];
      return { sampleId, region, gvcf, gvcfSha256: sha === '-' ? null : sha };
    });
}

export function eligibleLine(sample: EligibleSample): string {
  return [sample.sampleId, sample.region, sample.gvcf, sample.gvcfSha256 ?? '-'].join('\t');
}

/**
 * The key of a genome's contribution: its gVCF's recorded sha256, or (for a record without one)
 * the gVCF's inode, size and modification time, with the contribution format.
 */
export async function contributionKey(sample: EligibleSample): Promise<string> {
  let names: string;
  if (sample.gvcfSha256 !== null) {
    names = `sha256:${sample.gvcfSha256}`;
  } else {
    const stat = await fs.stat(sample.gvcf, { bigint: true });
    names = `identity:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  }
  const digest = createHash('sha256').update(names).digest('hex').slice(0, 24);
  return `f${CONTRIBUTION_FORMAT}-${digest}`;
}

/** A finished contribution job, as the release workflow hands it over. */
export interface ContributionJob {
  members: string;
  workDir: string;
  jobId: string;
  executor: string;
  key: string;
  toolVersions: Record<string, string>;
  usage?: JobUsage;
}

export function createContributionActivities(deps: ActivityDeps) {
  return {
    /** Which eligible genomes have no contribution yet, in jobs of `contributionsPerJob`. */
    async planContributions(input: {
      snapshot: ReleaseSnapshot;
      workflowId: string;
    }): Promise<{ steps: PlanStep[]; derive: number; reuse: number }> {
      const activity = currentActivity();
      const { snapshot } = input;
      const pipeline = await deps.pipelines.load(snapshot.pipelineVersion);
      const missing: string[] = [];
      let reuse = 0;
      for (const [i, sample] of (await readEligible(snapshot.files.eligible)).entries()) {
        if (i % 500 === 0) activity.heartbeat({ checked: i });
        const key = await contributionKey(sample);
        const dir = deps.layout.contributionDir(sample.sampleId, snapshot.pipelineVersion, key);
        if (await pathExists(path.join(dir, CONTRIBUTION_RECORD))) reuse++;
        else missing.push(memberLine(sample, key));
      }
      const perJob = deps.config.frequency.contributionsPerJob;
      const steps: PlanStep[] = [];
      for (let start = 0; start < missing.length; start += perJob) {
        steps.push(
          await contributionStep(
            deps,
            input.workflowId,
            steps.length,
            missing.slice(start, start + perJob),
            pipeline.spec.steps.frequency,
          ),
        );
      }
      return { steps, derive: missing.length, reuse };
    },

    /**
     * The contribution job of a sample just harmonised (or registered with a releasable gVCF),
     * or null when it has one already or can never enter a release (no research consent, no
     * gVCF, a registered gVCF off the national reference).
     */
    async planSampleContribution(input: {
      workflowId: string;
      sampleId: string;
      pipelineVersion: string;
    }): Promise<PlanStep | null> {
      const record = await deps.catalogue.get(input.sampleId);
      if (record === null) return null;
      if (exclusionReason(record, input.pipelineVersion, { includeModeNone: true }) !== null)
        return null;
      const version = record.versions[input.pipelineVersion]!;
      const gvcf = version.files.gvcf!;
      const sample: EligibleSample = {
        sampleId: record.sampleId,
        region: record.region,
        gvcf,
        gvcfSha256: version.sha256[path.basename(gvcf)] ?? null,
      };
      const key = await contributionKey(sample);
      const dir = deps.layout.contributionDir(sample.sampleId, input.pipelineVersion, key);
      if (await pathExists(path.join(dir, CONTRIBUTION_RECORD))) return null;
      const pipeline = await deps.pipelines.load(input.pipelineVersion);
      return contributionStep(
        deps,
        input.workflowId,
        0,
        [memberLine(sample, key)],
        pipeline.spec.steps.frequency,
      );
    },

    /** Publishes each genome a contribution job read, beside its gVCF. */
    async publishContributions(input: {
      pipelineVersion: string;
      workflowId: string;
      jobs: ContributionJob[];
    }): Promise<{ published: number }> {
      const activity = currentActivity();
      const { pipelineVersion } = input;
      let published = 0;
      for (const job of input.jobs) {
        const done = new Set(
          (await fs.readFile(path.join(job.workDir, CONTRIBUTIONS_INDEX), 'utf8'))
            .split('\n')
            .filter(Boolean),
        );
        for (const line of (await fs.readFile(job.members, 'utf8')).split('\n').filter(Boolean)) {
          const [sampleId, gvcf, key, recorded] = line.split('\t') as [
            string,
            string,
            string,
            string,
          ];
          if (!done.has(sampleId))
            throw new Error(`contribution job ${job.jobId} did not finish ${sampleId}`);
          const from = path.join(job.workDir, sampleId);
          const gvcfSha256 = (
            await fs.readFile(path.join(from, CONTRIBUTION_FILES.gvcfSha256), 'utf8')
          ).trim();
          if (recorded !== '-' && recorded !== gvcfSha256) {
            throw new Error(
              `the gVCF of ${sampleId} (${gvcf}) is not the file the catalogue recorded: sha256 ${gvcfSha256}, recorded ${recorded}`,
            );
          }
          const dest = deps.layout.contributionDir(sampleId, pipelineVersion, key);
          await publishDirectory(dest, async (staging) => {
            const files: ContributionRecord['files'] = {};
            for (const name of [CONTRIBUTION_FILES.alleles, CONTRIBUTION_FILES.called]) {
              await linkOrCopy(path.join(from, name), path.join(staging, name));
              files[name] = { sha256: await hashFile(path.join(staging, name), 'sha256') };
            }
            const record: ContributionRecord = {
              schema: CONTRIBUTION_SCHEMA,
              sampleId,
              pipelineVersion,
              format: CONTRIBUTION_FORMAT,
              digest: contributionDigest(files),
              gvcf: { path: gvcf, sha256: gvcfSha256 },
              files,
              createdAt: new Date().toISOString(),
              provenance: {
                workflowId: input.workflowId,
                jobId: job.jobId,
                executor: job.executor,
                jobKey: job.key,
                toolVersions: job.toolVersions,
              },
            };
            await writeFileAtomic(
              path.join(staging, CONTRIBUTION_RECORD),
              `${JSON.stringify(record, null, 2)}\n`,
            );
          });
          published++;
          if (published % 200 === 0) activity.heartbeat({ published });
        }
      }
      return { published };
    },
  };
}

/** A contribution job's members line: `sampleId gvcf key recorded-sha256` (`-`: none). */
function memberLine(sample: EligibleSample, key: string): string {
  return [sample.sampleId, sample.gvcf, key, sample.gvcfSha256 ?? '-'].join('\t');
}

/** The genomes a contribution job reads, from its members file (see memberLine). */
export async function readContributionMembers(file: string): Promise<ContributionMember[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sampleId, gvcf] = line.split('\t');
      if (!sampleId || !gvcf) throw new Error(`${file}: a members line is not sampleId<TAB>gvcf`);
      return { sampleId, gvcf };
    });
}

/** The `index`-th contribution job of a workflow, over the given members lines. */
async function contributionStep(
  deps: ActivityDeps,
  workflowId: string,
  index: number,
  members: readonly string[],
  resources: PlanStep['resources'],
): Promise<PlanStep> {
  const name = `contrib-${String(index + 1).padStart(4, '0')}` as const;
  const dir = deps.layout.workDir(workflowId, 'contributions');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.tsv`);
  await writeFileAtomic(file, `${members.join('\n')}\n`);
  return {
    name,
    kind: 'frequency-contribution',
    inputs: { members: { path: file } },
    outputs: [CONTRIBUTIONS_INDEX],
    resources: { ...resources, cpus: 1 },
  };
}

function contributionDigest(files: ContributionRecord['files']): string {
  const hash = createHash('sha256').update(`format ${CONTRIBUTION_FORMAT}\n`);
  for (const name of Object.keys(files).sort()) hash.update(`${name} ${files[name]!.sha256}\n`);
  return hash.digest('hex');
}

/** Reads a published contribution; a clear error names the file when it is not one. */
export async function readContribution(dir: string): Promise<ContributionRecord> {
  const file = path.join(dir, CONTRIBUTION_RECORD);
  const parsed = contributionRecordSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a contribution: ${parsed.error.message}`);
  return parsed.data;
}
