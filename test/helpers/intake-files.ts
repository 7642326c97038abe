/**
 * Small genomic inputs for the intake content checks, built with the real tools (gzip, bgzip,
 * samtools, bwa, bcftools) in a temporary folder: seeded random references, simulated read
 * pairs, alignments and variant calls.
 */
import { execa } from 'execa';
import fs, { type FileHandle } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FileKind } from '../../src/domain/manifest.ts';
import { budgetFor, type Budget, type IntakeLimits } from '../../src/activities/intake/budget.ts';
import type { FileToInspect, ReferenceInfo } from '../../src/activities/intake/inspect.ts';

export interface Contig {
  name: string;
  sequence: string;
}

export interface FastqRecord {
  name: string;
  sequence: string;
  quality: string;
}

export async function makeTempDir(label: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `harmonise-${label}-`));
}

/** mulberry32: a small seeded generator, so every run builds the same files. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomContigs(seed: number, sizes: Record<string, number>): Contig[] {
  const random = seeded(seed);
  return Object.entries(sizes).map(([name, length]) => ({
    name,
    sequence: Array.from({ length }, () => 'ACGT'[Math.floor(random() * 4)]).join(''),
  }));
}

/** A copy with one substitution in every `every` bases (a "donor" genome, or a foreign one). */
export function mutate(contigs: Contig[], seed: number, every: number): Contig[] {
  const random = seeded(seed);
  const swap: Record<string, string> = { A: 'C', C: 'G', G: 'T', T: 'A' };
  return contigs.map(({ name, sequence }) => {
    const bases = sequence.split('');
    for (let i = Math.floor(random() * every); i < bases.length; i += every) {
      bases[i] = swap[bases[i]!]!;
    }
    return { name, sequence: bases.join('') };
  });
}

/** Writes a FASTA with its .fai and .dict (and a bwa index if asked); M5s come from samtools dict. */
export async function writeReference(
  fasta: string,
  contigs: Contig[],
  options: { bwa?: boolean } = {},
): Promise<ReferenceInfo> {
  const text = contigs
    .map((c) => `>${c.name}\n${c.sequence.replace(/(.{60})/g, '$1\n').replace(/\n$/, '')}\n`)
    .join('');
  await fs.writeFile(fasta, text);
  await execa('samtools', ['faidx', fasta]);
  const dict = await execa('samtools', ['dict', fasta]);
  if (options.bwa === true) await execa('bwa', ['index', fasta]);
  const sequences = dict.stdout
    .split('\n')
    .filter((line) => line.startsWith('@SQ'))
    .map((line) => {
      const fields = new Map(line.split('\t').map((f) => [f.slice(0, 2), f.slice(3)]));
      return { name: fields.get('SN')!, length: Number(fields.get('LN')), md5: fields.get('M5')! };
    });
  return { fasta, sequences };
}

const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };

/** Read pairs from random 300-bp fragments: R1 forward, R2 reverse-complemented, 100 bp each. */
export function simulatePairs(
  contigs: Contig[],
  pairs: number,
  seed: number,
): { r1: FastqRecord[]; r2: FastqRecord[] } {
  const random = seeded(seed);
  const r1: FastqRecord[] = [];
  const r2: FastqRecord[] = [];
  for (let i = 0; i < pairs; i++) {
    const contig = contigs[Math.floor(random() * contigs.length)]!;
    const start = Math.floor(random() * (contig.sequence.length - 300));
    const fragment = contig.sequence.slice(start, start + 300);
    const mate = fragment
      .slice(-100)
      .split('')
      .reverse()
      .map((b) => COMPLEMENT[b]!)
      .join('');
    const quality = 'I'.repeat(100);
    r1.push({ name: `read${i}/1`, sequence: fragment.slice(0, 100), quality });
    r2.push({ name: `read${i}/2`, sequence: mate, quality });
  }
  return { r1, r2 };
}

export function fastqText(records: FastqRecord[]): string {
  return records.map((r) => `@${r.name}\n${r.sequence}\n+\n${r.quality}\n`).join('');
}

/** gzip-compresses text into a file with the real gzip. */
export async function writeGzip(file: string, text: string): Promise<void> {
  await execa('gzip', ['-c'], { input: text, stdout: { file } });
}

/** bgzip-compresses text into a file with the real bgzip. */
export async function writeBgzip(file: string, text: string): Promise<void> {
  await execa('bgzip', ['-c'], { input: text, stdout: { file } });
}

/** The text of a bgzipped or gzipped file (small test files only). */
export async function readCompressed(file: string): Promise<string> {
  return (await execa('bgzip', ['-dc', file], { stripFinalNewline: false })).stdout;
}

/** `bwa mem ref R1 R2 | samtools sort -O <format> --reference ref`. */
export async function align(
  fasta: string,
  r1: string,
  r2: string,
  out: string,
  format: 'cram' | 'bam',
): Promise<void> {
  await execa('bwa', ['mem', '-R', '@RG\\tID:rg1\\tSM:sample1', fasta, r1, r2]).pipe('samtools', [
    'sort',
    '-O',
    format,
    '--reference',
    fasta,
    '-o',
    out,
    '-',
  ]);
}

/** Keeps the first `bytes` bytes of a file, as an interrupted upload would. */
export async function truncateCopy(from: string, to: string, bytes: number): Promise<void> {
  const data = await fs.readFile(from);
  await fs.writeFile(to, data.subarray(0, bytes));
}

/** Overwrites `length` bytes in the middle of a copy of the file. */
export async function corruptMiddleCopy(
  from: string,
  to: string,
  length: number,
  fill = 0x00,
): Promise<void> {
  const data = Buffer.from(await fs.readFile(from));
  const at = Math.floor(data.length / 2);
  data.fill(fill, at, at + length);
  await fs.writeFile(to, data);
}

const openFiles: FileHandle[] = [];

/** How intake would hand a file of the submission in `dir` to its checks: opened. */
export async function fileAt(
  dir: string,
  relativePath: string,
  kind: FileKind,
  index = 0,
): Promise<FileToInspect> {
  const file = path.join(dir, relativePath);
  const handle = await fs.open(file, 'r');
  openFiles.push(handle);
  return {
    kind,
    handle,
    path: file,
    relativePath,
    jsonPath: `samples[0].files[${index}]`,
    size: (await handle.stat()).size,
  };
}

/** Closes every file fileAt opened (call in afterAll). */
export async function closeOpenedFiles(): Promise<void> {
  await Promise.all(openFiles.splice(0).map((handle) => handle.close()));
}

/** The defaults of config `intake`, in bytes. */
export const TEST_LIMITS: IntakeLimits = {
  maxLineBytes: 16 * 2 ** 20,
  maxGzipRatio: 100,
  maxDecompressedBytes: 2 ** 40,
  secondsPerFile: 600,
  secondsPerGiB: 300,
};

/** A budget as intake gives one file, with the default limits unless told otherwise. */
export function testBudget(
  heartbeat: () => void = () => undefined,
  limits: Partial<IntakeLimits> = {},
  signal?: AbortSignal,
): Budget {
  return budgetFor({ heartbeat, signal, limits: { ...TEST_LIMITS, ...limits } }, 0);
}

export interface RecordingProxy {
  /** The first line each client sent, e.g. `CONNECT www.ebi.ac.uk:443 HTTP/1.1`. */
  connections: string[];
  /** Proxy variables libcurl (and so htslib) honours. */
  env: Record<string, string>;
  /** Runs `action` with the proxy variables set in this process's environment. */
  withProcessEnv<T>(action: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A local "proxy" that records every connection and answers none: a network-access detector. */
export async function startRecordingProxy(): Promise<RecordingProxy> {
  const connections: string[] = [];
  const server = net.createServer((socket) => {
    socket.once('data', (data) => connections.push(data.toString('latin1').split('\r\n')[0]!));
    socket.setTimeout(200, () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const env = { http_proxy: url, https_proxy: url, HTTPS_PROXY: url, no_proxy: '', NO_PROXY: '' };
  return {
    connections,
    env,
    async withProcessEnv(action) {
      const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
      Object.assign(process.env, env);
      try {
        return await action();
      } finally {
        for (const [key, value] of saved) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
