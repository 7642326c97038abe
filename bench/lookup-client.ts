/**
 * The lookup benchmark's clients: a department's, one lookup at a time over one keep-alive
 * connection (Node's fetch), and several such clients at once; and the peer, a process per
 * lookup. Each lookup is timed from sending the request to the whole answer read, as the user
 * waits for it; the answer is checked after its time is taken, and a wrong one is counted.
 */
import { execFile } from 'node:child_process';
import { round } from './args.ts';
import type { Query } from './lookup-queries.ts';
import type { SiteTruth } from './lookup-sites.ts';

export interface Timed {
  ms: number;
  status: number;
  body: string;
}

export async function timedFetch(base: string, path: string, token: string): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
}

/** Median, 99th percentile, mean and largest of some latencies (ms, to 0.01). */
export function latency(ms: readonly number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    count: sorted.length,
    medianMs: sorted.length ? round(at(0.5)!, 2) : null,
    p99Ms: sorted.length ? round(at(0.99)!, 2) : null,
    meanMs: sorted.length ? round(sorted.reduce((s, v) => s + v, 0) / sorted.length, 2) : null,
    maxMs: sorted.length ? round(sorted.at(-1)!, 2) : null,
  };
}

export interface Checked {
  query: Query;
  ms: number;
  wrong: string | null;
}

/** Runs `queries` with `concurrency` clients, each one lookup at a time; wall seconds too. */
export async function runClients(
  queries: readonly Query[],
  concurrency: number,
  ask: (query: Query) => Promise<Timed>,
  check: (query: Query, answer: Timed) => string | null,
): Promise<{ results: Checked[]; wallSeconds: number }> {
  const results: Checked[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queries.length) }, async () => {
      while (next < queries.length) {
        const query = queries[next++]!;
        const answer = await ask(query);
        results.push({ query, ms: answer.ms, wrong: check(query, answer) });
      }
    }),
  );
  return { results, wallSeconds: (performance.now() - started) / 1000 };
}

/** The peer's commands for one variant: the VCF's lines at its position. */
export const PEERS = {
  tabix: (vcf: string, s: SiteTruth) => ['tabix', [vcf, `${s.chrom}:${s.pos}-${s.pos}`]],
  bcftools: (vcf: string, s: SiteTruth) => [
    'bcftools',
    ['view', '-H', '-r', `${s.chrom}:${s.pos}`, vcf],
  ],
} as const satisfies Record<string, (vcf: string, s: SiteTruth) => readonly [string, string[]]>;
export type PeerName = keyof typeof PEERS;

/** One peer lookup: a process started, its output read, its exit awaited. */
export function peerLookup(peer: PeerName, vcf: string, site: SiteTruth): Promise<Timed> {
  const [command, args] = PEERS[peer](vcf, site);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 2 ** 20 }, (error, stdout) => {
      const ms = performance.now() - started;
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${error.message}`));
      else resolve({ ms, status: 0, body: stdout });
    });
  });
}

/** Why the peer's lines miss the variant's AC and AN, or null. */
export function wrongPeerAnswer(site: SiteTruth, stdout: string): string | null {
  const line = stdout.split('\n').find((l) => {
    const f = l.split('\t', 5);
    return Number(f[1]) === site.pos && f[3] === site.ref && f[4] === site.alt;
  });
  if (line === undefined) return 'no line of the variant';
  const info = line.split('\t')[7] ?? '';
  return info.startsWith(`AC=${site.AC};AN=${site.AN};`) ? null : `INFO ${info.slice(0, 40)}`;
}
