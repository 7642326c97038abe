// A sample's simulated raw reads: a dwgsim pair per haplotype joined into R1/R2 gzips, or
// HiFi-like long reads (longreads.ts) as one gzip.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { fastaText } from './formats.ts';
import { sampleHaplotypes } from './haplotypes.ts';
import { HIFI, longReadsFastq, simulateLongReads } from './longreads.ts';
import type { DemoGenome, SampleTruth } from './model.ts';
import { deriveSeed } from './prng.ts';
import { checksumsOf, run, writeDurable, writeGzip, type Checksums } from './tools.ts';

const TARGET_COVERAGE = 25;
const READ_LENGTH = 150;

const gunzipAsync = promisify(gunzip);

export interface FastqSum extends Checksums {
  reads: number;
}

const countLines = (data: Uint8Array) => {
  let lines = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
  return lines;
};

/**
 * Concatenates gzipped FASTQs: as one new gzip member when the file is submitted, or, for the
 * region's own tools (which read multi-member gzip), as the members themselves, which is faster.
 */
async function concatFastqGz(
  inputs: string[],
  output: string,
  submitted: boolean,
): Promise<FastqSum> {
  const packed = await Promise.all(inputs.map((f) => readFile(f)));
  const plain = Buffer.concat(await Promise.all(packed.map((p) => gunzipAsync(p))));
  const reads = countLines(plain) / 4;
  if (submitted) return { reads, ...(await writeGzip(output, plain)) };
  const members = Buffer.concat(packed);
  await writeDurable(output, members);
  return { reads, ...checksumsOf(members) };
}

// Each haplotype is read at half the coverage, so a stretch with one copy (an XY sample's
// non-PAR X and its Y) gets half the autosomes' depth.
const haplotypes = (genome: DemoGenome, sample: SampleTruth) =>
  sampleHaplotypes(genome.contigs, sample);

/**
 * dwgsim 2×150 reads at 25×: writes `<id>_R1.fastq.gz` and `<id>_R2.fastq.gz` into `outDir`,
 * with checksums when they are `submitted` as they are.
 */
export async function simulatePair(
  genome: DemoGenome,
  sample: SampleTruth,
  scratch: string,
  outDir: string,
  submitted: boolean,
): Promise<{ r1: FastqSum; r2: FastqSum }> {
  const id = sample.sampleId;
  const raw: string[] = [];
  for (const [haplotype, records] of haplotypes(genome, sample).entries()) {
    const name = `${id}.h${haplotype + 1}`;
    const fa = path.join(scratch, `${name}.fa`);
    await writeDurable(fa, fastaText(records));
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
  const r1 = await concatFastqGz(
    raw.map((p) => `${p}.bwa.read1.fastq.gz`),
    path.join(outDir, `${id}_R1.fastq.gz`),
    submitted,
  );
  const r2 = await concatFastqGz(
    raw.map((p) => `${p}.bwa.read2.fastq.gz`),
    path.join(outDir, `${id}_R2.fastq.gz`),
    submitted,
  );
  if (r1.reads !== r2.reads || r1.reads === 0)
    throw new Error(`${id}: R1 has ${r1.reads} reads, R2 ${r2.reads}`);
  return { r1, r2 };
}

/** HiFi-like reads from both haplotypes, written to `file` as one gzipped FASTQ. */
export async function simulateLong(
  genome: DemoGenome,
  sample: SampleTruth,
  file: string,
): Promise<FastqSum> {
  const reads = simulateLongReads(haplotypes(genome, sample), {
    ...HIFI,
    seed: deriveSeed(genome.seed, 'hifi', sample.sampleId),
    namePrefix: sample.sampleId,
  });
  const sums = await writeGzip(file, Buffer.from(longReadsFastq(reads), 'latin1'));
  return { reads: reads.length, ...sums };
}
