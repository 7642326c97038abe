/**
 * A synthetic national catalogue for campaign tests and benchmarks: `samples` records, spread
 * over the regions, each already harmonised with `fromVersion` from an in-place submission of
 * 100 samples whose tiny FASTQ pairs are hard links to one template pair. Each version has a
 * real provenance.json (the registration's own builder, the spec's real checksum, the inputs'
 * checksums computed from the files): nothing ran and nothing was published, so it lists no
 * step, no tool and no output. A campaign can then rerun any selection of them; intake and the
 * comparison with the provenance run on every rerun, as they would at NGC.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildProvenance } from '../activities/provenance.ts';
import type { RegisterSampleInput } from '../activities/registration.ts';
import { PROJECT_ROOT } from '../config.ts';
import type { FileKind } from '../domain/manifest.ts';
import type { PlanVerdict } from '../domain/plan.ts';
import type { HarmonisationMode } from '../domain/policy.ts';
import { PROVENANCE_FILE } from '../domain/provenance.ts';
import { SAMPLE_RECORD_SCHEMA, type SampleRecord } from '../domain/sample-record.ts';
import { hashFile } from '../store/checksums.ts';
import { identityOf } from '../store/file-identity.ts';
import { createLayout, type Layout } from '../store/layout.ts';
import { PipelineRegistry, type LoadedPipeline } from '../store/pipelines.ts';

export interface SeedOptions {
  dataRoot: string;
  samples: number;
  regions: readonly string[];
  fromVersion?: string;
  mode?: HarmonisationMode;
  /** Samples per submission. */
  perSubmission?: number;
  /** Sample id prefix (ids are `<prefix><number>`, zero-padded to 6 digits). */
  prefix?: string;
  /** Where `fromVersion`'s spec is (its checksum goes into the provenance); default pipelines/. */
  pipelinesDir?: string;
}

export interface SeededCatalogue {
  sampleIds: string[];
  submissions: number;
}

export async function seedCatalogue(opts: SeedOptions): Promise<SeededCatalogue> {
  const layout = createLayout(opts.dataRoot);
  const perSubmission = opts.perSubmission ?? 100;
  const fromVersion = opts.fromVersion ?? '1';
  const prefix = opts.prefix ?? 'NGC';
  const pipeline = await new PipelineRegistry(
    opts.pipelinesDir ?? path.join(PROJECT_ROOT, 'pipelines'),
    layout.root,
  ).load(fromVersion);
  const template = path.join(layout.root, 'seed-template');
  await fs.mkdir(template, { recursive: true });
  const pair = await writeTemplatePair(template);
  await fs.mkdir(layout.catalogueDir, { recursive: true });
  const seeding: Seeding = {
    layout,
    pipeline,
    fromVersion,
    mode: opts.mode ?? 'full',
    pair,
    inputOf: inputReader(),
  };

  const sampleIds: string[] = [];
  let submissions = 0;
  for (let start = 0; start < opts.samples; start += perSubmission) {
    const ids: string[] = [];
    for (let n = start; n < Math.min(opts.samples, start + perSubmission); n++) {
      ids.push(`${prefix}${String(n).padStart(6, '0')}`);
    }
    await seedSubmission(seeding, {
      region: opts.regions[submissions % opts.regions.length]!,
      submissionId: `seed-${String(submissions).padStart(4, '0')}`,
      publishedAt: new Date(Date.UTC(2026, 0, 1) + submissions * 1000).toISOString(),
      sampleIds: ids,
    });
    sampleIds.push(...ids);
    submissions += 1;
  }
  return { sampleIds, submissions };
}

/** What every seeded submission shares. */
interface Seeding {
  layout: Layout;
  pipeline: LoadedPipeline;
  fromVersion: string;
  mode: HarmonisationMode;
  pair: Awaited<ReturnType<typeof writeTemplatePair>>;
  inputOf: ReturnType<typeof inputReader>;
}

interface SeededSubmission {
  region: string;
  submissionId: string;
  publishedAt: string;
  sampleIds: readonly string[];
}

interface ManifestEntry {
  sampleId: string;
  readType: 'short';
  consent: { research: boolean };
  files: { path: string; kind: FileKind; md5: string }[];
}

const SEEDED_VERDICT: PlanVerdict = {
  alignment: 'aligned',
  variants: 'called',
  reasons: ['seeded'],
};

/** One in-place submission (hard links and its manifest), and a harmonised record per sample. */
async function seedSubmission(seeding: Seeding, submission: SeededSubmission): Promise<void> {
  const { region, submissionId } = submission;
  const dir = seeding.layout.submissionDir(region, submissionId);
  await fs.mkdir(dir, { recursive: true });
  const entries: ManifestEntry[] = [];
  for (const sampleId of submission.sampleIds) {
    entries.push(await linkSampleFiles(dir, seeding.pair, sampleId));
  }
  const manifest = {
    schema: 'harmonise.submission/v1',
    region,
    submissionId,
    pipeline: { name: 'regional-germline', version: '1.0.0' },
    samples: entries,
  };
  await fs.writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
  await Promise.all(entries.map((entry) => seedSampleVersion(seeding, submission, dir, entry)));
}

/** A sample's FASTQ pair as hard links to the template pair, and its manifest entry. */
async function linkSampleFiles(
  dir: string,
  pair: Seeding['pair'],
  sampleId: string,
): Promise<ManifestEntry> {
  const files: ManifestEntry['files'] = [];
  for (const mate of pair) {
    const rel = `${sampleId}_${mate.suffix}.fastq.gz`;
    await fs.link(mate.file, path.join(dir, rel)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
    files.push({ path: rel, kind: mate.kind, md5: mate.md5 });
  }
  return { sampleId, readType: 'short', consent: { research: true }, files };
}

/** The sample's provenance.json and its catalogue record, harmonised with `fromVersion`. */
async function seedSampleVersion(
  seeding: Seeding,
  submission: SeededSubmission,
  dir: string,
  entry: ManifestEntry,
): Promise<void> {
  const { layout, fromVersion, mode } = seeding;
  const { region, submissionId, publishedAt } = submission;
  const { sampleId } = entry;
  const sample = {
    workflowId: `seed:${sampleId}`,
    sampleId,
    region,
    submissionId,
    readType: 'short' as const,
    consent: { research: true },
    mode,
    pipelineVersion: fromVersion,
  };
  const sampleDir = layout.sampleDir(sampleId, fromVersion);
  const provenanceFile = path.join(sampleDir, PROVENANCE_FILE);
  await writeSeedProvenance(provenanceFile, seeding.pipeline, {
    ...sample,
    runId: 'seed',
    verdict: SEEDED_VERDICT,
    inputs: await Promise.all(entry.files.map((f) => seeding.inputOf(dir, f))),
    steps: [],
    attempts: [],
    publish: {},
  });
  const record: SampleRecord = {
    schema: SAMPLE_RECORD_SCHEMA,
    sampleId,
    region,
    readType: 'short',
    consent: { research: true },
    versions: {
      [fromVersion]: {
        pipelineVersion: fromVersion,
        mode,
        status: 'harmonised',
        submissionId,
        workflowId: sample.workflowId,
        publishedAt,
        dir: sampleDir,
        files: { provenance: provenanceFile },
        sha256: {},
        verdict: SEEDED_VERDICT,
      },
    },
    updatedAt: publishedAt,
  };
  await fs.writeFile(layout.catalogueFile(sampleId), `${JSON.stringify(record)}\n`);
}

/**
 * A seeded file as a registration records it: kind, path, checksums (computed once per file,
 * since the seeded files are hard links to one template pair) and identity.
 */
function inputReader() {
  const sums = new Map<string, Promise<{ md5: string; sha256: string }>>();
  return async (
    submissionDir: string,
    file: { path: string; kind: FileKind },
  ): Promise<RegisterSampleInput['inputs'][number]> => {
    const name = path.join(submissionDir, file.path);
    const identity = identityOf(await fs.stat(name, { bigint: true }));
    const key = `${identity.dev}:${identity.ino}:${identity.size}:${identity.mtimeNs}`;
    let known = sums.get(key);
    if (known === undefined) {
      known = Promise.all([hashFile(name, 'md5'), hashFile(name, 'sha256')]).then(
        ([md5, sha256]) => ({ md5, sha256 }),
      );
      sums.set(key, known);
    }
    return { kind: file.kind, relativePath: file.path, ...(await known), identity };
  };
}

async function writeSeedProvenance(
  file: string,
  pipeline: LoadedPipeline,
  input: RegisterSampleInput,
): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const provenance = buildProvenance(input, pipeline, {});
  await fs.writeFile(file, `${JSON.stringify(provenance, null, 2)}\n`);
}

async function writeTemplatePair(dir: string) {
  const mates = [
    { suffix: 'R1', kind: 'fastq-r1' as const, mate: 1 },
    { suffix: 'R2', kind: 'fastq-r2' as const, mate: 2 },
  ];
  return Promise.all(
    mates.map(async ({ suffix, kind, mate }) => {
      const content = gzipSync(
        [1, 2, 3, 4]
          .map((n) => `@seed-read${n}/${mate}\nACGTACGTACGTACGT\n+\nIIIIIIIIIIIIIIII\n`)
          .join(''),
      );
      const file = path.join(dir, `template_${suffix}.fastq.gz`);
      await fs.writeFile(file, content);
      return { suffix, kind, file, md5: createHash('md5').update(content).digest('hex') };
    }),
  );
}
