// Writes the demo data under a data root: reference, per-region submissions, truth VCFs, layout.
//
// src/demo/ holds the demo's genome generator and the seeded catalogues that tests and benchmarks
// start from. It is in src/ because `harmonise demo` (src/cli/demo.ts) runs the generator and
// src/ imports nothing outside src/; infra/ keeps only what installs and starts infrastructure.
// The demo cache (cache.ts) is named by a digest of every .ts file in this folder.
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { cacheEntry, copyFromCache, ensureCacheEntry } from './cache.ts';
import { truthVcfText } from './formats.ts';
import { buildDemoGenome, REFERENCE_SEED } from './genome.ts';
import {
  buildLayout,
  isComplete,
  layoutPaths,
  manifestText,
  selectSubmissions,
  submissionProblem,
  type DemoLayout,
} from './layout.ts';
import {
  DEMO_SUBMISSIONS,
  type DemoGenome,
  type DemoInput,
  type DemoSubmissionSpec,
  type SampleTruth,
} from './model.ts';
import { demoReferences, ensureReference } from './reference.ts';
import { makeSample } from './samples.ts';
import { assertTools, exists, mapLimit, publish, run, writeAtomic, writeDurable } from './tools.ts';

// Part of this module's API: src/cli and the tests import them from generate.ts.
export type { DemoLayout, DemoReference, DemoSample } from './layout.ts';
export type {
  DemoPolicy,
  DemoSubmissionSpec,
  HarmonisationMode,
  Interval,
  ReadType,
} from './model.ts';
export {
  DEMO_SEX_CHROMOSOMES,
  NATIONAL_PIPELINE_VERSION,
  UNCOVERED,
  type DemoSampleSpec,
} from './model.ts';
export { parseDict } from './reference.ts';
export { MissingToolError } from './tools.ts';

/** The default cohort is drawn with the seed the reference was. */
export const DEFAULT_SEED = REFERENCE_SEED;
/** Samples made at once; bwa and minimap2 use two threads each, the other tools one. */
const SIM_CONCURRENCY = 2;
/** Rough relative cost of making a sample, so the slowest start first and the two lanes end together. */
const COST: Record<DemoInput, number> = {
  'bwa-cram-gvcf': 3,
  'minimap2-cram': 1.6,
  ucram: 1.3,
  'fastq-pair': 1,
  'long-fastq': 0.5,
};

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

interface Pending {
  sub: DemoSubmissionSpec;
  dest: string;
  staging: string;
}

/** Makes every pending submission's samples in staging folders, then renames each into place. */
async function writeSubmissions(
  genome: DemoGenome,
  pending: Pending[],
  referenceFasta: string,
  scratch: string,
  log: (msg: string) => void,
) {
  const jobs = pending.flatMap((p) =>
    genome.samples.filter((s) => s.submissionId === p.sub.submissionId).map((s) => ({ p, s })),
  );
  const order = jobs
    .map((job, i) => ({ job, i }))
    .sort((a, b) => COST[b.job.s.input] - COST[a.job.s.input] || a.i - b.i);
  const made = await mapLimit(order, SIM_CONCURRENCY, async ({ job: { p, s } }) => {
    const result = await makeSample(genome, s, referenceFasta, scratch, p.staging);
    log(`sample ${s.sampleId}: ${result.note}`);
    return result.entry;
  });
  const entries = new Array<(typeof made)[number]>(jobs.length);
  order.forEach(({ i }, k) => (entries[i] = made[k]!));
  for (const { sub, dest, staging } of pending) {
    const own = entries.filter((_, i) => jobs[i]!.p.staging === staging);
    await writeDurable(path.join(staging, 'manifest.json'), manifestText(sub, own));
    const fresh = await publish(staging, dest);
    log(
      `submission ${sub.region}/${sub.submissionId}: ${fresh ? 'wrote' : 'appeared meanwhile, kept'} ${dest}`,
    );
  }
}

/** The selected submissions still to make; existing folders stay untouched, unless stale. */
async function toMake(
  selected: readonly DemoSubmissionSpec[],
  dataRoot: string,
  log: (msg: string) => void,
) {
  const paths = layoutPaths(dataRoot);
  const missing: { sub: DemoSubmissionSpec; dest: string }[] = [];
  for (const sub of selected) {
    const dest = paths.submissionDir(sub.region, sub.submissionId);
    if (!(await exists(dest))) {
      missing.push({ sub, dest });
      continue;
    }
    const problem = await submissionProblem(dest, sub);
    // Its reads would not match this generator's truth: refuse rather than mix the two.
    if (problem?.stale) {
      throw new Error(
        `${dest} was made by another demo generator (${problem.reason}); use another data root`,
      );
    }
    const why = problem ? ` (${problem.reason})` : '';
    log(`submission ${sub.region}/${sub.submissionId}: exists, left untouched${why}`);
  }
  return missing;
}

/**
 * Deterministic from the seed and idempotent: every visible folder appears by an atomic rename,
 * and layout.json is written last, so its presence means the data is complete. With `regions`,
 * only those regions' submissions (and truth) are made; the reference always is. `submissions`
 * replaces the demo's sample table (the fault suite's larger cohort); the reference is the one
 * the pipelines pin, whatever the seed and table, so every cohort aligns to it. With `cacheDir`, the
 * submissions are copied from a cache entry for this generator, seed and table (made there once,
 * for every region of the table); the reference and truth are still made here.
 */
export async function generateDemo(opts: {
  dataRoot: string;
  seed?: number;
  regions?: readonly string[];
  submissions?: readonly DemoSubmissionSpec[];
  /** Copy the submissions from this cache (see cache.ts), making them there first if needed. */
  cacheDir?: string;
  log?: (msg: string) => void;
}): Promise<DemoLayout> {
  const dataRoot = path.resolve(opts.dataRoot);
  const seed = opts.seed ?? DEFAULT_SEED;
  const log = opts.log ?? (() => {});
  const paths = layoutPaths(dataRoot);
  const table = opts.submissions ?? DEMO_SUBMISSIONS;
  const selected = selectSubmissions(opts.regions, table);
  const genome = buildDemoGenome(seed, table);
  const layout = buildLayout(dataRoot, genome, selected);
  if (await isComplete(dataRoot, layout, table)) {
    log(`demo data for seed ${seed} already complete under ${dataRoot}`);
    return layout;
  }
  let missing = await toMake(selected, dataRoot, log);
  await assertTools();
  if (opts.cacheDir !== undefined && missing.length > 0) {
    const entry = await cacheEntry(path.resolve(opts.cacheDir), seed, table);
    const make = async (root: string) => {
      await generateDemo({ dataRoot: root, seed, submissions: table, log });
    };
    await ensureCacheEntry(entry, make, log);
    await copyFromCache(
      entry,
      dataRoot,
      missing.map((m) => m.sub),
      log,
    );
    missing = [];
  }
  await mkdir(path.join(dataRoot, 'demo', 'truth'), { recursive: true });
  const scratch = await mkdtemp(path.join(dataRoot, 'demo', 'tmp-'));
  const pending: Pending[] = [];
  try {
    // Every reference folder (pipeline 1's too, so it stays loadable); truth and samples use the
    // national one.
    let reference = { fasta: '' };
    for (const { version, contigs } of demoReferences(genome.contigs)) {
      const made = await ensureReference(dataRoot, version, contigs, log);
      if (made.fasta === layout.referenceFasta) reference = made;
    }
    const ids = new Set(layout.samples.map((s) => s.sampleId));
    for (const sample of genome.samples.filter((s) => ids.has(s.sampleId))) {
      const dest = paths.truthVcf(sample.sampleId);
      const realigned = await writeTruth(genome, sample, reference.fasta, scratch, dest);
      if (realigned > 0)
        log(`truth ${sample.sampleId}: bcftools norm realigned ${realigned} records`);
    }
    for (const { sub, dest } of missing) {
      await mkdir(path.dirname(dest), { recursive: true });
      // A leading dot keeps the staging folder from looking like a submission id.
      const staging = await mkdtemp(path.join(path.dirname(dest), `.${sub.submissionId}.tmp-`));
      pending.push({ sub, dest, staging });
    }
    await writeSubmissions(genome, pending, reference.fasta, scratch, log);
    await writeAtomic(paths.layout, JSON.stringify(layout, null, 2) + '\n');
    return layout;
  } finally {
    await Promise.all(pending.map((p) => rm(p.staging, { recursive: true, force: true })));
    await rm(scratch, { recursive: true, force: true });
  }
}
