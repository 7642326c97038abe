/**
 * The lookup benchmark's reference (pure): each sequence random bases with N at both ends and
 * one stretch of N inside, from the seed and the sequence's name alone.
 */
import { createRng, deriveSeed } from '../src/demo/prng.ts';
import { CENTROMERE_N, END_N, SEQUENCES } from './lookup-model.ts';

const BASES = [65, 67, 71, 84]; // A C G T
const N = 78;

/** A 1-based, inclusive stretch. */
export interface Stretch {
  start: number;
  end: number;
}

export interface LookupSequence {
  name: string;
  /** The bases, as ASCII codes (A, C, G, T, N). */
  seq: Uint8Array;
  /** Sorted: where the bases are not N. */
  callable: Stretch[];
  /** The sequence's share of the records per callable base. */
  density: number;
}

export function makeSequence(seed: number, index: number): LookupSequence {
  const { name, length, density } = SEQUENCES[index]!;
  const rng = createRng(deriveSeed(seed, 'lookup reference', name));
  const seq = new Uint8Array(length);
  for (let i = 0; i < length; i += 16) {
    let bits = rng.nextU32();
    for (let j = i; j < Math.min(length, i + 16); j++) {
      seq[j] = BASES[bits & 3]!;
      bits >>>= 2;
    }
  }
  const gapLength = rng.int(CENTROMERE_N.min, CENTROMERE_N.max);
  const gapStart = rng.int(Math.floor(length / 3), Math.floor((2 * length) / 3));
  const gaps: Stretch[] = [
    { start: 1, end: END_N },
    { start: gapStart, end: gapStart + gapLength - 1 },
    { start: length - END_N + 1, end: length },
  ];
  for (const gap of gaps) seq.fill(N, gap.start - 1, gap.end);
  const callable = [
    { start: END_N + 1, end: gapStart - 1 },
    { start: gapStart + gapLength, end: length - END_N },
  ];
  return { name, seq, callable, density };
}

/** Bases `pos`..`pos + length - 1` (1-based) as text. */
export function basesAt(sequence: LookupSequence, pos: number, length: number): string {
  return Buffer.from(sequence.seq.subarray(pos - 1, pos - 1 + length)).toString('latin1');
}

/** The base at 1-based `pos` as text. */
export const baseAt = (sequence: LookupSequence, pos: number): string =>
  String.fromCharCode(sequence.seq[pos - 1]!);
