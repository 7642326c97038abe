/**
 * One genome's coverage of one contig as gVCF blocks: its own depth process (long stretches at
 * DP >= 20, short dips), overlaid with the shared dips it has, no-call stretches (shared and
 * private) and stretches without reads. Consecutive blocks differ in band, as `call -g 0,10,20`
 * writes them.
 */
import type { Rng } from '../../src/demo/prng.ts';
import type { Band, Stretch } from './model.ts';
import { geometric } from './population.ts';

/** What a base is in a genome's gVCF: absent (no record), no call, or a block of a band. */
export const ABSENT = 0;
export const NO_CALL = -1;
export type State = typeof ABSENT | typeof NO_CALL | Band;

export interface Block extends Stretch {
  state: State;
}

/** Overlay kinds, by priority: no reads beat no call, which beats a dip into band 1 or 2. */
export const Overlay = { Gap: 0, NoCall: 1, Dip1: 2, Dip2: 3 } as const;

export interface Painted extends Stretch {
  kind: (typeof Overlay)[keyof typeof Overlay];
}

/** The genome's own band process over [from, to]: segment starts and their bands. */
export function bandProcess(
  rng: Rng,
  from: number,
  to: number,
): { starts: number[]; bands: Band[] } {
  const starts: number[] = [];
  const bands: Band[] = [];
  let band: Band = 3;
  for (let pos = from; pos <= to;) {
    starts.push(pos);
    bands.push(band);
    pos +=
      band === 3
        ? geometric(rng, 4_000)
        : band === 2
          ? geometric(rng, 40, 400)
          : geometric(rng, 6, 60);
    band = band === 3 ? (rng.chance(0.3) ? 1 : 2) : band === 2 && rng.chance(0.2) ? 1 : 3;
  }
  return { starts, bands };
}

/** Resolves the band process and the overlays into blocks (absent stretches left out). */
export function sweep(
  process: { starts: number[]; bands: Band[] },
  to: number,
  overlays: readonly Painted[],
): Block[] {
  // Events: [position, kind, delta]; kind -1 is the band process (delta = the new band, 0 = end).
  const events: [number, number, number][] = [];
  process.starts.forEach((start, i) => events.push([start, -1, process.bands[i]!]));
  events.push([to + 1, -1, 0]);
  for (const o of overlays) {
    events.push([o.start, o.kind, 1], [o.end + 1, o.kind, -1]);
  }
  events.sort((x, y) => x[0] - y[0]);
  const active = [0, 0, 0, 0];
  let band = 0;
  const blocks: Block[] = [];
  let current: State = ABSENT;
  let openedAt = 0;
  for (let i = 0; i < events.length;) {
    const pos = events[i]![0];
    for (; i < events.length && events[i]![0] === pos; i++) {
      const [, kind, delta] = events[i]!;
      if (kind < 0) band = delta;
      else active[kind]! += delta;
    }
    let state: State;
    if (band === 0 || active[Overlay.Gap]! > 0) state = ABSENT;
    else if (active[Overlay.NoCall]! > 0) state = NO_CALL;
    else
      state = Math.min(
        band,
        active[Overlay.Dip1]! > 0 ? 1 : 3,
        active[Overlay.Dip2]! > 0 ? 2 : 3,
      ) as Band;
    if (state === current) continue;
    if (current !== ABSENT) blocks.push({ start: openedAt, end: pos - 1, state: current });
    current = state;
    openedAt = pos;
  }
  return blocks;
}

/** The block holding `pos`, by binary search, or undefined where the genome has no record. */
export function blockAt(blocks: readonly Block[], pos: number): Block | undefined {
  let low = 0;
  let high = blocks.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const block = blocks[mid]!;
    if (pos < block.start) high = mid - 1;
    else if (pos > block.end) low = mid + 1;
    else return block;
  }
  return undefined;
}

/** A shared stretch as this genome has it: the same bases, or (sometimes) shifted ends. */
export function jittered(rng: Rng, stretch: Stretch): Stretch {
  if (!rng.chance(0.3)) return { start: stretch.start, end: stretch.end };
  const start = stretch.start + rng.int(-3, 3);
  return { start, end: Math.max(start, stretch.end + rng.int(-3, 3)) };
}

/** A Poisson count with mean `mean` (Knuth; the means here are small). */
export function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let count = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) count++;
  return count;
}
