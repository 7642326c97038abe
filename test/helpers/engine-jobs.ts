/**
 * The additive engine's four jobs (contribution, partial, reduce per shard, gather) run for real
 * as job scripts in folders of their own, with the command lines harmonise builds for them
 * (step-commands.ts) and the real engine (bin/harmonise-engine.js), but without Temporal, the
 * catalogue or an executor: what a release computes from a handful of gVCFs.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import type { CountedKaryotype } from '../../src/domain/karyotype.ts';
import type { PipelineSpec } from '../../src/domain/pipeline.ts';
import type { StepKind } from '../../src/domain/plan.ts';
import { genomicShards, shardStepName } from '../../src/domain/shards.ts';
import { renderJobScript } from '../../src/tools/job-script.ts';
import { buildStepCommands } from '../../src/tools/step-commands.ts';

export interface EngineSample {
  sampleId: string;
  region: string;
  gvcf: string;
  karyotype: CountedKaryotype;
}

export interface EngineRun {
  vcf: string;
  track: string;
  /** The gather's `bases<TAB>well-covered bases`. */
  coverage: string;
}

const ENGINE = {
  node: process.execPath,
  script: path.join(PROJECT_ROOT, 'bin', 'harmonise-engine.js'),
};

async function runJob(
  dir: string,
  kind: StepKind,
  spec: PipelineSpec,
  reference: string,
  extra: {
    inputs?: Record<string, string>;
    regions?: readonly string[];
    step?: { region: string; shardName: string };
    members?: EngineSample[];
    outputs?: string[];
  },
): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const commands = buildStepCommands({
    kind,
    inputs: extra.inputs ?? {},
    resources: { cpus: 1, memMiB: 512, timeMinutes: 10 },
    pipeline: { spec, reference },
    sampleId: null,
    regions: extra.regions ?? [],
    ...(extra.step ? { step: extra.step } : {}),
    ...(extra.members ? { members: extra.members } : {}),
    engine: ENGINE,
    ...(extra.outputs ? { outputs: extra.outputs } : {}),
  });
  const script = path.join(dir, 'job.sh');
  await fs.writeFile(script, renderJobScript({ key: kind, workDir: dir, ...commands }));
  const run = await execa('bash', [script], { reject: false });
  expect(run.exitCode, `${kind}: ${run.stderr}`).toBe(0);
  return dir;
}

/** A release of the samples over shards of `shardBases`, in one batch, in `dir`. */
export async function runEngine(args: {
  dir: string;
  spec: PipelineSpec;
  reference: string;
  samples: readonly EngineSample[];
  shardBases: number;
}): Promise<EngineRun> {
  const { dir, spec, reference, samples } = args;
  const regions = [...new Set(samples.map((s) => s.region))].sort();
  const contrib = await runJob(
    path.join(dir, 'contrib'),
    'frequency-contribution',
    spec,
    reference,
    {
      members: [...samples],
    },
  );
  const members = path.join(dir, 'members.tsv');
  const at = (s: EngineSample, name: string) => path.join(contrib, s.sampleId, name);
  await fs.writeFile(
    members,
    samples
      .map((s) =>
        [s.sampleId, s.region, at(s, 'alleles.tsv.gz'), at(s, 'called.tsv.gz'), s.karyotype].join(
          '\t',
        ),
      )
      .map((line) => `${line}\n`)
      .join(''),
  );
  const checksums = path.join(dir, 'contributions.sha256');
  const files = samples.flatMap((s) => [at(s, 'alleles.tsv.gz'), at(s, 'called.tsv.gz')]);
  await fs.writeFile(checksums, (await execa('sha256sum', ['--', ...files])).stdout + '\n');
  const shards = genomicShards(spec.reference.sequences, args.shardBases);
  const shardsTsv = path.join(dir, 'shards.tsv');
  await fs.writeFile(
    shardsTsv,
    shards.map((r, i) => `${shardStepName(i)}\t${r.replace(/[:-]/g, '\t')}\n`).join(''),
  );
  const partial = await runJob(path.join(dir, 'partial'), 'frequency-partial', spec, reference, {
    inputs: { members, shards: shardsTsv, checksums },
  });
  const partials = path.join(dir, 'partials.list');
  await fs.writeFile(partials, `${partial}\n`);
  const contigs = path.join(dir, 'contigs.tsv');
  await fs.writeFile(
    contigs,
    spec.reference.sequences.map((s) => `${s.name}\t${s.length}\n`).join(''),
  );
  const karyotypes = path.join(dir, 'karyotypes.tsv');
  const count = (k: CountedKaryotype) => samples.filter((s) => s.karyotype === k).length;
  await fs.writeFile(
    karyotypes,
    ['XX', 'XY', 'unknown'].map((k) => `${k}\t${count(k as CountedKaryotype)}\n`).join(''),
  );
  const gatherInputs: Record<string, string> = {};
  for (const [i, region] of shards.entries()) {
    const name = shardStepName(i);
    const shardDir = await runJob(path.join(dir, name), 'frequency-reduce', spec, reference, {
      inputs: { partials, contigs, karyotypes },
      regions,
      step: { region, shardName: name },
    });
    gatherInputs[name] = path.join(shardDir, 'frequencies.vcf.gz');
  }
  const gather = await runJob(path.join(dir, 'gather'), 'frequency-gather', spec, reference, {
    inputs: gatherInputs,
    regions,
    outputs: [
      'frequencies.vcf.gz',
      'frequencies.vcf.gz.tbi',
      'an.tsv.gz',
      'an.tsv.gz.tbi',
      'an-coverage.tsv',
    ],
  });
  return {
    vcf: path.join(gather, 'frequencies.vcf.gz'),
    track: path.join(gather, 'an.tsv.gz'),
    coverage: path.join(gather, 'an-coverage.tsv'),
  };
}

/** The records' INFO by `chrom:pos:ref:alt`, every field as it is written. */
export async function releaseInfo(vcf: string): Promise<Map<string, Record<string, string>>> {
  const { stdout } = await execa('bcftools', [
    'query',
    '-f',
    '%CHROM:%POS:%REF:%ALT\t%INFO\n',
    vcf,
  ]);
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [key, info] = line.split('\t') as [string, string];
        return [
          key,
          Object.fromEntries(info.split(';').map((kv) => kv.split('=') as [string, string])),
        ];
      }),
  );
}

/** The track's row covering `chrom:pos`, read through its tabix index. */
export async function trackAt(track: string, chrom: string, pos: number): Promise<string[]> {
  const { stdout } = await execa('tabix', [track, `${chrom}:${pos}-${pos}`]);
  const rows = stdout.split('\n').filter(Boolean);
  expect(rows, `${chrom}:${pos}`).toHaveLength(1);
  return rows[0]!.split('\t');
}
