/**
 * frequency: what a national frequency release costs over N distinct genomes, against the peer
 * a bioinformatician would run (every gVCF merged at once, all threads: frequency-peer.ts).
 *
 * `npm run bench -- frequency [--cohort distinct] [--samples 400,800,1600,3200] [--peer-max 800]
 *   [--seed 1] [--dir <cohort cache>] [--shard-bases B] [--clean] --json`
 *
 * For each N: the first N genomes of the synthetic cohort (bench/cohort, generated once and
 * cached in --dir, by default `<tmpdir>/harmonise-bench-cohorts`), catalogued in a fresh data
 * root as harmonised with the benchmark's own pipeline version on the cohort's reference; the
 * embedded stack (local executor, every CPU); a release from scratch, then `harmonise consent
 * withdraw` of one genome and the release it starts, each timed from starting the command to its
 * published answer (`fromScratchWallSeconds`, `withdrawalWallSeconds`). The engine's CPU and
 * memory come from each release's summary.json (`engine`): `contributionCpuSeconds` (deriving
 * every genome's contribution), `releaseCpuSeconds` (partials + reduce, given contributions),
 * `fromScratchCpuSeconds` (all three), `withdrawalCpuSeconds` (all three, in the withdrawal's
 * release), `peakJobRssMiB` (the largest engine job of both). `contributionWallSeconds` and
 * `releaseWallSeconds` are null: one release runs its stages back to back and only the whole is
 * timed. Up to --peer-max genomes the peer runs too (`peer*Seconds`, `peerPeakRssMiB`) and
 * `identical` says whether every site's AC, AN, AC_Hom, AC_Het, NS and nhomalt, overall and per
 * region, and the set of sites, are the same in the release from scratch and the peer
 * (`mismatchedSites`, `mismatchExamples`). An independent count read from the gVCFs themselves
 * (frequency-oracle.ts) says which side a mismatch is on (`independentCheck`).
 * With several N, `series` holds each point and `scalingExponent` is the least-squares slope of
 * log(fromScratchCpuSeconds) on log(N); the top-level figures are those of the largest N.
 * Progress goes to stderr. Data roots stay under the printed `runDir` unless --clean.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateCohort, type Cohort } from './cohort/generate.ts';
import { compareCounts, readCounts } from './frequency-compare.ts';
import { independentCounts } from './frequency-oracle.ts';
import { runPeer } from './frequency-peer.ts';
import { engineOf, prepareDataRoot, runReleases, type EngineSummary } from './frequency-stack.ts';
import { round } from './args.ts';
import type { FrequencyBenchOptions } from './options.ts';

const progress = (text: string) => process.stderr.write(`bench frequency: ${text}\n`);

const cpu = (e: EngineSummary) =>
  e.contributions.cpuSeconds + e.partials.cpuSeconds + e.reduce.cpuSeconds;
const peakRss = (e: EngineSummary) =>
  Math.max(
    e.contributions.peakRssMiB,
    e.partials.peakRssMiB,
    e.reduce.peakRssMiB,
    e.gather?.peakRssMiB ?? 0,
  );

/** Least-squares slope of log(y) on log(x); null with fewer than two points. */
export function scalingExponent(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 2 || points.some((p) => p.y <= 0)) return null;
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.y));
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  const sxy = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return sxy / sxx;
}

async function point(
  cohort: Cohort,
  n: number,
  runDir: string,
  opts: { peerMax: number; shardBases: number },
) {
  const samples = cohort.samples.slice(0, n);
  const root = path.join(runDir, `n${n}`);
  progress(`N=${n}: cataloguing under ${root}`);
  const { dataRoot, pipelinesDir } = await prepareDataRoot(root, cohort, samples);
  const withdrawn = samples[Math.floor(n / 2)]!.sampleId;
  const { fromScratch, withdrawal } = await runReleases({
    dataRoot,
    pipelinesDir,
    withdraw: withdrawn,
    shardBases: opts.shardBases,
    progress: (t) => progress(`N=${n}: ${t}`),
  });
  const peer =
    n <= opts.peerMax
      ? await comparePeer(cohort, samples, path.join(root, 'peer'), fromScratch.release.vcf)
      : null;
  const engine = {
    fromScratch: await engineOf(fromScratch.summaryFile),
    withdrawal: await engineOf(withdrawal.summaryFile),
  };
  return {
    ...figures(fromScratch, withdrawal, engine, peer),
    releaseDir: fromScratch.release.dir,
    withdrawalReleaseDir: withdrawal.release.dir,
    withdrawnSample: withdrawn,
    withdrawalSamples: withdrawal.release.samples,
    engine,
    dataRoot,
  };
}

type Releases = Awaited<ReturnType<typeof runReleases>>;
type PeerComparison = Awaited<ReturnType<typeof comparePeer>>;

/** Runs the peer on the same genomes and compares both, and each, with the independent count. */
async function comparePeer(
  cohort: Cohort,
  samples: Cohort['samples'],
  dir: string,
  releaseVcf: string,
) {
  const n = samples.length;
  const regions = [...new Set(samples.map((s) => s.region))].sort();
  progress(`N=${n}: running the peer`);
  const run = await runPeer({ dir, reference: cohort.reference, samples });
  progress(`N=${n}: peer ${round(run.cpuSeconds)} CPU s, ${round(run.wallSeconds)} s wall`);
  const released = await readCounts(releaseVcf, regions, 'tag');
  const peerCounts = await readCounts(run.vcf, regions, 'from AC_Hom');
  const comparison = compareCounts(released.sites, peerCounts.sites, regions);
  progress(
    `N=${n}: release vs peer: identical ${comparison.identical}, ${comparison.mismatchedSites} sites differ`,
  );
  const truth = await independentCounts(samples, regions);
  const releaseCheck = compareCounts(released.sites, truth, regions, 5);
  const peerCheck = compareCounts(peerCounts.sites, truth, regions, 5);
  progress(
    `N=${n}: against the independent count: release ${releaseCheck.mismatchedSites}, peer ${peerCheck.mismatchedSites} sites differ`,
  );
  return {
    run,
    comparison,
    peerDuplicateSites: peerCounts.duplicateKeys,
    peerLowAnLines: peerCounts.lowAnLines,
    releaseCheck,
    peerCheck,
    truth,
  };
}

/** One N's figures (docs/benchmarks.md); the peer's are null above --peer-max. */
function figures(
  fromScratch: Releases['fromScratch'],
  withdrawal: Releases['withdrawal'],
  engine: { fromScratch: EngineSummary; withdrawal: EngineSummary },
  peer: PeerComparison | null,
) {
  return {
    samples: fromScratch.release.samples,
    sites: fromScratch.release.sites,
    peerCpuSeconds: peer ? round(peer.run.cpuSeconds, 2) : null,
    contributionCpuSeconds: round(engine.fromScratch.contributions.cpuSeconds, 2),
    fromScratchCpuSeconds: round(cpu(engine.fromScratch), 2),
    releaseCpuSeconds: round(
      engine.fromScratch.partials.cpuSeconds + engine.fromScratch.reduce.cpuSeconds,
      2,
    ),
    withdrawalCpuSeconds: round(cpu(engine.withdrawal), 2),
    peerWallSeconds: peer ? round(peer.run.wallSeconds, 2) : null,
    contributionWallSeconds: null,
    releaseWallSeconds: null,
    fromScratchWallSeconds: round(fromScratch.wallSeconds, 2),
    withdrawalWallSeconds: round(withdrawal.wallSeconds, 2),
    peakJobRssMiB: round(Math.max(peakRss(engine.fromScratch), peakRss(engine.withdrawal))),
    peerPeakRssMiB: peer ? round(peer.run.peakRssMiB) : null,
    identical: peer ? peer.comparison.identical : null,
    mismatchedSites: peer ? peer.comparison.mismatchedSites : null,
    mismatchExamples: peer ? peer.comparison.examples : [],
    peerDuplicateSites: peer ? peer.peerDuplicateSites : null,
    peerLowAnLines: peer ? peer.peerLowAnLines : null,
    independentCheck: peer
      ? {
          sites: peer.truth.size,
          releaseMismatchedSites: peer.releaseCheck.mismatchedSites,
          releaseExamples: peer.releaseCheck.examples,
          peerMismatchedSites: peer.peerCheck.mismatchedSites,
          peerExamples: peer.peerCheck.examples,
        }
      : null,
  };
}

export async function runFrequencyBench(
  opts: FrequencyBenchOptions,
): Promise<Record<string, unknown>> {
  const { samples: sizes, peerMax, seed, dir: cacheDir } = opts;
  const cpus = os.availableParallelism();

  const generation = process.hrtime.bigint();
  const cohort = await generateCohort({
    dir: cacheDir,
    samples: sizes.at(-1)!,
    seed,
    log: progress,
  });
  const generateSeconds = Number(process.hrtime.bigint() - generation) / 1e9;
  const genomeBases = cohort.sequences.reduce((sum, s) => sum + s.length, 0);
  const shardBases = opts.shardBases ?? Math.ceil(genomeBases / cpus);
  const sizesOf = await Promise.all(
    cohort.samples.slice(0, 20).map((s) => fs.stat(s.gvcf).then((st) => st.size)),
  );

  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-frequency-'));
  const series = [];
  for (const n of sizes) series.push(await point(cohort, n, runDir, { peerMax, shardBases }));
  const last = series.at(-1)!;
  const result = {
    benchmark: 'frequency',
    cohort: 'distinct',
    machine: {
      cpus,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverage1m: round(os.loadavg()[0]!, 2),
    },
    ...Object.fromEntries(
      Object.entries(last).filter(([key]) => key !== 'engine' && key !== 'dataRoot'),
    ),
    reference: cohort.reference,
    series,
    scalingExponent: (() => {
      const slope = scalingExponent(
        series.map((p) => ({ x: p.samples, y: p.fromScratchCpuSeconds })),
      );
      return slope === null ? null : round(slope, 3);
    })(),
    peerMax,
    shardBases,
    seed,
    cohortDir: cohort.dir,
    generateSeconds: round(generateSeconds),
    meanGvcfKiB: round(sizesOf.reduce((s, v) => s + v, 0) / sizesOf.length / 1024),
    runDir: opts.clean ? null : runDir,
  };
  if (opts.clean) await fs.rm(runDir, { recursive: true, force: true });
  return result;
}
