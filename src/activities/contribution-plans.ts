/**
 * Planning contribution jobs: which eligible genomes have no contribution yet, grouped into jobs
 * of `contributionsPerJob`, and the members file (`sampleId gvcf key recorded-sha256 karyotype`)
 * each job reads.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { countedKaryotypeSchema } from '../domain/karyotype.ts';
import type { PlanStep } from '../domain/plan.ts';
import { exclusionReason } from '../domain/release-eligibility.ts';
import { pathExists, writeFileAtomic } from '../store/atomic.ts';
import { CONTRIBUTIONS_INDEX, type ContributionMember } from '../tools/frequency-contribution.ts';
import { currentActivity } from './context.ts';
import {
  CONTRIBUTION_RECORD,
  contributionKey,
  readEligible,
  type EligibleSample,
} from './contribution-keys.ts';
import type { ActivityDeps } from './deps.ts';
import type { ReleaseSnapshot } from './release-snapshot.ts';

/** Which eligible genomes have no contribution yet, in jobs of `contributionsPerJob`. */
export async function planContributions(
  deps: ActivityDeps,
  input: { snapshot: ReleaseSnapshot; workflowId: string },
): Promise<{ steps: PlanStep[]; derive: number; reuse: number }> {
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
}

/**
 * The contribution job of a sample just harmonised (or registered with a releasable gVCF),
 * or null when it has one already or can never enter a release (no research consent, no
 * gVCF, a registered gVCF off the national reference).
 */
export async function planSampleContribution(
  deps: ActivityDeps,
  input: { workflowId: string; sampleId: string; pipelineVersion: string },
): Promise<PlanStep | null> {
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
    karyotype: version.karyotype?.karyotype ?? 'unknown',
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
}

/**
 * A contribution job's members line: `sampleId gvcf key recorded-sha256 karyotype` (`-`: no
 * recorded sha256).
 */
function memberLine(sample: EligibleSample, key: string): string {
  return [sample.sampleId, sample.gvcf, key, sample.gvcfSha256 ?? '-', sample.karyotype].join('\t');
}

/** The genomes a contribution job reads, from its members file (see memberLine). */
export async function readContributionMembers(file: string): Promise<ContributionMember[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sampleId, gvcf, , , karyotype] = line.split('\t');
      if (!sampleId || !gvcf) throw new Error(`${file}: a members line is not sampleId<TAB>gvcf`);
      // Members files written before karyotypes were recorded have four columns.
      const counted = countedKaryotypeSchema.safeParse(karyotype ?? 'unknown');
      if (!counted.success)
        throw new Error(`${file}: ${sampleId} has karyotype "${karyotype}", not XX, XY or unknown`);
      return { sampleId, gvcf, karyotype: counted.data };
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
