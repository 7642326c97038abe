/**
 * lookup: how long a frequency lookup takes on a 100,000-site release, as a department's client
 * waits for it from the real API process, against the way such a question is answered without
 * it (`tabix` on the release VCF, a process per lookup), side by side in one run.
 *
 * `npm run bench -- lookup [--sites N] [--lookups N] [--concurrency C] [--peer-lookups N]
 *   [--seed S] [--dir DIR] [--keep] --json`
 *
 * The release (lookup-release.ts) is generated once per size and seed into --dir and linked into
 * a fresh data root as `freq/releases/<id>`, `freq/latest` pointing at it; `harmonise up --json`
 * starts the stack there on free ports with the bench's pipeline folder and the reader rate limit
 * raised out of the way; `harmonise token create --role frequency-reader` (as the operator) makes
 * the department's token. Then --lookups lookups of the mix (lookup-queries.ts), one at a time
 * over a keep-alive connection; a fresh fifth as many with --concurrency clients at once; 200 variants again with the operator's token, whose
 * answers show every count; and the first --peer-lookups variant lookups with `tabix` and
 * `bcftools view -H -r`, a process each. Every answer is checked against the generator's truth;
 * one wrong answer fails the run. The API process's CPU and peak RSS come from its /proc, the
 * access log's lines from `logs/frequency-access.jsonl`. The stack is stopped at the end.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { UpResult } from '../src/cli/services.ts';
import { ACCESS_LOG } from '../src/api/lookup-guard.ts';
import { cliEnv, harmonise, type CliEnv } from '../test/helpers/cli.ts';
import { round } from './args.ts';
import {
  latency,
  runClients,
  runPeer,
  timedFetch,
  wrongPeerAnswer,
  type Checked,
  type PeerName,
} from './lookup-client.ts';
import {
  drawQueries,
  loadTruth,
  QUERY_MIX,
  wrongOperatorAnswer,
  wrongReaderAnswer,
  type Query,
  type QueryKind,
} from './lookup-queries.ts';
import { prepareLookupRelease, LOOKUP_RELEASE_ID, type LookupRelease } from './lookup-release.ts';
import type { LookupBenchOptions } from './options.ts';
import { cpuSeconds, memoryMiB } from './process-usage.ts';

const progress = (text: string) => process.stderr.write(`bench lookup: ${text}\n`);

export const TARGET_MEDIAN_MS = 20;
/** Far above what one client can ask, so the reader's rate limit never answers 429. */
const READER_RATE = 1_000_000;
const WARM_UP = 20;
const OPERATOR_CHECKS = 200;

async function run(cli: CliEnv, args: string[], env: Record<string, string> = {}) {
  const result = await harmonise(cli, args, env);
  if (result.exitCode !== 0)
    throw new Error(`harmonise ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr}`);
  return result.stdout;
}

async function linkOrCopy(from: string, to: string) {
  await fs.link(from, to).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EXDEV') throw error;
    await fs.copyFile(from, to);
  });
}

/** A data root whose `freq/latest` is the cached release (its files hard-linked). */
async function prepareDataRoot(runDir: string, release: LookupRelease): Promise<string> {
  const dataRoot = path.join(runDir, 'data');
  const dir = path.join(dataRoot, 'freq', 'releases', release.releaseId);
  await fs.mkdir(dir, { recursive: true });
  for (const name of await fs.readdir(release.releaseDir))
    await linkOrCopy(path.join(release.releaseDir, name), path.join(dir, name));
  await fs.symlink(path.join('releases', release.releaseId), path.join(dataRoot, 'freq', 'latest'));
  return dataRoot;
}

/** The reader's token, made as an operator makes one for a department. */
async function readerToken(cli: CliEnv, operator: string): Promise<string> {
  const args = ['token', 'create', '--role', 'frequency-reader', '--name', 'bench', '--json'];
  const created = await run(cli, args, { HARMONISE_TOKEN: operator });
  return (JSON.parse(created) as { token: string }).token;
}

async function accessLogLines(dataRoot: string, expected: number): Promise<number> {
  const file = path.join(dataRoot, 'logs', ACCESS_LOG);
  const count = async () =>
    (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  // The API appends through a stream: give its last writes a moment to land.
  for (let waited = 0; waited < 5_000; waited += 100) {
    const lines = await count();
    if (lines >= expected) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return count();
}

function byKind(results: readonly Checked[]) {
  const of = (kind: QueryKind) =>
    latency(results.filter((r) => r.query.kind === kind).map((r) => r.ms));
  return {
    variantLookups: of('variant'),
    absentLookups: of('absent'),
    windowLookups: of('window'),
  };
}

function wrongOf(results: readonly Checked[]): { count: number; examples: string[] } {
  const wrong = results.filter((r) => r.wrong !== null);
  return {
    count: wrong.length,
    examples: wrong.slice(0, 5).map((r) => `${r.query.path}: ${r.wrong}`),
  };
}

interface Phases {
  first: number;
  sequential: Checked[];
  concurrent: { results: Checked[]; wallSeconds: number };
  operator: Checked[];
  usage: {
    cpuSeconds: number | null;
    sequentialCpuSeconds: number | null;
    peakRssMiB: number | null;
    rssAfterWarmUpMiB: number | null;
  };
  peers: Record<PeerName, { results: Checked[]; cpuSeconds: number }>;
}

async function measure(args: {
  up: UpResult;
  reader: string;
  operator: string;
  queries: { warmUp: Query[]; sequential: Query[]; concurrent: Query[]; operator: Query[] };
  opts: LookupBenchOptions;
  vcf: string;
}): Promise<Phases> {
  const { up, reader, queries, opts } = args;
  const pid = up.apiProcess.pid;
  const ask = (token: string) => (q: Query) => timedFetch(up.api, q.path, token);
  const checkReader = (q: Query, a: { status: number; body: string }) =>
    wrongReaderAnswer(q, a.status, a.body);
  progress(`warming up with ${queries.warmUp.length} lookups`);
  const warm = await runClients(queries.warmUp, 1, ask(reader), checkReader);
  const rssAfterWarmUpMiB = memoryMiB(pid, 'VmRSS');
  const cpuBefore = cpuSeconds(pid);
  progress(`${queries.sequential.length} lookups, one at a time`);
  const sequential = await runClients(queries.sequential, 1, ask(reader), checkReader);
  const cpuAfterSequential = cpuSeconds(pid);
  progress(`${queries.concurrent.length} lookups, ${opts.concurrency} at a time`);
  const concurrent = await runClients(
    queries.concurrent,
    opts.concurrency,
    ask(reader),
    checkReader,
  );
  const cpuAfter = cpuSeconds(pid);
  progress(`${queries.operator.length} variants with the operator's token`);
  const operator = await runClients(queries.operator, 1, ask(args.operator), (q, a) =>
    q.kind === 'variant' ? wrongOperatorAnswer(q.site, a.status, a.body) : 'not a variant',
  );
  const peakRssMiB = memoryMiB(pid, 'VmHWM');
  const peerSites = queries.sequential
    .flatMap((q) => (q.kind === 'variant' ? [q.site] : []))
    .slice(0, opts.peerLookups);
  const peers = {} as Phases['peers'];
  for (const peer of ['tabix', 'bcftools'] as const) {
    progress(`${peerSites.length} variant lookups with ${peer}, a process each`);
    const run = await runPeer(peer, args.vcf, peerSites);
    const results = run.results.map(({ site, ms, stdout }): Checked => {
      const query: Query = { kind: 'variant', path: `${peer} ${site.chrom}:${site.pos}`, site };
      return { query, ms, wrong: wrongPeerAnswer(site, stdout) };
    });
    peers[peer] = { results, cpuSeconds: run.cpuSeconds };
  }
  const spent = (a: number | null, b: number | null) =>
    a === null || b === null ? null : round(b - a, 2);
  return {
    first: warm.results[0]?.ms ?? Number.NaN,
    sequential: sequential.results,
    concurrent,
    operator: operator.results,
    usage: {
      cpuSeconds: spent(cpuBefore, cpuAfter),
      sequentialCpuSeconds: spent(cpuBefore, cpuAfterSequential),
      peakRssMiB: peakRssMiB === null ? null : round(peakRssMiB),
      rssAfterWarmUpMiB: rssAfterWarmUpMiB === null ? null : round(rssAfterWarmUpMiB),
    },
    peers,
  };
}

function figures(p: Phases, opts: LookupBenchOptions, totalLookups: number) {
  const sequential = byKind(p.sequential);
  const concurrent = latency(p.concurrent.results.map((r) => r.ms));
  const peer = (name: PeerName) => {
    const { results, cpuSeconds } = p.peers[name];
    const l = latency(results.map((r) => r.ms));
    const api = sequential.variantLookups.medianMs;
    return {
      ...l,
      ratioMedian: l.medianMs !== null && api ? round(l.medianMs / api, 2) : null,
      cpuMsPerLookup: round((cpuSeconds * 1000) / results.length, 2),
    };
  };
  const tabix = peer('tabix');
  const median = sequential.variantLookups.medianMs;
  return {
    ...sequential,
    firstLookupMs: round(p.first, 2),
    concurrent: {
      concurrency: opts.concurrency,
      lookups: p.concurrent.results.length,
      requestsPerSecond: round(p.concurrent.results.length / p.concurrent.wallSeconds, 1),
      ...concurrent,
      ...byKindMedians(p.concurrent.results),
    },
    peer: {
      lookups: tabix.count,
      tabix,
      bcftools: peer('bcftools'),
      ratioMedian: tabix.ratioMedian,
    },
    api: {
      cpuSeconds: p.usage.cpuSeconds,
      sequentialCpuSeconds: p.usage.sequentialCpuSeconds,
      cpuMsPerLookup:
        p.usage.cpuSeconds === null
          ? null
          : round(
              (p.usage.cpuSeconds * 1000) / (p.sequential.length + p.concurrent.results.length),
              2,
            ),
      peakRssMiB: p.usage.peakRssMiB,
      rssAfterWarmUpMiB: p.usage.rssAfterWarmUpMiB,
    },
    totalLookups,
    targetMedianMs: TARGET_MEDIAN_MS,
    meetsTarget: median !== null && median <= TARGET_MEDIAN_MS,
  };
}

function byKindMedians(results: readonly Checked[]) {
  const k = byKind(results);
  return {
    variantMedianMs: k.variantLookups.medianMs,
    absentMedianMs: k.absentLookups.medianMs,
    windowMedianMs: k.windowLookups.medianMs,
  };
}

/** The queries of every phase, each its own draw. */
async function queriesOf(release: LookupRelease, opts: LookupBenchOptions) {
  progress('reading the truth');
  const truth = await loadTruth({
    sitesFile: release.sitesFile,
    trackFile: path.join(release.releaseDir, 'an.tsv.gz'),
    seed: opts.seed,
  });
  const draw = (label: string, count: number) => drawQueries(truth, opts.seed, label, count);
  return {
    warmUp: draw('warm-up', WARM_UP),
    sequential: draw('sequential', opts.lookups),
    concurrent: draw('concurrent', Math.ceil(opts.lookups / 5)),
    operator: draw('operator', OPERATOR_CHECKS * 2)
      .filter((q) => q.kind === 'variant')
      .slice(0, OPERATOR_CHECKS),
  };
}

/** `harmonise up` on `dataRoot`, the phases, `harmonise down` (also when a phase fails). */
async function onStack(
  dataRoot: string,
  release: LookupRelease,
  work: (up: UpResult, cli: CliEnv) => Promise<Phases>,
): Promise<Phases> {
  const cli = await cliEnv(dataRoot);
  Object.assign(cli.env, {
    HARMONISE_LOG_LEVEL: 'warn',
    HARMONISE_EXECUTOR: 'local',
    HARMONISE_PIPELINES: release.pipelinesDir,
    HARMONISE_API_READER_RATE: String(READER_RATE),
    HARMONISE_API_READER_BURST: String(READER_RATE),
  });
  progress(`starting the stack on ${dataRoot}`);
  try {
    return await work(JSON.parse(await run(cli, ['up', '--json'])) as UpResult, cli);
  } finally {
    await run(cli, ['down', '--json']).catch((error: unknown) =>
      progress(`harmonise down: ${String(error)}`),
    );
  }
}

export async function runLookupBench(opts: LookupBenchOptions): Promise<Record<string, unknown>> {
  const loadAverage1m = round(os.loadavg()[0]!, 2);
  const release = await prepareLookupRelease({
    dir: opts.dir,
    sites: opts.sites,
    seed: opts.seed,
    log: progress,
  });
  const vcf = path.join(release.releaseDir, 'frequencies.vcf.gz');
  const queries = await queriesOf(release, opts);
  const totalLookups = Object.values(queries).reduce((s, q) => s + q.length, 0);
  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-lookup-run-'));
  const dataRoot = await prepareDataRoot(runDir, release);
  let logLines = 0;
  const phases = await onStack(dataRoot, release, async (up, cli) => {
    const tokens = JSON.parse(await fs.readFile(up.tokensFile, 'utf8')) as Record<string, string>;
    const operator = tokens.operator!;
    const reader = await readerToken(cli, operator);
    const measured = await measure({ up, reader, operator, queries, opts, vcf });
    logLines = await accessLogLines(dataRoot, totalLookups);
    return measured;
  });
  const wrong = wrongOf([...phases.sequential, ...phases.concurrent.results, ...phases.operator]);
  const peerWrong = wrongOf(Object.values(phases.peers).flatMap((p) => p.results));
  if (wrong.count > 0 || peerWrong.count > 0)
    throw new Error(
      `wrong answers: API ${wrong.count} (${wrong.examples.join('; ')}), peer ${peerWrong.count} (${peerWrong.examples.join('; ')}); data root ${dataRoot}`,
    );
  const size = async (name: string) =>
    round((await fs.stat(path.join(release.releaseDir, name))).size / 2 ** 20);
  const result = {
    benchmark: 'lookup',
    sites: release.sites,
    lookups: opts.lookups,
    ...figures(phases, opts, totalLookups),
    wrongAnswers: 0,
    operatorChecked: phases.operator.length,
    accessLogLines: logLines,
    expectedAccessLogLines: totalLookups,
    mix: QUERY_MIX,
    readerRateLimit: {
      perSecond: READER_RATE,
      burst: READER_RATE,
      note: 'raised so that no lookup is throttled (the default is 20/s, burst 100)',
    },
    release: {
      releaseId: LOOKUP_RELEASE_ID,
      dir: release.dir,
      vcfMiB: await size('frequencies.vcf.gz'),
      trackMiB: await size('an.tsv.gz'),
      generateSeconds: round(release.generateSeconds),
    },
    machine: {
      cpus: os.availableParallelism(),
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverage1m,
    },
    seed: opts.seed,
    runDir: opts.keep ? runDir : null,
  };
  if (!opts.keep) await fs.rm(runDir, { recursive: true, force: true });
  return result;
}
