/**
 * generateCohort: the first N genomes of the synthetic cohort of a seed, as bgzipped and
 * tabix-indexed single-sample gVCFs against the cohort's own reference, cached under `dir`.
 *
 * The cache folder is named by the seed and a digest of the generator's sources, so a changed
 * generator never reuses old files. Genome i depends only on the seed and i, so the 400 genomes
 * of a small cohort are the first 400 of a large one and a series of sizes shares them; each
 * genome is its own cache entry, published by rename once its index is written.
 */
import { execa } from 'execa';
import { fork } from 'node:child_process';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestFiles } from '../../src/store/source-digest.ts';
import { regionOf } from './genome.ts';
import { COHORT_REGIONS, sampleIdOf, type CohortRegion } from './model.ts';
import { makePopulation } from './population.ts';
import { fastaFiles, sequencesOf } from './reference.ts';
import { staging, writeGenome, type GenomeJob } from './write-genome.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The checkout: `--import tsx` in a worker resolves from here. */
const PROJECT_ROOT = path.resolve(HERE, '../..');
const PRNG = path.resolve(HERE, '../../src/demo/prng.ts');
const WORKER = path.join(HERE, 'worker.ts');

export const DEFAULT_COHORT_CACHE = path.join(os.tmpdir(), 'harmonise-bench-cohorts');

export interface CohortSample {
  sampleId: string;
  region: CohortRegion;
  /** Absolute path of the bgzipped gVCF; its tabix index is beside it (`.tbi`). */
  gvcf: string;
}

export interface Cohort {
  /** The cohort's folder in the cache. */
  dir: string;
  /** Absolute path of the reference FASTA (`.fai` and `.dict` beside it). */
  reference: string;
  sequences: { name: string; length: number; md5: string }[];
  samples: CohortSample[];
}

export interface CohortOptions {
  /** The cache folder; each seed and generator version gets its own folder in it. */
  dir: string;
  samples: number;
  seed: number;
  /** Genomes in flight at once (default: the CPUs). */
  concurrency?: number;
  log?: (message: string) => void;
}

const exists = (file: string) =>
  fs.access(file, constants.F_OK).then(
    () => true,
    () => false,
  );

/** The generator's version: a digest of its own sources and the PRNG it draws from. */
export async function generatorVersion(): Promise<string> {
  const sources = (await fs.readdir(HERE)).filter((f) => f.endsWith('.ts')).sort();
  const files = [...sources.map((f) => path.join(HERE, f)), PRNG];
  return digestFiles('harmonise bench cohort', PROJECT_ROOT, files).slice(0, 12);
}

/** Writes the genomes in `children` processes (worker.ts), each fed one genome at a time. */
async function inChildren(jobs: GenomeJob[], children: number, onDone: () => void) {
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const child = fork(WORKER, [], {
        cwd: PROJECT_ROOT,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (message: { done?: number }) => {
        if (message.done !== undefined) onDone();
        child.send(next < jobs.length ? { job: jobs[next++] } : {});
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code === 0) resolve();
        else {
          next = jobs.length;
          reject(new Error(`a cohort worker failed (${code ?? signal}); its error is above`));
        }
      });
    });
  await Promise.all(Array.from({ length: children }, one));
}

async function writeReference(dir: string, population: ReturnType<typeof makePopulation>) {
  const fasta = path.join(dir, 'genome.fa');
  if (await exists(`${fasta}.fai`)) return fasta;
  await fs.mkdir(dir, { recursive: true });
  const { fasta: text, fai } = fastaFiles(population.contigs);
  const files = {
    fasta: staging(fasta),
    dict: staging(path.join(dir, 'genome.dict')),
    fai: staging(`${fasta}.fai`),
  };
  await fs.writeFile(files.fasta, text);
  await execa('samtools', ['dict', '-u', `file://${fasta}`, '-o', files.dict, files.fasta]);
  await fs.writeFile(files.fai, fai);
  await fs.rename(files.fasta, fasta);
  await fs.rename(files.dict, path.join(dir, 'genome.dict'));
  // The .fai goes last: its presence says the reference is complete.
  await fs.rename(files.fai, `${fasta}.fai`);
  return fasta;
}

export async function generateCohort(options: CohortOptions): Promise<Cohort> {
  const { samples, seed } = options;
  if (!Number.isInteger(samples) || samples < 1)
    throw new Error('a cohort needs at least one genome');
  if (!Number.isInteger(seed) || seed < 0)
    throw new Error('the cohort seed is a non-negative integer');
  const log = options.log ?? (() => undefined);
  const dir = path.join(
    path.resolve(options.dir),
    `cohort-seed${seed}-${await generatorVersion()}`,
  );
  const population = makePopulation(seed);
  const reference = await writeReference(path.join(dir, 'reference'), population);
  const sequences = sequencesOf(population.contigs);
  const genomes = path.join(dir, 'genomes');
  await fs.mkdir(genomes, { recursive: true });
  const list: CohortSample[] = Array.from({ length: samples }, (_, index) => ({
    sampleId: sampleIdOf(index),
    region: COHORT_REGIONS[regionOf(seed, index)]!,
    gvcf: path.join(genomes, `${sampleIdOf(index)}.g.vcf.gz`),
  }));

  const missing: GenomeJob[] = [];
  for (const [index, sample] of list.entries()) {
    if (!(await exists(`${sample.gvcf}.tbi`)) || !(await exists(sample.gvcf))) {
      missing.push({
        seed,
        index,
        sampleId: sample.sampleId,
        gvcf: sample.gvcf,
        reference,
        sequences,
      });
    }
  }
  if (missing.length > 0) {
    log(`generating ${missing.length} of ${samples} genomes in ${genomes}`);
    const started = Date.now();
    let done = 0;
    const onDone = () => {
      if (++done % 200 === 0 || done === missing.length)
        log(`${done}/${missing.length} genomes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    };
    const children = Math.min(options.concurrency ?? os.availableParallelism(), missing.length);
    if (children <= 1) {
      for (const job of missing) {
        await writeGenome(population, job);
        onDone();
      }
    } else await inChildren(missing, children, onDone);
  }
  const about = path.join(dir, 'cohort.json');
  const aboutTmp = staging(about);
  await fs.writeFile(aboutTmp, `${JSON.stringify({ seed, reference, sequences }, null, 2)}\n`);
  await fs.rename(aboutTmp, about);
  return { dir, reference, sequences, samples: list };
}
