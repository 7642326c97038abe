// Writes the synthetic demo data under a data root: the reference, one in-place submission per
// region (FASTQ + manifest), truth VCFs beside them, and layout.json last. Deterministic from
// the seed; idempotent; every visible folder appears by an atomic rename.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { execa } from 'execa';
import {
  DEMO_SUBMISSIONS,
  buildDemoGenome,
  fastaText,
  haplotypeRecords,
  truthVcfText,
  type DemoGenome,
  type Interval,
  type SampleTruth,
} from './genome.ts';
import { deriveSeed } from './prng.ts';

export type { Interval } from './genome.ts';

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
  sequences: { name: string; length: number; md5: string }[];
  submissions: { region: string; submissionId: string; dir: string }[];
  samples: DemoSample[];
}

export const DEFAULT_SEED = 20261126;
const PIPELINE_VERSION = '1';
const TARGET_COVERAGE = 25;
const READ_LENGTH = 150;
const SIM_CONCURRENCY = 2;
const REFERENCE_FILES = [
  'genome.dict',
  ...['', '.fai', '.amb', '.ann', '.bwt', '.pac', '.sa'].map((s) => `genome.fa${s}`),
];
/** Tool → the Debian package that provides it. */
const TOOLS: Record<string, string> = {
  bwa: 'bwa',
  samtools: 'samtools',
  bcftools: 'bcftools',
  tabix: 'tabix',
  dwgsim: 'dwgsim',
};

export class MissingToolError extends Error {
  override readonly name = 'MissingToolError';
  constructor(readonly tool: string) {
    super(`demo data: '${tool}' is not on PATH; install the Debian package '${TOOLS[tool]}'`);
  }
}

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const exists = (p: string, mode = constants.F_OK) =>
  access(p, mode)
    .then(() => true)
    .catch(() => false);

async function assertTools(): Promise<void> {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  for (const tool of Object.keys(TOOLS)) {
    const found = await Promise.all(dirs.map((d) => exists(path.join(d, tool), constants.X_OK)));
    if (!found.includes(true)) throw new MissingToolError(tool);
  }
}

/** Renames a staged folder into place; false if someone else put one there first. */
async function publish(staging: string, dest: string): Promise<boolean> {
  try {
    await rename(staging, dest);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw err;
  }
}

async function run(tool: string, args: string[], cwd?: string): Promise<string> {
  const result = await execa(tool, args, {
    ...(cwd ? { cwd } : {}),
    reject: false,
    stdin: 'ignore',
  });
  if (result.failed) {
    if ((result as { code?: string }).code === 'ENOENT') throw new MissingToolError(tool);
    throw new Error(
      `${tool} ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.stderr.slice(-2000)}`,
    );
  }
  return result.stderr;
}

/** Writes a file and fsyncs it. */
async function writeDurable(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeDurable(tmp, data);
  await rename(tmp, file);
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function parseDict(text: string): DemoLayout['sequences'] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('@SQ\t'))
    .map((line) => {
      const tags = new Map(
        line
          .split('\t')
          .slice(1)
          .map((t) => [t.slice(0, 2), t.slice(3)]),
      );
      return {
        name: tags.get('SN') ?? '',
        length: Number(tags.get('LN')),
        md5: tags.get('M5') ?? '',
      };
    });
}

const expectedSequences = (genome: DemoGenome): DemoLayout['sequences'] =>
  genome.contigs.map((c) => ({
    name: c.name,
    length: c.seq.length,
    md5: createHash('md5').update(c.seq).digest('hex'),
  }));

const sameSequences = (a: DemoLayout['sequences'], b: DemoLayout['sequences']) =>
  JSON.stringify(a) === JSON.stringify(b);

/** Reuses reference/1 if it matches the seed; else builds it in a temp folder and renames it in. */
async function ensureReference(dataRoot: string, genome: DemoGenome, log: (m: string) => void) {
  const dir = path.join(dataRoot, 'reference', PIPELINE_VERSION);
  const fasta = path.join(dir, 'genome.fa');
  const expected = expectedSequences(genome);
  const reuse = async () => {
    const dict = path.join(dir, 'genome.dict');
    const found = (await exists(dict)) ? parseDict(await readFile(dict, 'utf8')) : [];
    if (!sameSequences(found, expected)) {
      throw new Error(`${dir} exists but was not made from seed ${genome.seed}; use another root`);
    }
    for (const file of REFERENCE_FILES) {
      if (!(await exists(path.join(dir, file)))) throw new Error(`${dir}/${file} is missing`);
    }
    log(`reference: reusing ${dir}`);
    return { fasta, sequences: found };
  };
  if (await exists(dir)) return reuse();
  await mkdir(path.dirname(dir), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(dir), `.${PIPELINE_VERSION}.tmp-`));
  try {
    await writeDurable(path.join(staging, 'genome.fa'), fastaText(genome.contigs));
    await run('samtools', ['faidx', 'genome.fa'], staging);
    // The dict's UR names where the file will live, not the staging folder.
    await run(
      'samtools',
      ['dict', '-u', `file://${fasta}`, '-o', 'genome.dict', 'genome.fa'],
      staging,
    );
    await run('bwa', ['index', 'genome.fa'], staging);
    const sequences = parseDict(await readFile(path.join(staging, 'genome.dict'), 'utf8'));
    if (!sameSequences(sequences, expected)) {
      throw new Error('samtools dict M5 tags differ from the generated sequences');
    }
    if (!(await publish(staging, dir))) return reuse();
    log(`reference: wrote ${dir}`);
    return { fasta, sequences };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

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

interface FastqSum {
  reads: number;
  md5: string;
  sha256: string;
}

/** Concatenates gzipped FASTQs into one gzip member (Node's zlib: no timestamp, so deterministic). */
async function concatFastqGz(inputs: string[], output: string): Promise<FastqSum> {
  const plain = Buffer.concat(
    await Promise.all(inputs.map(async (f) => gunzipAsync(await readFile(f)))),
  );
  let lines = 0;
  for (let i = plain.indexOf(10); i !== -1; i = plain.indexOf(10, i + 1)) lines++;
  // Level 1: FASTQ at level 6 is ~10× slower for ~12% smaller files; the demo wants speed.
  const packed = await gzipAsync(plain, { level: 1 });
  await writeDurable(output, packed);
  return {
    reads: lines / 4,
    md5: createHash('md5').update(packed).digest('hex'),
    sha256: createHash('sha256').update(packed).digest('hex'),
  };
}

async function simulateSample(
  genome: DemoGenome,
  sample: SampleTruth,
  scratch: string,
  outDir: string,
) {
  const id = sample.sampleId;
  const raw: string[] = [];
  for (const haplotype of [0, 1] as const) {
    const name = `${id}.h${haplotype + 1}`;
    const fa = path.join(scratch, `${name}.fa`);
    await writeDurable(
      fa,
      fastaText(haplotypeRecords(genome.contigs, sample.calls, haplotype, sample.zeroCoverage)),
    );
    const zSeed = deriveSeed(genome.seed, 'dwgsim', id, haplotype + 1);
    const coverage = String(TARGET_COVERAGE / 2);
    const len = String(READ_LENGTH);
    // Per-base error rates of 0.1% / 0.2% give Illumina-like base qualities (about Q30 / Q27);
    // dwgsim's default of 2% gives Q17, below the national caller's minimum base quality.
    await run('dwgsim', [
      ...['-d', '350', '-s', '35', '-1', len, '-2', len, '-C', coverage],
      ...['-e', '0.001', '-E', '0.002'],
      ...['-r', '0', '-R', '0', '-y', '0', '-H', '-z', String(zSeed), '-o', '1', '-P', name],
      fa,
      path.join(scratch, name),
    ]);
    raw.push(path.join(scratch, name));
  }
  await mkdir(path.join(outDir, id));
  const r1 = await concatFastqGz(
    raw.map((p) => `${p}.bwa.read1.fastq.gz`),
    path.join(outDir, id, `${id}_R1.fastq.gz`),
  );
  const r2 = await concatFastqGz(
    raw.map((p) => `${p}.bwa.read2.fastq.gz`),
    path.join(outDir, id, `${id}_R2.fastq.gz`),
  );
  if (r1.reads !== r2.reads || r1.reads === 0)
    throw new Error(`${id}: R1 has ${r1.reads} reads, R2 ${r2.reads}`);
  return { sampleId: id, r1, r2 };
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
