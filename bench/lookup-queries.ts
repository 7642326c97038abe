/**
 * What the lookup benchmark asks and how it knows the answers. The truth is the generator's own:
 * `sites.tsv` (every record's alleles, AC and AN) and the AN track read whole with `bgzip -dc`,
 * never through the tabix index the API reads. Queries are drawn from a seeded RNG: mostly
 * variants the release holds (a random record, so rare and common alike, on every sequence), some
 * alleles it does not hold at positions its genomes cover, and some windows of 1 to 20 kb.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import readline from 'node:readline';
import { createRng, deriveSeed } from '../src/demo/prng.ts';
import { SEQUENCES } from './lookup-model.ts';
import { makeSequence, type LookupSequence } from './lookup-reference.ts';
import type { SiteTruth } from './lookup-sites.ts';

/** Shares of the query mix. */
export const QUERY_MIX = { variant: 0.8, absent: 0.15, window: 0.05 } as const;
/** The lookup's first page (DEFAULT_PAGE_SIZE of src/lookup/service.ts). */
export const PAGE_SIZE = 100;
export const FLOOR = 5;

export type Query =
  | { kind: 'variant'; path: string; site: SiteTruth }
  | { kind: 'absent'; path: string; chrom: string; pos: number; an: number }
  | { kind: 'window'; path: string; chrom: string; start: number; end: number; records: number };
export type QueryKind = Query['kind'];

export interface Truth {
  sites: SiteTruth[];
  /** Per sequence: record positions, sorted (repeated for a second allele). */
  positions: Map<string, Int32Array>;
  /** Per sequence: each track run's start and AN. */
  track: Map<string, { starts: Int32Array; an: Int32Array }>;
  /** The reference, made again from the seed. */
  sequences: LookupSequence[];
}

const variantPath = (s: { chrom: string; pos: number; ref: string; alt: string }) =>
  `/api/v1/frequency/variants/${s.chrom}-${s.pos}-${s.ref}-${s.alt}`;

async function readSites(file: string): Promise<SiteTruth[]> {
  const sites: SiteTruth[] = [];
  for (const line of (await fs.readFile(file, 'utf8')).split('\n')) {
    if (line === '') continue;
    const [chrom = '', pos, ref = '', alt = '', AC, AN] = line.split('\t');
    sites.push({ chrom, pos: Number(pos), ref, alt, AC: Number(AC), AN: Number(AN) });
  }
  return sites;
}

async function readTrack(file: string): Promise<Truth['track']> {
  const child = spawn('bgzip', ['-dc', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const runs = new Map<string, { starts: number[]; an: number[] }>();
  for await (const line of readline.createInterface({ input: child.stdout })) {
    if (line.startsWith('#')) continue;
    const [chrom = '', start, , an] = line.split('\t', 4);
    let seq = runs.get(chrom);
    if (seq === undefined) runs.set(chrom, (seq = { starts: [], an: [] }));
    seq.starts.push(Number(start));
    seq.an.push(Number(an));
  }
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bgzip -dc ${file} exited ${String(code)}`);
  return new Map(
    [...runs].map(([chrom, r]) => [
      chrom,
      { starts: Int32Array.from(r.starts), an: Int32Array.from(r.an) },
    ]),
  );
}

export async function loadTruth(args: {
  sitesFile: string;
  trackFile: string;
  seed: number;
}): Promise<Truth> {
  const { sitesFile, trackFile, seed } = args;
  const sites = await readSites(sitesFile);
  const byChrom = new Map<string, number[]>();
  for (const s of sites) {
    const list = byChrom.get(s.chrom) ?? [];
    list.push(s.pos);
    byChrom.set(s.chrom, list);
  }
  const positions = new Map([...byChrom].map(([c, list]) => [c, Int32Array.from(list)]));
  const sequences = SEQUENCES.map((_, i) => makeSequence(seed, i));
  return { sites, positions, track: await readTrack(trackFile), sequences };
}

/** The last index with `values[i] <= x` (-1 if none). */
function lastAtMost(values: Int32Array, x: number): number {
  let lo = 0;
  let hi = values.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function anAt(truth: Truth, chrom: string, pos: number): number {
  const runs = truth.track.get(chrom);
  if (!runs) throw new Error(`the track has no ${chrom}`);
  return runs.an[lastAtMost(runs.starts, pos)] ?? 0;
}

/** Records with POS in [start, end]. */
function recordsIn(truth: Truth, chrom: string, start: number, end: number): number {
  const positions = truth.positions.get(chrom) ?? new Int32Array();
  return lastAtMost(positions, end) - lastAtMost(positions, start - 1);
}

/**
 * `count` queries of the mix, drawn from `seed` and `label` (each phase its own draw). Absent
 * alleles are SNVs at a covered position (AN > 0) where the release has no record.
 */
export function drawQueries(truth: Truth, seed: number, label: string, count: number): Query[] {
  const rng = createRng(deriveSeed(seed, 'lookup queries', label));
  const { sequences } = truth;
  const genome = sequences.reduce((s, q) => s + q.seq.length, 0);
  const queries: Query[] = [];
  while (queries.length < count) {
    const u = rng.next();
    if (u < QUERY_MIX.variant) {
      const site = truth.sites[rng.int(0, truth.sites.length - 1)]!;
      queries.push({ kind: 'variant', path: variantPath(site), site });
    } else if (u < QUERY_MIX.variant + QUERY_MIX.absent) {
      let offset = rng.int(0, genome - 1);
      const sequence = sequences.find((s) => (offset -= s.seq.length) < 0)!;
      const pos = offset + sequence.seq.length + 1;
      const an = anAt(truth, sequence.name, pos);
      if (an === 0 || recordsIn(truth, sequence.name, pos, pos) > 0) continue;
      const ref = String.fromCharCode(sequence.seq[pos - 1]!);
      const alt = 'ACGT'.replace(ref, '')[rng.int(0, 2)]!;
      const path = variantPath({ chrom: sequence.name, pos, ref, alt });
      queries.push({ kind: 'absent', path, chrom: sequence.name, pos, an });
    } else {
      const site = truth.sites[rng.int(0, truth.sites.length - 1)]!;
      const length = sequences.find((s) => s.name === site.chrom)!.seq.length;
      const start = Math.max(1, site.pos - rng.int(0, 5_000));
      const end = Math.min(length, start + rng.int(1_000, 20_000) - 1);
      const records = recordsIn(truth, site.chrom, start, end);
      const path = `/api/v1/frequency/regions/${site.chrom}:${start}-${end}`;
      queries.push({ kind: 'window', path, chrom: site.chrom, start, end, records });
    }
  }
  return queries;
}

/** Why a reader's answer to `query` is wrong, or null when it is right. */
export function wrongReaderAnswer(query: Query, status: number, body: string): string | null {
  if (status !== 200) return `status ${status}: ${body.slice(0, 200)}`;
  const answer = JSON.parse(body) as Record<string, unknown>;
  if (query.kind === 'variant') {
    const { site } = query;
    const belowFloor = site.AC > 0 && site.AC < FLOOR;
    const overall = answer.overall as { AC?: number; AN?: number; suppressed?: boolean };
    if (answer.found !== true) return 'not found';
    if (answer.belowFloor !== belowFloor) return `belowFloor ${String(answer.belowFloor)}`;
    if (belowFloor ? overall.suppressed !== true : overall.AC !== site.AC || overall.AN !== site.AN)
      return `overall ${JSON.stringify(overall)}, the record has AC ${site.AC}, AN ${site.AN}`;
    return null;
  }
  if (query.kind === 'absent') {
    const alleleNumber = answer.alleleNumber as { AN?: number } | null;
    if (answer.found !== false || answer.verdict !== 'not-seen')
      return `found ${String(answer.found)}, verdict ${String(answer.verdict)}`;
    if (alleleNumber?.AN !== query.an)
      return `AN ${String(alleleNumber?.AN)}, the track has ${query.an}`;
    return null;
  }
  const variants = answer.variants as unknown[];
  const more = answer.nextPageToken !== null;
  if (variants.length !== Math.min(query.records, PAGE_SIZE) || more !== query.records > PAGE_SIZE)
    return `${variants.length} variants (more: ${more}), the window holds ${query.records}`;
  return null;
}

/** Why an operator's answer disagrees with the record's AC and AN, or null. */
export function wrongOperatorAnswer(site: SiteTruth, status: number, body: string): string | null {
  if (status !== 200) return `status ${status}: ${body.slice(0, 200)}`;
  const overall = (JSON.parse(body) as { overall?: { AC?: number; AN?: number } }).overall;
  return overall?.AC === site.AC && overall.AN === site.AN
    ? null
    : `overall ${JSON.stringify(overall)}, the record has AC ${site.AC}, AN ${site.AN}`;
}
