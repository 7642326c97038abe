/**
 * The lookup benchmark's clients: a department's, one lookup at a time over one keep-alive
 * connection (Node's fetch), and several such clients at once; and the peer, a process per
 * lookup started by bash. Each lookup is timed from sending the request (starting the command)
 * to the whole answer read (its exit), as the user waits for it; the answer is checked after its
 * time is taken, and a wrong one is counted.
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

/** The peer's command for one variant, as a shell user types it: the VCF's lines at its position. */
export const PEERS = {
  tabix: 'tabix "$vcf" "$chrom:$pos-$pos"',
  bcftools: 'bcftools view -H -r "$chrom:$pos" "$vcf"',
} as const;
export type PeerName = keyof typeof PEERS;

/**
 * bash reads `chrom pos` lines and runs the peer's command once for each, timing it with
 * $EPOCHREALTIME (no process of its own), then prints its children's CPU (`times`). A process
 * per lookup is how a shell user or a CGI script answers; run from bash, not from this process,
 * so that no large parent makes starting one dearer than it is.
 */
const PEER_SCRIPT = (command: string) => `
vcf=$1
while read -r chrom pos; do
  s=$EPOCHREALTIME
  ${command}
  e=$EPOCHREALTIME
  printf '@@ %s %s\\n' "$s" "$e"
done
times`;

export interface PeerRun {
  results: { site: SiteTruth; ms: number; stdout: string }[];
  /** User + system CPU of every process the peer started. */
  cpuSeconds: number;
}

const minutes = (text: string) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
};

export async function runPeer(
  peer: PeerName,
  vcf: string,
  sites: readonly SiteTruth[],
): Promise<PeerRun> {
  const input = sites.map((s) => `${s.chrom} ${s.pos}\n`).join('');
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    const child = execFile(
      'bash',
      ['-c', PEER_SCRIPT(PEERS[peer]), 'peer', vcf],
      { maxBuffer: 2 ** 30 },
      (error, out) =>
        error
          ? reject(new Error(`the ${peer} peer failed: ${error.message}`))
          : resolve({ stdout: out }),
    );
    child.stdin!.end(input);
  });
  const lines = stdout.split('\n');
  const results: PeerRun['results'] = [];
  let output: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('@@ ')) {
      output.push(line);
      continue;
    }
    const [, start = '', end = ''] = line.split(' ');
    const site = sites[results.length]!;
    results.push({ site, ms: (Number(end) - Number(start)) * 1000, stdout: output.join('\n') });
    output = [];
  }
  // `times`: the shell's own user and system time, then its children's.
  const children = (output.filter(Boolean)[1] ?? '').split(' ');
  if (results.length !== sites.length)
    throw new Error(`the ${peer} peer answered ${results.length} of ${sites.length}`);
  return { results, cpuSeconds: minutes(children[0] ?? '') + minutes(children[1] ?? '') };
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
