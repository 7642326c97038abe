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
import { countedKaryotypeSchema, type CountedKaryotype } from '../domain/karyotype.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import { hashFile } from '../store/checksums.ts';
import { linkOrCopy, publishDirectory } from '../store/publish.ts';
import {
  CONTRIBUTION_FILES,
  CONTRIBUTION_FORMAT,
  CONTRIBUTIONS_INDEX,
} from '../tools/frequency-contribution.ts';
import type { JobUsage } from '../tools/usage.ts';
import { currentActivity } from './context.ts';
import { CONTRIBUTION_RECORD } from './contribution-keys.ts';
import { planContributions, planSampleContribution } from './contribution-plans.ts';
import type { ActivityDeps } from './deps.ts';
import type { ReleaseSnapshot } from './release-snapshot.ts';

export const CONTRIBUTION_SCHEMA = 'harmonise.contribution/v1';

export const contributionRecordSchema = z.object({
  schema: z.literal(CONTRIBUTION_SCHEMA),
  sampleId: z.string(),
  pipelineVersion: z.string(),
  format: z.number().int(),
  /** The karyotype the genome was counted with (format 2 on). */
  karyotype: countedKaryotypeSchema.optional(),
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
    planContributions: (input: { snapshot: ReleaseSnapshot; workflowId: string }) =>
      planContributions(deps, input),
    /** The contribution job of a sample just harmonised, or null (contribution-plans.ts). */
    planSampleContribution: (input: {
      workflowId: string;
      sampleId: string;
      pipelineVersion: string;
    }) => planSampleContribution(deps, input),
    /** Publishes each genome a contribution job read, beside its gVCF. */
    publishContributions: (input: PublishInput) => publishContributions(deps, input),
  };
}

interface PublishInput {
  pipelineVersion: string;
  workflowId: string;
  jobs: ContributionJob[];
}

async function publishContributions(
  deps: ActivityDeps,
  input: PublishInput,
): Promise<{ published: number }> {
  const activity = currentActivity();
  let published = 0;
  for (const job of input.jobs) {
    const done = new Set(
      (await fs.readFile(path.join(job.workDir, CONTRIBUTIONS_INDEX), 'utf8'))
        .split('\n')
        .filter(Boolean),
    );
    for (const line of (await fs.readFile(job.members, 'utf8')).split('\n').filter(Boolean)) {
      const [sampleId, gvcf, key, recorded, karyotype] = line.split('\t') as [
        string,
        string,
        string,
        string,
        CountedKaryotype | undefined,
      ];
      if (!done.has(sampleId))
        throw new Error(`contribution job ${job.jobId} did not finish ${sampleId}`);
      await publishContribution(deps, input, job, {
        sampleId,
        gvcf,
        key,
        recorded,
        karyotype: karyotype ?? 'unknown',
      });
      published++;
      if (published % 200 === 0) activity.heartbeat({ published });
    }
  }
  return { published };
}

/** Publishes one genome's contribution from its job's work folder, checking its gVCF's sha256. */
async function publishContribution(
  deps: ActivityDeps,
  input: PublishInput,
  job: ContributionJob,
  member: {
    sampleId: string;
    gvcf: string;
    key: string;
    recorded: string;
    karyotype: CountedKaryotype;
  },
): Promise<void> {
  const { sampleId, gvcf, key, recorded, karyotype } = member;
  const { pipelineVersion } = input;
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
      karyotype,
      digest: contributionDigest(files, karyotype),
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
}

/**
 * Names what a partial sums of the genome: its tables and the karyotype they were counted with
 * (a partial groups its members by karyotype, so a genome re-measured as XY is summed anew).
 */
function contributionDigest(files: ContributionRecord['files'], karyotype: string): string {
  const hash = createHash('sha256').update(
    `format ${CONTRIBUTION_FORMAT}\nkaryotype ${karyotype}\n`,
  );
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
