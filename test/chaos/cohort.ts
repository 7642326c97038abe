/**
 * The fault suite's cohort: demo genomes (the demo's seeded reference and truth model) for as many
 * samples as asked, one submission per region, every region of the default configuration. Most
 * samples submit paired FASTQ; one in nine submits long reads and one in nine an unaligned CRAM,
 * spread over the regions, so a full rerun drives bwa, minimap2 and the unaligned-CRAM path.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DemoSubmissionSpec } from '../../src/demo/generate.ts';
import { DEFAULT_REGIONS, PROJECT_ROOT } from '../../src/config.ts';

const PREFIX: Record<string, string> = {
  nordjylland: 'NOR',
  midtjylland: 'MID',
  syddanmark: 'RSD',
  sjaelland: 'SJA',
  hovedstaden: 'HOV',
};

export function chaosSubmissions(samples: number): DemoSubmissionSpec[] {
  if (!Number.isInteger(samples) || samples < 2)
    throw new Error(`the cohort needs at least 2 samples, not ${samples}`);
  const regions = [...DEFAULT_REGIONS];
  const bySubmission = regions.map((region) => ({
    region,
    submissionId: `${PREFIX[region] ?? region.slice(0, 3).toUpperCase()}-CHAOS-0001`,
    pipeline: { name: `${region}-germline`, version: '1.0.0' },
    samples: [] as DemoSubmissionSpec['samples'][number][],
  }));
  for (let i = 0; i < samples; i++) {
    const submission = bySubmission[i % regions.length]!;
    const number = String(submission.samples.length + 1).padStart(3, '0');
    submission.samples.push({
      sampleId: `${submission.submissionId.slice(0, 3)}C${number}`,
      input: i % 9 === 4 ? 'long-fastq' : i % 9 === 7 ? 'ucram' : 'fastq-pair',
      zeroCoverage: null,
      // Half of each karyotype, none stated: harmonise infers them from the depth.
      karyotype: i % 2 === 0 ? 'XX' : 'XY',
    });
  }
  return bySubmission.filter((s) => s.samples.length > 0);
}

/**
 * The run's pipelines and policy: pipeline 1 (what the cohort is ingested with, mode `none`) and
 * pipeline `version`, pipeline 1 under a new number, so a campaign reruns every sample. The
 * repository's own specs are untouched.
 */
export async function writeSetup(root: string, version: string): Promise<void> {
  const pipelines = path.join(root, 'pipelines');
  await fs.mkdir(pipelines, { recursive: true });
  const one = await fs.readFile(path.join(PROJECT_ROOT, 'pipelines/1.json'), 'utf8');
  await fs.writeFile(path.join(pipelines, '1.json'), one);
  const two = {
    ...(JSON.parse(one) as Record<string, unknown>),
    version: version,
    description: 'Fault suite: national pipeline 1 under a new number, so a campaign reruns all.',
  };
  await fs.writeFile(path.join(pipelines, `${version}.json`), JSON.stringify(two, null, 2));
  const policy = { schema: 'harmonise.policy/v1', default: 'none', pipelineVersion: '1' };
  await fs.writeFile(path.join(root, 'policy.json'), JSON.stringify(policy, null, 2));
}
