/**
 * Frequency releases: the eligibility snapshot (the exact inputs of a release, written to disk,
 * not to workflow history) and the publication of a versioned release with an atomic switch of
 * `freq/latest`. Readers of `freq/latest` never see a half-written release.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { genomicShards, PUBLIC_RELEASE_FILES, shardStepName } from '../domain/shards.ts';
import { exclusionReason } from '../domain/release-eligibility.ts';
import type { SampleRecord } from '../domain/sample-record.ts';
import { readJsonIfExists, switchSymlink, writeFileAtomic } from '../store/atomic.ts';
import { hashFile } from '../store/checksums.ts';
import { readPolicy } from '../store/policy.ts';
import { linkOrCopy, publishDirectory } from '../store/publish.ts';
import { FREQUENCY_OUTPUTS, HOM_ALT_TAG } from '../tools/frequency.ts';
import { currentActivity } from './context.ts';
import { eligibleLine } from './contribution-keys.ts';
import type { ReleasePolicy, ReleaseSnapshot } from './release-snapshot.ts';
import type { BatchPlan } from './frequency-partials.ts';
import type { ActivityDeps } from './deps.ts';
import { anTrackSummary, samplesPerKaryotype, strataTags, trackFiles } from './release-track.ts';

export const RELEASE_SCHEMA = 'harmonise.release/v1';

export type { ReleaseSnapshot } from './release-snapshot.ts';

/** What one stage of the engine did and cost, over this release's jobs of it. */
export interface EngineStageCost {
  jobs: number;
  cpuSeconds: number;
  /** The largest peak memory of one of the stage's jobs; 0 when it ran none. */
  peakRssMiB: number;
}

export interface ReleaseEngineSummary {
  contributions: EngineStageCost & { derived: number; reused: number };
  partials: EngineStageCost & { batches: number; built: number; reused: number };
  reduce: EngineStageCost & { shards: number };
  gather: EngineStageCost;
}

export interface PublishedRelease {
  releaseId: string;
  dir: string;
  vcf: string;
  samples: number;
  sites: number;
  latest: boolean;
}

export function createFrequencyActivities(deps: ActivityDeps) {
  return {
    snapshotRelease: (input: {
      releaseId: string;
      workflowId: string;
      pipelineVersion: string | null;
    }) => snapshotRelease(deps, input),
    publishRelease: (input: PublishReleaseInput) => publishRelease(deps, input),
  };
}

async function snapshotRelease(
  deps: ActivityDeps,
  input: { releaseId: string; workflowId: string; pipelineVersion: string | null },
): Promise<ReleaseSnapshot> {
  const pipelineVersion = input.pipelineVersion ?? (await deps.pipelines.newest());
  const pipeline = await deps.pipelines.load(pipelineVersion);
  const policy = (await readPolicy(deps.config.policyFile)).frequency;
  const dir = deps.layout.workDir(input.workflowId, 'snapshot');
  await fs.mkdir(dir, { recursive: true });
  const tally = tallyCatalogue(await deps.catalogue.list(), pipelineVersion, policy);
  const files = await writeSnapshotFiles(dir, tally);
  return {
    releaseId: input.releaseId,
    pipelineVersion,
    samples: tally.included.length,
    samplesPerRegion: tally.perRegion,
    samplesPerMode: tally.perMode,
    policy,
    regions: Object.keys(tally.perRegion).sort(),
    excludedCount: tally.excluded.length,
    files,
    shards: genomicShards(pipeline.spec.reference.sequences, deps.config.frequency.shardBases).map(
      (region, index) => ({
        name: shardStepName(index),
        kind: 'frequency-aggregate',
        inputs: { gvcfList: { path: files.gvcfList }, groups: { path: files.groups } },
        outputs: [FREQUENCY_OUTPUTS.vcf, FREQUENCY_OUTPUTS.tbi],
        resources: pipeline.spec.steps.frequency,
        region,
      }),
    ),
    gather: {
      name: 'gather',
      kind: 'frequency-gather',
      inputs: {},
      outputs: [FREQUENCY_OUTPUTS.vcf, FREQUENCY_OUTPUTS.tbi],
      resources: { ...pipeline.spec.steps.frequency, cpus: 1 },
    },
    retry: pipeline.spec.retry,
  };
}

/** The snapshot's lines: included, eligible and excluded genomes, with counts per region and mode. */
interface CatalogueTally {
  /** `sampleId region gvcf` */
  included: string[];
  eligible: string[];
  /** `sampleId reason` */
  excluded: string[];
  perRegion: Record<string, number>;
  perMode: Record<string, number>;
}

function tallyCatalogue(
  records: readonly SampleRecord[],
  pipelineVersion: string,
  policy: ReleasePolicy,
): CatalogueTally {
  const tally: CatalogueTally = {
    included: [],
    eligible: [],
    excluded: [],
    perRegion: {},
    perMode: {},
  };
  for (const record of records) {
    const reason = exclusionReason(record, pipelineVersion, policy);
    if (reason !== null) {
      tally.excluded.push(`${record.sampleId}\t${reason}`);
      continue;
    }
    const version = record.versions[pipelineVersion]!;
    const gvcf = version.files.gvcf!;
    tally.included.push(`${record.sampleId}\t${record.region}\t${gvcf}`);
    const sha256 = version.sha256[path.basename(gvcf)] ?? null;
    tally.eligible.push(
      eligibleLine({
        sampleId: record.sampleId,
        region: record.region,
        gvcf,
        gvcfSha256: sha256,
        karyotype: version.karyotype?.karyotype ?? 'unknown',
      }),
    );
    tally.perRegion[record.region] = (tally.perRegion[record.region] ?? 0) + 1;
    tally.perMode[version.mode] = (tally.perMode[version.mode] ?? 0) + 1;
  }
  return tally;
}

async function writeSnapshotFiles(
  dir: string,
  tally: CatalogueTally,
): Promise<ReleaseSnapshot['files']> {
  const rows = tally.included.map((line) => line.split('\t') as [string, string, string]);
  const files = {
    samplesTsv: path.join(dir, 'samples.tsv'),
    gvcfList: path.join(dir, 'gvcfs.list'),
    groups: path.join(dir, 'groups.tsv'),
    excluded: path.join(dir, 'excluded.tsv'),
    eligible: path.join(dir, 'eligible.tsv'),
  };
  const lines = (values: string[]) => (values.length > 0 ? `${values.join('\n')}\n` : '');
  await writeFileAtomic(files.samplesTsv, lines(tally.included));
  await writeFileAtomic(files.gvcfList, lines(rows.map((r) => r[2])));
  await writeFileAtomic(files.groups, lines(rows.map((r) => `${r[0]}\t${r[1]}`)));
  await writeFileAtomic(files.excluded, lines(tally.excluded));
  await writeFileAtomic(files.eligible, lines(tally.eligible));
  return files;
}

interface PublishReleaseInput {
  snapshot: ReleaseSnapshot;
  workflowId: string;
  outputs: Record<string, string>;
  /** The additive engine's stages and what they cost (absent for a merge-based release). */
  engine?: ReleaseEngineSummary;
  /** The batch partials the release summed (and so its samples). */
  batches?: BatchPlan[];
}

/** What readers of the lookup may see: the API applies this floor, or a higher one of its own. */
function releasePrivacy(deps: ActivityDeps) {
  const { floor, belowFloor } = deps.config.frequency;
  return { floor, belowFloor, publicFiles: PUBLIC_RELEASE_FILES };
}

async function publishRelease(
  deps: ActivityDeps,
  input: PublishReleaseInput,
): Promise<PublishedRelease> {
  const activity = currentActivity();
  const { snapshot } = input;
  const pipeline = await deps.pipelines.load(snapshot.pipelineVersion);
  const vcfSrc = input.outputs[FREQUENCY_OUTPUTS.vcf];
  const tbiSrc = input.outputs[FREQUENCY_OUTPUTS.tbi];
  if (!vcfSrc || !tbiSrc) throw new Error('the aggregation left no frequencies.vcf.gz and index');
  const sites = Number((await execa('bcftools', ['index', '-n', vcfSrc])).stdout.trim());
  const dir = deps.layout.releaseDir(snapshot.releaseId);
  const excluded = (await fs.readFile(snapshot.files.excluded, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sampleId, reason] = line.split('\t');
      return { sampleId, reason };
    });
  const anTrack = await anTrackSummary(input.outputs);
  await publishDirectory(dir, async (staging) => {
    const checksums: Record<string, { sha256: string }> = {};
    const published: [string, string][] = [
      [FREQUENCY_OUTPUTS.vcf, vcfSrc],
      [FREQUENCY_OUTPUTS.tbi, tbiSrc],
      ...trackFiles(input.outputs),
      ['samples.tsv', snapshot.files.samplesTsv],
    ];
    for (const [name, src] of published) {
      await linkOrCopy(src, path.join(staging, name));
      checksums[name] = {
        sha256: await hashFile(path.join(staging, name), 'sha256', () => activity.heartbeat()),
      };
    }
    const summary = {
      schema: RELEASE_SCHEMA,
      releaseId: snapshot.releaseId,
      createdAt: new Date().toISOString(),
      pipelineVersion: snapshot.pipelineVersion,
      pipelineVersions: [snapshot.pipelineVersion],
      reference: {
        name: pipeline.spec.reference.name,
        sequences: pipeline.spec.reference.sequences,
      },
      samples: snapshot.samples,
      samplesPerRegion: snapshot.samplesPerRegion,
      samplesPerMode: snapshot.samplesPerMode,
      samplesPerKaryotype: await samplesPerKaryotype(snapshot.files.eligible),
      policy: snapshot.policy,
      excluded,
      sites,
      tags: {
        overall: [...pipeline.spec.frequency.tags, HOM_ALT_TAG],
        perRegion: snapshot.regions,
        strata: strataTags(pipeline.spec),
      },
      files: checksums,
      privacy: releasePrivacy(deps),
      ...(anTrack ? { anTrack } : {}),
      workflowId: input.workflowId,
      ...(input.engine ? { engine: input.engine } : {}),
      ...(input.batches ? { batches: input.batches } : {}),
    };
    await writeFileAtomic(
      path.join(staging, 'summary.json'),
      `${JSON.stringify(summary, null, 2)}\n`,
    );
  });
  const latest = await moveLatestForward(deps, snapshot.releaseId);
  return {
    releaseId: snapshot.releaseId,
    dir,
    vcf: path.join(dir, FREQUENCY_OUTPUTS.vcf),
    samples: snapshot.samples,
    sites,
    latest,
  };
}

/** Points freq/latest at this release unless a newer one (ids sort by time) is already there. */
async function moveLatestForward(deps: ActivityDeps, releaseId: string): Promise<boolean> {
  const link = deps.layout.latestLink;
  const current = await fs.readlink(link).catch(() => null);
  const currentId = current === null ? null : path.basename(current);
  if (currentId !== null && currentId > releaseId) return false;
  if (currentId === releaseId) return true;
  const summary = await readJsonIfExists(
    path.join(deps.layout.releaseDir(releaseId), 'summary.json'),
  );
  if (summary === undefined) throw new Error(`release ${releaseId} has no summary.json`);
  await switchSymlink(link, path.join('releases', releaseId));
  return true;
}
