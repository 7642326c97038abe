// PacBio-HiFi-like long reads from a sample's haplotypes, simulated by our own seeded code
// (no long-read simulator is in Debian). Pure; reads.ts writes them as gzipped FASTQ.
import type { FastaRecord } from './formats.ts';
import { createRng, type Rng } from './prng.ts';

export interface LongReadOptions {
  seed: number;
  /** Read names are `<prefix>.h<haplotype>/<n>/ccs`, PacBio style. */
  namePrefix: string;
  /** Mean depth over the whole sample; each haplotype gets half. */
  coverage: number;
  minLength: number;
  maxLength: number;
  /** Per-base substitution rate (HiFi reads are about Q30). */
  errorRate: number;
}

export interface LongRead {
  name: string;
  seq: string;
  qual: string;
  /** Where the read came from: haplotype (1-based), record, 0-based half-open span, strand. */
  haplotype: number;
  record: string;
  start: number;
  end: number;
  reverse: boolean;
}

/**
 * HiFi-like defaults: 8–15 kb reads, 0.1% substitutions, 20× in all (10× a haplotype: at 15×
 * an XX genome's hets on chrX were too thin to call at the 98% the demo holds every sample to).
 */
export const HIFI: Omit<LongReadOptions, 'seed' | 'namePrefix'> = {
  coverage: 20,
  minLength: 8_000,
  maxLength: 15_000,
  errorRate: 0.001,
};

/** Base qualities: Q40 for bases read right, Q20 where the simulator put an error. */
const GOOD_QUALITY = 'I'.charCodeAt(0);
const ERROR_QUALITY = '5'.charCodeAt(0);

const COMPLEMENT = new Uint8Array(256).fill('N'.charCodeAt(0));
for (const [a, b] of ['AT', 'CG', 'GC', 'TA', 'NN']) {
  COMPLEMENT[a!.charCodeAt(0)] = b!.charCodeAt(0);
  COMPLEMENT[a!.toLowerCase().charCodeAt(0)] = b!.toLowerCase().charCodeAt(0);
}

function reverseComplementBytes(bytes: Uint8Array): void {
  bytes.reverse();
  for (let i = 0; i < bytes.length; i++) bytes[i] = COMPLEMENT[bytes[i]!]!;
}

export function reverseComplement(seq: string): string {
  const bytes = Buffer.from(seq, 'latin1');
  reverseComplementBytes(bytes);
  return bytes.toString('latin1');
}

/** Substitutes bases at a geometric spacing (rate p); returns the new bytes' quality string. */
function addErrors(rng: Rng, bytes: Uint8Array, p: number): string {
  const qual = Buffer.alloc(bytes.length, GOOD_QUALITY);
  if (p <= 0) return qual.toString('latin1');
  const logKeep = Math.log(1 - p);
  // Gap to the next error: geometric, so the cost is one draw per error, not one per base.
  const gap = () => Math.floor(Math.log(1 - rng.next()) / logKeep);
  const codes = [...'ACGT'].map((c) => c.charCodeAt(0));
  for (let i = gap(); i < bytes.length; i += gap() + 1) {
    bytes[i] = rng.pick(codes.filter((c) => c !== bytes[i]));
    qual[i] = ERROR_QUALITY;
  }
  return qual.toString('latin1');
}

/**
 * Reads from every haplotype (each a list of records), half the coverage from each, both strands.
 * Start positions are uniform, and a read that would run off a record's end is clipped there,
 * never below `minLength`, so record ends keep some depth and every length is in range.
 */
export function simulateLongReads(
  haplotypes: readonly (readonly FastaRecord[])[],
  opts: LongReadOptions,
): LongRead[] {
  if (opts.minLength < 1 || opts.maxLength < opts.minLength) {
    throw new Error(`bad long-read length range ${opts.minLength}..${opts.maxLength}`);
  }
  const rng = createRng(opts.seed);
  const reads: LongRead[] = [];
  for (const [h, records] of haplotypes.entries()) {
    const usable = records.filter((r) => r.seq.length >= opts.minLength);
    const total = usable.reduce((n, r) => n + r.seq.length, 0);
    if (total === 0) continue;
    const target = (opts.coverage / haplotypes.length) * total;
    let bases = 0;
    for (let n = 1; bases < target; n++) {
      const length = rng.int(opts.minLength, opts.maxLength);
      let offset = rng.int(0, total - 1);
      const record = usable.find((r) => (offset -= r.seq.length) < 0)!;
      const from = rng.int(opts.minLength - length, record.seq.length - opts.minLength);
      const start = Math.max(0, from);
      const end = Math.min(record.seq.length, from + length);
      const reverse = rng.chance(0.5);
      const bytes = Buffer.from(record.seq.slice(start, end), 'latin1');
      if (reverse) reverseComplementBytes(bytes);
      const qual = addErrors(rng, bytes, opts.errorRate);
      reads.push({
        name: `${opts.namePrefix}.h${h + 1}/${n}/ccs`,
        seq: bytes.toString('latin1'),
        qual,
        haplotype: h + 1,
        record: record.name,
        start,
        end,
        reverse,
      });
      bases += end - start;
    }
  }
  return reads;
}

export function longReadsFastq(reads: readonly LongRead[]): string {
  return reads.map((r) => `@${r.name}\n${r.seq}\n+\n${r.qual}\n`).join('');
}
