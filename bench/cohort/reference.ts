/**
 * The cohort's reference: four random contigs with runs of N (contig ends and a few inside)
 * and a few unmappable stretches. No genome covers either kind, so the merged cohort has
 * stretches no sample covers, as a real one does.
 */
import { createHash } from 'node:crypto';
import { createRng, deriveSeed, type Rng } from '../../src/demo/prng.ts';
import { CONTIG_LENGTHS, type Contig, type Stretch } from './model.ts';

const BASES = [65, 67, 71, 84]; // A C G T
const N = 78;
const LINE = 60;

export interface Reference {
  contigs: Contig[];
  /** Per contig, sorted: stretches no genome covers. */
  gaps: Stretch[][];
}

/** Up to `count` stretches of `min`-`max` bases inside (from, to), apart by `margin`; sorted. */
function scatter(
  rng: Rng,
  count: number,
  from: number,
  to: number,
  min: number,
  max: number,
  margin: number,
  taken: Stretch[],
): Stretch[] {
  const placed: Stretch[] = [];
  for (let tries = 0; placed.length < count && tries < count * 50; tries++) {
    const length = rng.int(min, max);
    const start = rng.int(from, to - length);
    const end = start + length - 1;
    const clash = [...taken, ...placed].some(
      (s) => start <= s.end + margin && end >= s.start - margin,
    );
    if (!clash) placed.push({ start, end });
  }
  return placed;
}

export function makeReference(seed: number): Reference {
  const rng = createRng(deriveSeed(seed, 'reference'));
  const contigs: Contig[] = [];
  const gaps: Stretch[][] = [];
  for (const { name, length } of CONTIG_LENGTHS) {
    const seq = new Uint8Array(length);
    for (let i = 0; i < length; i++) seq[i] = BASES[rng.nextU32() & 3]!;
    const head = { start: 1, end: rng.int(10, 60) };
    const tail = { start: length - rng.int(10, 60) + 1, end: length };
    const nRuns = scatter(
      rng,
      Math.round(length / 150_000),
      1_000,
      length - 1_000,
      100,
      1_000,
      2_000,
      [],
    );
    for (const run of [head, tail, ...nRuns]) seq.fill(N, run.start - 1, run.end);
    const dark = scatter(
      rng,
      Math.round(length / 200_000),
      1_000,
      length - 1_000,
      50,
      400,
      2_000,
      nRuns,
    );
    contigs.push({ name, seq });
    gaps.push([head, ...nRuns, ...dark, tail].sort((a, b) => a.start - b.start));
  }
  return { contigs, gaps };
}

/** The FASTA text (60 bases a line) and its samtools .fai, byte for byte. */
export function fastaFiles(contigs: readonly Contig[]): { fasta: Buffer; fai: string } {
  const parts: Buffer[] = [];
  const fai: string[] = [];
  let offset = 0;
  for (const { name, seq } of contigs) {
    const header = Buffer.from(`>${name}\n`, 'latin1');
    parts.push(header);
    offset += header.length;
    fai.push(`${name}\t${seq.length}\t${offset}\t${LINE}\t${LINE + 1}\n`);
    const lines = Math.ceil(seq.length / LINE);
    const body = Buffer.alloc(seq.length + lines);
    let at = 0;
    for (let i = 0; i < seq.length; i += LINE) {
      const piece = seq.subarray(i, Math.min(seq.length, i + LINE));
      body.set(piece, at);
      at += piece.length;
      body[at++] = 10;
    }
    parts.push(body);
    offset += body.length;
  }
  return { fasta: Buffer.concat(parts), fai: fai.join('') };
}

/** name, length and MD5 of each contig, as `samtools dict` and a pipeline spec name them. */
export function sequencesOf(contigs: readonly Contig[]) {
  return contigs.map(({ name, seq }) => ({
    name,
    length: seq.length,
    md5: createHash('md5').update(seq).digest('hex'),
  }));
}

/** Bases `start`..`end` (1-based, inclusive) of a contig. */
export const basesOf = (contig: Contig, start: number, end: number): string =>
  Buffer.from(contig.seq.buffer, contig.seq.byteOffset + start - 1, end - start + 1).toString(
    'latin1',
  );
