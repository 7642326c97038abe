// Writes the demo data under a data root: reference, per-region submissions, truth VCFs, layout.
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { truthVcfText } from './formats.ts';
import { buildDemoGenome } from './genome.ts';
import { DEMO_SUBMISSIONS, type DemoGenome, type Interval, type SampleTruth } from './model.ts';
import { simulateSample } from './reads.ts';
import {
  PIPELINE_VERSION,
  REFERENCE_FILES,
  ensureReference,
  type ReferenceSequence,
} from './reference.ts';
import { assertTools, exists, mapLimit, publish, run, writeAtomic, writeDurable } from './tools.ts';

// Part of this module's API: src/cli and the tests import them from generate.ts.
export type { Interval } from './model.ts';
export { parseDict } from './reference.ts';
export { MissingToolError } from './tools.ts';

export interface DemoSample {
  sampleId: string;
  region: string;
  submissionId: string;
  /** Absolute path; bgzipped, tabix-indexed, normalised with `bcftools norm -f`. */
  truthVcf: string;
  /** The stretch with no reads for this sample. */
  zeroCoverage: Interval | null;
}

export interface DemoLayout {
  seed: number;
  pipelineVersion: '1';
  referenceFasta: string;
  sequences: ReferenceSequence[];
  submissions: { region: string; submissionId: string; dir: string }[];
  samples: DemoSample[];
}

export const DEFAULT_SEED = 20261126;
const SIM_CONCURRENCY = 2;

async function writeTruth(
  genome: DemoGenome,
  sample: SampleTruth,
  fasta: string,
  scratch: string,
  dest: string,
) {
  const raw = path.join(scratch, `${sample.sampleId}.raw.vcf`);
  const out = path.join(scratch, path.basename(dest));
  await writeDurable(raw, truthVcfText(genome, sample));
  // -c e: fail on any REF that does not match the reference.
  const norm = ['norm', '-f', fasta, '-c', 'e', '--no-version', '-O', 'z', '-o', out, raw];
  const stderr = await run('bcftools', norm);
  await run('tabix', ['-p', 'vcf', out]);
  const realigned = /total\/split\/realigned\/skipped:\s*\d+\/\d+\/(\d+)\//.exec(stderr)?.[1];
  await rename(`${out}.tbi`, `${dest}.tbi`);
  await rename(out, dest);
  return Number(realigned ?? 0);
}

function manifestText(
  sub: (typeof DEMO_SUBMISSIONS)[number],
  sums: Awaited<ReturnType<typeof simulateSample>>[],
) {
  const manifest = {
    schema: 'harmonise.submission/v1',
    region: sub.region,
    submissionId: sub.submissionId,
    pipeline: { name: sub.pipeline.name, version: sub.pipeline.version },
    samples: sums.map(({ sampleId, r1, r2 }) => ({
      sampleId,
      readType: 'short',
      consent: { research: true },
      files: [
        { path: `${sampleId}/${sampleId}_R1.fastq.gz`, kind: 'fastq-r1', md5: r1.md5 },
        {
          path: `${sampleId}/${sampleId}_R2.fastq.gz`,
          kind: 'fastq-r2',
          md5: r2.md5,
          sha256: r2.sha256,
        },
      ],
    })),
  };
  return JSON.stringify(manifest, null, 2) + '\n';
}

function layoutPaths(dataRoot: string) {
  return {
    layout: path.join(dataRoot, 'demo', 'layout.json'),
    referenceFasta: path.join(dataRoot, 'reference', PIPELINE_VERSION, 'genome.fa'),
    submissionDir: (region: string, id: string) => path.join(dataRoot, 'inbox', region, id),
    truthVcf: (sampleId: string) =>
      path.join(dataRoot, 'demo', 'truth', `${sampleId}.truth.vcf.gz`),
  };
}

/** The existing layout.json if it matches the seed and the sample table and all its files exist. */
async function reusableLayout(dataRoot: string, seed: number): Promise<DemoLayout | null> {
  const paths = layoutPaths(dataRoot);
  const wanted = DEMO_SUBMISSIONS.flatMap((s) => s.samples.map((x) => x.sampleId)).join();
  try {
    const layout = JSON.parse(await readFile(paths.layout, 'utf8')) as DemoLayout;
    if (layout.seed !== seed || layout.referenceFasta !== paths.referenceFasta) return null;
    if (layout.samples.map((s) => s.sampleId).join() !== wanted) return null;
    const files = [
      ...REFERENCE_FILES.map((f) => path.join(path.dirname(layout.referenceFasta), f)),
      ...layout.submissions.map((s) => path.join(s.dir, 'manifest.json')),
      ...layout.samples.flatMap((s) => {
        const dir = paths.submissionDir(s.region, s.submissionId);
        const reads = ['R1', 'R2'].map((r) =>
          path.join(dir, s.sampleId, `${s.sampleId}_${r}.fastq.gz`),
        );
        return [s.truthVcf, `${s.truthVcf}.tbi`, ...reads];
      }),
    ];
    return (await Promise.all(files.map((f) => exists(f)))).every(Boolean) ? layout : null;
  } catch {
    return null; // missing or malformed: regenerate
  }
}

/**
 * Deterministic from the seed and idempotent: every visible folder appears by an atomic rename,
 * and layout.json is written last, so its presence means the data is complete.
 */
export async function generateDemo(opts: {
  dataRoot: string;
  seed?: number;
  log?: (msg: string) => void;
}): Promise<DemoLayout> {
  const dataRoot = path.resolve(opts.dataRoot);
  const seed = opts.seed ?? DEFAULT_SEED;
  const log = opts.log ?? (() => {});
  const paths = layoutPaths(dataRoot);
  const existing = await reusableLayout(dataRoot, seed);
  if (existing) {
    log(`demo data for seed ${seed} already complete under ${dataRoot}`);
    return existing;
  }
  await assertTools();
  const genome = buildDemoGenome(seed);
  await mkdir(path.join(dataRoot, 'demo', 'truth'), { recursive: true });
  const scratch = await mkdtemp(path.join(dataRoot, 'demo', 'tmp-'));
  try {
    const reference = await ensureReference(dataRoot, genome, log);

    for (const sample of genome.samples) {
      const realigned = await writeTruth(
        genome,
        sample,
        reference.fasta,
        scratch,
        paths.truthVcf(sample.sampleId),
      );
      if (realigned > 0)
        log(`truth ${sample.sampleId}: bcftools norm realigned ${realigned} records`);
    }

    const pending: { sub: (typeof DEMO_SUBMISSIONS)[number]; dest: string; staging: string }[] = [];
    try {
      for (const sub of DEMO_SUBMISSIONS) {
        const dest = paths.submissionDir(sub.region, sub.submissionId);
        if (await exists(dest)) {
          log(`submission ${sub.region}/${sub.submissionId}: exists, left untouched`);
          continue;
        }
        await mkdir(path.dirname(dest), { recursive: true });
        // A leading dot keeps the staging folder from looking like a submission id.
        const staging = await mkdtemp(path.join(path.dirname(dest), `.${sub.submissionId}.tmp-`));
        pending.push({ sub, dest, staging });
      }
      const jobs = pending.flatMap((p) =>
        genome.samples.filter((s) => s.submissionId === p.sub.submissionId).map((s) => ({ p, s })),
      );
      const sums = await mapLimit(jobs, SIM_CONCURRENCY, async ({ p, s }) => {
        const sum = await simulateSample(genome, s, scratch, p.staging);
        log(`sample ${s.sampleId}: ${sum.r1.reads} read pairs`);
        return sum;
      });
      for (const { sub, dest, staging } of pending) {
        const own = sums.filter((_, i) => jobs[i]!.p.staging === staging);
        await writeDurable(path.join(staging, 'manifest.json'), manifestText(sub, own));
        const fresh = await publish(staging, dest);
        log(
          `submission ${sub.region}/${sub.submissionId}: ${fresh ? 'wrote' : 'appeared meanwhile, kept'} ${dest}`,
        );
      }
    } finally {
      await Promise.all(pending.map((p) => rm(p.staging, { recursive: true, force: true })));
    }

    const layout: DemoLayout = {
      seed,
      pipelineVersion: PIPELINE_VERSION,
      referenceFasta: reference.fasta,
      sequences: reference.sequences,
      submissions: DEMO_SUBMISSIONS.map((s) => ({
        region: s.region,
        submissionId: s.submissionId,
        dir: paths.submissionDir(s.region, s.submissionId),
      })),
      samples: genome.samples.map((s) => ({
        sampleId: s.sampleId,
        region: s.region,
        submissionId: s.submissionId,
        truthVcf: paths.truthVcf(s.sampleId),
        zeroCoverage: s.zeroCoverage,
      })),
    };
    await writeAtomic(paths.layout, JSON.stringify(layout, null, 2) + '\n');
    return layout;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
