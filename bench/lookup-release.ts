/**
 * The lookup benchmark's release, generated once per seed, size and generator version into a
 * cache folder (`<dir>/lookup-s<sites>-seed<seed>-<version>`, published by rename when whole):
 *
 * - `reference/genome.fa` (+ `samtools faidx` and `samtools dict`): lookup-model.ts's sequences;
 * - `pipelines/2-lookup.json`: pipeline 2's spec on that reference (md5s from the dict), for
 *   HARMONISE_PIPELINES, so the lookup normalises queried variants against it;
 * - `release/<id>/`: `frequencies.vcf.gz` with exactly `sites` records, its header the engine's
 *   own (src/frequency/vcf-header.ts) and its INFO field for field the engine's (lookup-info.ts);
 *   `an.tsv.gz` with runs over every base; both bgzipped and indexed with `bgzip` and `tabix`;
 *   `summary.json` in the shape a published release has (no engine costs: nothing ran);
 * - `sites.tsv`: `chrom pos ref alt AC AN` of every record, what the benchmark checks answers by.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, openSync, closeSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { RELEASE_SCHEMA } from '../src/activities/frequency.ts';
import { strataTags } from '../src/activities/release-track.ts';
import { PROJECT_ROOT } from '../src/config.ts';
import { pipelineSpecSchema } from '../src/domain/pipeline.ts';
import { PUBLIC_RELEASE_FILES } from '../src/domain/shards.ts';
import { HOM_ALT_TAG } from '../src/frequency/strata.ts';
import { releaseVcfHeader } from '../src/frequency/vcf-header.ts';
import { parseDictMd5s } from '../src/store/pipelines.ts';
import { digestFiles } from '../src/store/source-digest.ts';
import { fastaFiles } from './cohort/reference.ts';
import { infoWriter, PIPELINE_2_LAYOUT } from './lookup-info.ts';
import { COHORT, GROUPS, LOOKUP_REGIONS, SEQUENCES, SEX_CHROMOSOMES } from './lookup-model.ts';
import { makeSequence, type LookupSequence } from './lookup-reference.ts';
import { sequenceLines, type TrackStats } from './lookup-sequence.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCES = [
  'lookup-model.ts',
  'lookup-reference.ts',
  'lookup-sites.ts',
  'lookup-sequence.ts',
  'lookup-info.ts',
  'lookup-release.ts',
];

export const LOOKUP_PIPELINE = '2-lookup';
/** A release id as the engine makes them (a time); fixed, so a cache entry has one. */
export const LOOKUP_RELEASE_ID = '20260101T000000.000Z';

export interface LookupRelease {
  /** The cache entry. */
  dir: string;
  releaseId: string;
  /** The release's files (frequencies.vcf.gz, an.tsv.gz, their .tbi, summary.json). */
  releaseDir: string;
  pipelinesDir: string;
  reference: string;
  sites: number;
  /** `chrom pos ref alt AC AN` of every record. */
  sitesFile: string;
  seed: number;
  generateSeconds: number;
}

/** The generator's version: a digest of its sources and the engine code it copies. */
function generatorVersion(): string {
  const files = [
    ...SOURCES.map((f) => path.join(HERE, f)),
    path.join(PROJECT_ROOT, 'src/frequency/strata.ts'),
    path.join(PROJECT_ROOT, 'src/frequency/vcf-header.ts'),
    path.join(PROJECT_ROOT, 'src/demo/prng.ts'),
    path.join(PROJECT_ROOT, 'pipelines/2.json'),
  ];
  return digestFiles('harmonise bench lookup', PROJECT_ROOT, files).slice(0, 12);
}

/** Text into `bgzip -c > file`, with back-pressure. */
function bgzipTo(file: string) {
  const fd = openSync(file, 'w');
  const child = spawn('bgzip', ['-c'], { stdio: ['pipe', fd, 'inherit'] });
  closeSync(fd);
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bgzip > ${file} exited ${code}`)),
    );
  });
  const stdin = child.stdin!;
  return {
    write: async (text: string) => {
      if (!stdin.write(text)) await new Promise((resolve) => stdin.once('drain', resolve));
    },
    close: async () => {
      stdin.end();
      await exited;
    },
  };
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Records per sequence: `sites` over the callable bases, weighted by density. */
export function recordsPerSequence(sequences: readonly LookupSequence[], sites: number): number[] {
  const weights = sequences.map(
    (s) => s.density * s.callable.reduce((sum, c) => sum + c.end - c.start + 1, 0),
  );
  const total = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (sites * w) / total);
  const counts = exact.map(Math.floor);
  const byRemainder = exact.map((e, i) => [e - counts[i]!, i] as const).sort((a, b) => b[0] - a[0]);
  for (let i = 0; counts.reduce((s, c) => s + c, 0) < sites; i++) counts[byRemainder[i]![1]]! += 1;
  return counts;
}

async function writeReference(dir: string, finalFasta: string, sequences: LookupSequence[]) {
  await fs.mkdir(dir, { recursive: true });
  const fasta = path.join(dir, 'genome.fa');
  await fs.writeFile(fasta, fastaFiles(sequences).fasta);
  await execa('samtools', ['faidx', fasta]);
  const dict = path.join(dir, 'genome.dict');
  await execa('samtools', ['dict', '-u', `file://${finalFasta}`, '-o', dict, fasta]);
  const md5s = parseDictMd5s(await fs.readFile(dict, 'utf8'));
  return sequences.map((s) => ({ name: s.name, length: s.seq.length, md5: md5s.get(s.name)! }));
}

type Sequences = Awaited<ReturnType<typeof writeReference>>;

async function writePipelineSpec(dir: string, fasta: string, name: string, sequences: Sequences) {
  const spec = JSON.parse(
    await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '2.json'), 'utf8'),
  ) as Record<string, unknown>;
  Object.assign(spec, {
    version: LOOKUP_PIPELINE,
    name: 'lookup benchmark release',
    description: `Pipeline 2 on the lookup benchmark's synthetic reference; benchmark data only.`,
    reference: { name, fasta, sequences },
    sexChromosomes: { x: SEX_CHROMOSOMES.x, y: SEX_CHROMOSOMES.y, par: SEX_CHROMOSOMES.par },
  });
  pipelineSpecSchema.parse(spec);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, `${LOOKUP_PIPELINE}.json`),
    `${JSON.stringify(spec, null, 2)}\n`,
  );
}

/** The VCF, the track and sites.tsv, sequence by sequence. */
async function writeRecords(args: {
  seed: number;
  sites: number;
  sequences: LookupSequence[];
  releaseDir: string;
  sitesFile: string;
  header: string;
}): Promise<TrackStats> {
  const vcf = bgzipTo(path.join(args.releaseDir, 'frequencies.vcf.gz'));
  const track = bgzipTo(path.join(args.releaseDir, 'an.tsv.gz'));
  const truth = await fs.open(args.sitesFile, 'w');
  await vcf.write(args.header);
  await track.write(
    `${['#chrom', 'start', 'end', 'AN', ...LOOKUP_REGIONS.map((r) => `AN_${r}`)].join('\t')}\n`,
  );
  const info = infoWriter(PIPELINE_2_LAYOUT, LOOKUP_REGIONS);
  const stats: TrackStats = { bases: 0, wellCovered: 0 };
  const counts = recordsPerSequence(args.sequences, args.sites);
  for (const [i, sequence] of args.sequences.entries()) {
    let sites: string[] = [];
    for (const item of sequenceLines(args.seed, sequence, counts[i]!, info, stats)) {
      if (item.kind === 'track') await track.write(`${item.line}\n`);
      else {
        await vcf.write(`${item.line}\n`);
        const t = item.truth;
        sites.push(`${t.chrom}\t${t.pos}\t${t.ref}\t${t.alt}\t${t.AC}\t${t.AN}\n`);
        if (sites.length >= 10_000) {
          await truth.write(sites.join(''));
          sites = [];
        }
      }
    }
    await truth.write(sites.join(''));
  }
  await truth.close();
  await Promise.all([vcf.close(), track.close()]);
  return stats;
}

async function writeSummary(args: {
  releaseDir: string;
  referenceName: string;
  sequences: Sequences;
  sites: number;
  stats: TrackStats;
  seed: number;
}) {
  const spec = pipelineSpecSchema.parse(
    JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '2.json'), 'utf8')),
  );
  const files: Record<string, { sha256: string }> = {};
  for (const name of ['frequencies.vcf.gz', 'frequencies.vcf.gz.tbi', 'an.tsv.gz', 'an.tsv.gz.tbi'])
    files[name] = { sha256: await sha256(path.join(args.releaseDir, name)) };
  const karyotypes = { XX: 0, XY: 0, unknown: 0 };
  for (const g of GROUPS) karyotypes[g.karyotype] += g.samples;
  const samples = GROUPS.reduce((s, g) => s + g.samples, 0);
  const summary = {
    schema: RELEASE_SCHEMA,
    releaseId: LOOKUP_RELEASE_ID,
    createdAt: '2026-01-01T00:00:00.000Z',
    pipelineVersion: LOOKUP_PIPELINE,
    pipelineVersions: [LOOKUP_PIPELINE],
    reference: { name: args.referenceName, sequences: args.sequences },
    samples,
    samplesPerRegion: Object.fromEntries(
      LOOKUP_REGIONS.map((r) => [r, Object.values(COHORT[r]).reduce((s, n) => s + n, 0)]),
    ),
    samplesPerMode: { full: samples },
    samplesPerKaryotype: karyotypes,
    policy: { includeModeNone: false },
    excluded: [],
    sites: args.sites,
    tags: {
      overall: [...spec.frequency.tags, HOM_ALT_TAG],
      perRegion: [...LOOKUP_REGIONS],
      strata: strataTags(spec),
    },
    files,
    anTrack: {
      file: 'an.tsv.gz',
      index: 'an.tsv.gz.tbi',
      coverage: {
        referenceBases: args.stats.bases,
        basesAtLeast80PercentOfMaxAN: args.stats.wellCovered,
        fractionAtLeast80PercentOfMaxAN:
          Math.round((args.stats.wellCovered / args.stats.bases) * 1e6) / 1e6,
      },
    },
    privacy: { floor: 5, belowFloor: 'flag', publicFiles: PUBLIC_RELEASE_FILES },
    generatedBy: { benchmark: 'lookup', seed: args.seed },
  };
  await fs.writeFile(
    path.join(args.releaseDir, 'summary.json'),
    `${JSON.stringify(summary, null, 2)}\n`,
  );
}

/** Every file of a cache entry under `files`; `final` is where the FASTA will be once renamed. */
async function generate(args: {
  seed: number;
  sites: number;
  version: string;
  files: { releaseDir: string; pipelinesDir: string; reference: string; sitesFile: string };
  final: string;
}) {
  const { seed, sites, files } = args;
  await fs.mkdir(files.releaseDir, { recursive: true });
  const sequences = SEQUENCES.map((_, i) => makeSequence(seed, i));
  const referenceName = `harmonise-bench-lookup-seed${seed}-${args.version}`;
  const pinned = await writeReference(path.dirname(files.reference), args.final, sequences);
  await writePipelineSpec(files.pipelinesDir, args.final, referenceName, pinned);
  const header = releaseVcfHeader({
    reference: args.final,
    contigs: pinned,
    regions: LOOKUP_REGIONS,
    layout: PIPELINE_2_LAYOUT,
  });
  const stats = await writeRecords({
    seed,
    sites,
    sequences,
    releaseDir: files.releaseDir,
    sitesFile: files.sitesFile,
    header,
  });
  const vcf = path.join(files.releaseDir, 'frequencies.vcf.gz');
  await execa('tabix', ['-p', 'vcf', vcf]);
  await execa('tabix', ['-s', '1', '-b', '2', '-e', '3', path.join(files.releaseDir, 'an.tsv.gz')]);
  const counted = Number((await execa('bcftools', ['index', '-n', vcf])).stdout.trim());
  if (counted !== sites) throw new Error(`${vcf} holds ${counted} records, not ${sites}`);
  await writeSummary({
    releaseDir: files.releaseDir,
    referenceName,
    sequences: pinned,
    sites,
    stats,
    seed,
  });
}

/** The cache entry for `sites` and `seed`, generated first if it is not there. */
export async function prepareLookupRelease(options: {
  dir: string;
  sites: number;
  seed: number;
  log: (text: string) => void;
}): Promise<LookupRelease> {
  const { sites, seed } = options;
  const version = generatorVersion();
  const name = `lookup-s${sites}-seed${seed}-${version}`;
  const dir = path.join(options.dir, name);
  const layout = (root: string) => ({
    releaseDir: path.join(root, 'release', LOOKUP_RELEASE_ID),
    pipelinesDir: path.join(root, 'pipelines'),
    reference: path.join(root, 'reference', 'genome.fa'),
    sitesFile: path.join(root, 'sites.tsv'),
  });
  const about = (root: string) => path.join(root, 'lookup-release.json');
  const final = layout(dir);
  const cached = await fs.readFile(about(dir), 'utf8').catch(() => null);
  if (cached !== null) {
    const { generateSeconds } = JSON.parse(cached) as { generateSeconds: number };
    return { dir, releaseId: LOOKUP_RELEASE_ID, ...final, sites, seed, generateSeconds };
  }
  const staging = path.join(options.dir, `.tmp-${process.pid}-${name}`);
  await fs.rm(staging, { recursive: true, force: true });
  options.log(`generating a release of ${sites} sites in ${dir}`);
  const started = process.hrtime.bigint();
  try {
    await generate({ seed, sites, version, files: layout(staging), final: final.reference });
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
  const generateSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await fs.writeFile(
    about(staging),
    `${JSON.stringify({ sites, seed, version, generateSeconds }, null, 2)}\n`,
  );
  await fs.rename(staging, dir);
  options.log(`generated in ${generateSeconds.toFixed(1)} s`);
  return { dir, releaseId: LOOKUP_RELEASE_ID, ...final, sites, seed, generateSeconds };
}
