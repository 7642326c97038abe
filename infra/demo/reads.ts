// A sample's simulated paired reads: dwgsim per haplotype, then R1/R2 each joined into one gzip.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { fastaText } from './formats.ts';
import { haplotypeRecords } from './haplotypes.ts';
import type { DemoGenome, SampleTruth } from './model.ts';
import { deriveSeed } from './prng.ts';
import { run, writeDurable } from './tools.ts';

const TARGET_COVERAGE = 25;
const READ_LENGTH = 150;

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

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

export async function simulateSample(
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
