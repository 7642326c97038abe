// layout.json (what the demo made and where) and the submission manifests, and the checks that
// decide whether what is on disk can be reused.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Karyotype } from '../domain/karyotype.ts';
import type { SexChromosomes } from '../domain/ploidy.ts';
import {
  DEMO_SEX_CHROMOSOMES,
  DEMO_SUBMISSIONS,
  NATIONAL_PIPELINE_VERSION,
  UNCOVERED,
  demoPolicy,
  inputKinds,
  modeOf,
  readTypeOf,
  type DemoGenome,
  type DemoPolicy,
  type DemoSubmissionSpec,
  type HarmonisationMode,
  type Interval,
  type ReadType,
} from './model.ts';
import {
  REFERENCE_FILES,
  demoReferences,
  expectedSequences,
  referenceFastaOf,
  type ReferenceSequence,
} from './reference.ts';
import type { ManifestSample } from './samples.ts';
import { exists } from './tools.ts';

export interface DemoSample {
  sampleId: string;
  region: string;
  submissionId: string;
  /** `short` for paired reads (FASTQ, unaligned CRAM, CRAM); `long` for HiFi-like reads. */
  readType: ReadType;
  /** The manifest kinds this sample submitted, in manifest order. */
  kinds: string[];
  /** The mode the demo's policy gives the sample's region. */
  expectedMode: HarmonisationMode;
  /** Absolute path; bgzipped, tabix-indexed, normalised with `bcftools norm -f`. */
  truthVcf: string;
  /** The stretch with no reads for this sample. */
  zeroCoverage: Interval | null;
  /** The karyotype its reads have. */
  karyotype: Karyotype;
  /** The karyotype its manifest states (null: none, harmonise infers it). */
  statedKaryotype: Karyotype | null;
}

export interface DemoReference {
  version: string;
  fasta: string;
  sequences: ReferenceSequence[];
}

export interface DemoLayout {
  seed: number;
  /** The national pipeline: its reference is `referenceFasta`, with `sequences`. */
  pipelineVersion: typeof NATIONAL_PIPELINE_VERSION;
  referenceFasta: string;
  sequences: ReferenceSequence[];
  /** Every reference folder the demo built, the national one among them. */
  references: DemoReference[];
  sexChromosomes: SexChromosomes;
  /** A stretch no sample has reads over (and no truth site is in). */
  uncovered: Interval;
  /** NGC's policy for the demo; the demo CLI writes it as policy.json. */
  policy: DemoPolicy;
  submissions: { region: string; submissionId: string; dir: string }[];
  samples: DemoSample[];
}

export function layoutPaths(dataRoot: string) {
  return {
    layout: path.join(dataRoot, 'demo', 'layout.json'),
    referenceFasta: referenceFastaOf(dataRoot, NATIONAL_PIPELINE_VERSION),
    submissionDir: (region: string, id: string) => path.join(dataRoot, 'inbox', region, id),
    truthVcf: (sampleId: string) =>
      path.join(dataRoot, 'demo', 'truth', `${sampleId}.truth.vcf.gz`),
  };
}

/** The submissions of the given regions (all when undefined), in table order. */
export function selectSubmissions(
  regions?: readonly string[],
  table: readonly DemoSubmissionSpec[] = DEMO_SUBMISSIONS,
): DemoSubmissionSpec[] {
  if (!regions) return [...table];
  const known = new Set(table.map((s) => s.region));
  const unknown = regions.filter((r) => !known.has(r));
  if (unknown.length > 0) {
    throw new Error(
      `demo data: no demo region ${unknown.join(', ')}; known: ${[...known].join(', ')}`,
    );
  }
  return table.filter((s) => regions.includes(s.region));
}

/** The layout of the selected submissions; everything in it follows from seed and data root. */
export function buildLayout(
  dataRoot: string,
  genome: DemoGenome,
  selected: readonly DemoSubmissionSpec[],
): DemoLayout {
  const paths = layoutPaths(dataRoot);
  const policy = demoPolicy();
  const ids = new Set(selected.map((s) => s.submissionId));
  const references = demoReferences(genome.contigs).map((r) => ({
    version: r.version,
    fasta: referenceFastaOf(dataRoot, r.version),
    sequences: expectedSequences(r.contigs),
  }));
  const national = references.find((r) => r.version === NATIONAL_PIPELINE_VERSION)!;
  return {
    seed: genome.seed,
    pipelineVersion: NATIONAL_PIPELINE_VERSION,
    referenceFasta: national.fasta,
    sequences: national.sequences,
    references,
    sexChromosomes: DEMO_SEX_CHROMOSOMES,
    uncovered: UNCOVERED,
    policy,
    submissions: selected.map((s) => ({
      region: s.region,
      submissionId: s.submissionId,
      dir: paths.submissionDir(s.region, s.submissionId),
    })),
    samples: genome.samples
      .filter((s) => ids.has(s.submissionId))
      .map((s) => ({
        sampleId: s.sampleId,
        region: s.region,
        submissionId: s.submissionId,
        readType: readTypeOf(s.input),
        kinds: inputKinds(s.input),
        expectedMode: modeOf(policy, s.region),
        truthVcf: paths.truthVcf(s.sampleId),
        zeroCoverage: s.zeroCoverage,
        karyotype: s.karyotype,
        statedKaryotype: s.statedKaryotype,
      })),
  };
}

export function manifestText(sub: DemoSubmissionSpec, samples: ManifestSample[]): string {
  const manifest = {
    schema: 'harmonise.submission/v1',
    region: sub.region,
    submissionId: sub.submissionId,
    pipeline: { name: sub.pipeline.name, version: sub.pipeline.version },
    samples,
  };
  return JSON.stringify(manifest, null, 2) + '\n';
}

interface ReadManifest {
  samples?: {
    sampleId?: unknown;
    karyotype?: unknown;
    files?: { path?: unknown; kind?: unknown }[];
  }[];
}

/** Why a submission folder is not what this generator makes; `stale`: made by another version. */
export interface SubmissionProblem {
  stale: boolean;
  reason: string;
}

/**
 * Checks an existing submission folder against the sample table: null if its manifest lists the
 * expected samples and kinds and every listed file exists.
 */
export async function submissionProblem(
  dir: string,
  sub: DemoSubmissionSpec,
): Promise<SubmissionProblem | null> {
  let manifest: ReadManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ReadManifest;
  } catch {
    return { stale: false, reason: 'no readable manifest.json' };
  }
  // The stated karyotype is listed too: a folder from before the demo had sex chromosomes has none.
  const found = (manifest.samples ?? []).map((s) =>
    [s.sampleId, ...(s.karyotype ? [s.karyotype] : []), ...(s.files ?? []).map((f) => f.kind)].join(
      ' ',
    ),
  );
  const wanted = sub.samples.map((s) =>
    [s.sampleId, ...(s.statedKaryotype ? [s.statedKaryotype] : []), ...inputKinds(s.input)].join(
      ' ',
    ),
  );
  if (found.join() !== wanted.join()) {
    const reason = `its manifest lists [${found.join(', ')}], this generator makes [${wanted.join(', ')}]`;
    return { stale: true, reason };
  }
  const files = (manifest.samples ?? []).flatMap((s) => s.files ?? []);
  for (const f of files) {
    if (typeof f.path !== 'string' || !(await exists(path.join(dir, f.path)))) {
      return { stale: false, reason: `${String(f.path)} is missing` };
    }
  }
  return null;
}

/** True if layout.json covers `expected` (it may hold more regions) and all its files exist. */
export async function isComplete(
  dataRoot: string,
  expected: DemoLayout,
  table: readonly DemoSubmissionSpec[] = DEMO_SUBMISSIONS,
): Promise<boolean> {
  const paths = layoutPaths(dataRoot);
  try {
    const onDisk = JSON.parse(await readFile(paths.layout, 'utf8')) as DemoLayout;
    const regions = new Set(expected.submissions.map((s) => s.region));
    const view: DemoLayout = {
      ...onDisk,
      submissions: onDisk.submissions.filter((s) => regions.has(s.region)),
      samples: onDisk.samples.filter((s) => regions.has(s.region)),
    };
    if (JSON.stringify(view) !== JSON.stringify(expected)) return false;
    const files = [
      ...expected.references.flatMap((r) =>
        REFERENCE_FILES.map((f) => path.join(path.dirname(r.fasta), f)),
      ),
      ...expected.samples.flatMap((s) => [s.truthVcf, `${s.truthVcf}.tbi`]),
    ];
    if (!(await Promise.all(files.map((f) => exists(f)))).every(Boolean)) return false;
    for (const sub of expected.submissions) {
      const spec = table.find((s) => s.submissionId === sub.submissionId)!;
      if ((await submissionProblem(sub.dir, spec)) !== null) return false;
    }
    return true;
  } catch {
    return false; // missing or malformed: regenerate
  }
}
