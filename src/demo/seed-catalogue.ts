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
import { pathExists } from '../store/atomic.ts';
import { hashFile } from '../store/checksums.ts';
import { identityOf } from '../store/file-identity.ts';
import { createLayout } from '../store/layout.ts';
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
  const inputOf = inputReader();
  const template = path.join(layout.root, 'seed-template');
  await fs.mkdir(template, { recursive: true });
  const pair = await writeTemplatePair(template);
  await fs.mkdir(layout.catalogueDir, { recursive: true });

  const sampleIds: string[] = [];
  let submissions = 0;
  for (let start = 0; start < opts.samples; start += perSubmission) {
    const region = opts.regions[submissions % opts.regions.length]!;
    const submissionId = `seed-${String(submissions).padStart(4, '0')}`;
    const dir = layout.submissionDir(region, submissionId);
    await fs.mkdir(dir, { recursive: true });
    const entries = [];
    const ids: string[] = [];
    for (let n = start; n < Math.min(opts.samples, start + perSubmission); n++) {
      const sampleId = `${prefix}${String(n).padStart(6, '0')}`;
      ids.push(sampleId);
      const files = [];
      for (const mate of pair) {
        const rel = `${sampleId}_${mate.suffix}.fastq.gz`;
        await fs.link(mate.file, path.join(dir, rel)).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        });
        files.push({ path: rel, kind: mate.kind, md5: mate.md5 });
      }
      entries.push({ sampleId, readType: 'short', consent: { research: true }, files });
    }
    const manifest = {
      schema: 'harmonise.submission/v1',
      region,
      submissionId,
      pipeline: { name: 'regional-germline', version: '1.0.0' },
      samples: entries,
    };
    await fs.writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
    const publishedAt = new Date(Date.UTC(2026, 0, 1) + submissions * 1000).toISOString();
    const mode = opts.mode ?? 'full';
    const verdict: PlanVerdict = {
      alignment: 'aligned',
      variants: 'called',
      reasons: ['seeded'],
    };
    await Promise.all(
      entries.map(async (entry) => {
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
        await writeSeedProvenance(provenanceFile, pipeline, {
          ...sample,
          runId: 'seed',
          verdict,
          inputs: await Promise.all(entry.files.map((f) => inputOf(dir, f))),
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
              verdict,
            },
          },
          updatedAt: publishedAt,
        };
        await fs.writeFile(layout.catalogueFile(sampleId), `${JSON.stringify(record)}\n`);
      }),
    );
    sampleIds.push(...ids);
    submissions += 1;
  }
  return { sampleIds, submissions };
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

/**
 * Writes one catalogue record of a sample done with `pipelineVersion` whose published gVCF is
 * `gvcf` (frequency release tests and the frequency benchmark). A mode-none sample carries the
 * registration's judgement of its gVCF, as planning records it.
 */
export async function writeReleasableRecord(
  dataRoot: string,
  sample: {
    sampleId: string;
    region: string;
    gvcf: string;
    mode?: HarmonisationMode;
    pipelineVersion?: string;
    consent?: SampleRecord['consent'];
    registeredGvcf?: { releasable: boolean; reason: string };
  },
): Promise<SampleRecord> {
  const layout = createLayout(dataRoot);
  const pipelineVersion = sample.pipelineVersion ?? '1';
  const mode = sample.mode ?? 'full';
  const publishedAt = new Date(Date.UTC(2026, 0, 1)).toISOString();
  const record: SampleRecord = {
    schema: SAMPLE_RECORD_SCHEMA,
    sampleId: sample.sampleId,
    region: sample.region,
    readType: 'short',
    consent: sample.consent ?? { research: true },
    versions: {
      [pipelineVersion]: {
        pipelineVersion,
        mode,
        status: mode === 'none' ? 'registered' : 'harmonised',
        submissionId: 'seeded',
        workflowId: `seed:${sample.sampleId}`,
        publishedAt,
        dir: path.dirname(sample.gvcf),
        files: { gvcf: sample.gvcf, tbi: `${sample.gvcf}.tbi` },
        // As publication records it, so that a release can tell a gVCF it has read before.
        sha256: (await pathExists(sample.gvcf))
          ? { [path.basename(sample.gvcf)]: await hashFile(sample.gvcf, 'sha256') }
          : {},
        verdict: {
          alignment: mode === 'none' ? 'registered' : 'aligned',
          variants: mode === 'none' ? 'registered' : 'called',
          reasons: ['seeded'],
          ...(sample.registeredGvcf ? { registeredGvcf: sample.registeredGvcf } : {}),
        },
      },
    },
    updatedAt: publishedAt,
  };
  await fs.mkdir(layout.catalogueDir, { recursive: true });
  await fs.writeFile(layout.catalogueFile(sample.sampleId), `${JSON.stringify(record)}\n`);
  return record;
}
