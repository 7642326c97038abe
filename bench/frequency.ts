/**
 * frequency: a sharded frequency release over N gVCFs against one unsharded bcftools pass over
 * the same gVCFs. The gVCFs are the demo's harmonised ones (from a `harmonise demo` this
 * benchmark runs, or `--demo-data <dataRoot>` of an earlier one), copied under new sample names
 * (`bcftools reheader`) and catalogued as harmonised with pipeline 1. The unsharded pass runs the
 * release's own aggregation script for the whole genome in one bash job; the release runs on the
 * embedded stack (`harmonise up`, local executor, all CPUs) from start to published. `identical`
 * compares every record of the two VCFs, INFO included.
 *
 * `npm run bench -- frequency [--samples N] [--shard-bases B] [--repeat R] [--demo-data DIR] [--clean] --json`
 * `unshardedSeconds` and `releaseSeconds` are medians of R alternating runs of each (default 3).
 * The data (release, copies, unsharded pass) stay under the printed `dataRoot` unless --clean.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeReleasableRecord } from '../infra/demo/seed-catalogue.ts';
import type { PublishedRelease } from '../src/activities/frequency.ts';
import { HarmoniseClient } from '../src/client.ts';
import { loadConfig, PROJECT_ROOT } from '../src/config.ts';
import { FREQUENCY_OUTPUTS, genomicShards } from '../src/domain/shards.ts';
import { PipelineRegistry } from '../src/store/pipelines.ts';
import { aggregateFrequencies } from '../src/tools/frequency.ts';
import { EXIT_MARKER, renderJobScript, SCRIPT_NAME } from '../src/tools/job-script.ts';
import { cliEnv, harmonise, type CliEnv } from '../test/helpers/cli.ts';
import { option, round } from './args.ts';

const PIPELINE = '1';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const progress = (text: string) => process.stderr.write(`bench frequency: ${text}\n`);

interface Source {
  sampleId: string;
  region: string;
  gvcf: string;
}

/** Runs `harmonise <args>` as a user would (test/helpers/cli.ts); throws with its stderr. */
async function run(cli: CliEnv, args: string[]): Promise<string> {
  const result = await harmonise(cli, args);
  if (result.exitCode !== 0) {
    throw new Error(`harmonise ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr}`);
  }
  return result.stdout;
}

/** A data root's own free ports, quiet logs, and `extra` settings. */
async function stack(dataRoot: string, extra: Record<string, string> = {}): Promise<CliEnv> {
  const cli = await cliEnv(dataRoot);
  Object.assign(cli.env, { HARMONISE_LOG_LEVEL: 'warn', ...extra });
  return cli;
}

/** The harmonised gVCFs of a demo data root: the rows of its latest release's samples.tsv. */
async function demoSources(demoRoot: string): Promise<Source[]> {
  const text = await fs.readFile(path.join(demoRoot, 'freq', 'latest', 'samples.tsv'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sampleId, region, gvcf] = line.split('\t') as [string, string, string];
      return { sampleId, region, gvcf };
    });
}

/** Runs `work` over `items` with at most `limit` at once. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** sha256 of every record line of a VCF (the header is left out: it names no data). */
async function recordsDigest(vcf: string): Promise<{ sha256: string; records: number }> {
  const { stdout } = await execa('bcftools', ['view', '--no-version', '-H', vcf], {
    maxBuffer: 2 ** 31,
  });
  const records = stdout === '' ? 0 : stdout.split('\n').length;
  return { sha256: createHash('sha256').update(stdout).digest('hex'), records };
}

export async function runFrequencyBench(args: string[]): Promise<Record<string, unknown>> {
  const samples = option(args, '--samples', 1000);
  const shardAt = args.indexOf('--shard-bases');
  const demoAt = args.indexOf('--demo-data');
  const clean = args.includes('--clean');
  const repeat = option(args, '--repeat', 3);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-frequency-'));
  const cpus = os.availableParallelism();

  // 1. The demo's harmonised gVCFs.
  let demoRoot: string;
  let demoSeconds: number | null = null;
  if (demoAt >= 0) {
    demoRoot = path.resolve(args[demoAt + 1] ?? '');
  } else {
    demoRoot = path.join(root, 'demo');
    const cli = await stack(demoRoot);
    const started = Date.now();
    progress(`running harmonise demo under ${demoRoot}`);
    try {
      await run(cli, ['demo', '--json']);
    } finally {
      await run(cli, ['down', '--json']).catch(() => undefined);
    }
    demoSeconds = (Date.now() - started) / 1000;
  }
  const sources = await demoSources(demoRoot);
  if (sources.length === 0) throw new Error(`${demoRoot} has no released gVCFs`);

  // 2. N copies under new names, catalogued as harmonised with pipeline 1.
  const dataRoot = path.join(root, 'data');
  await fs.mkdir(path.join(dataRoot, 'copies'), { recursive: true });
  await fs.symlink(path.join(demoRoot, 'reference'), path.join(dataRoot, 'reference'));
  const copyStart = Date.now();
  const ids = Array.from({ length: samples }, (_, n) => n);
  await inParallel(ids, cpus, async (n) => {
    const source = sources[n % sources.length]!;
    const sampleId = `FRQ${String(n).padStart(6, '0')}`;
    const gvcf = path.join(dataRoot, 'copies', `${sampleId}.g.vcf.gz`);
    const names = `${gvcf}.names`;
    await fs.writeFile(names, `${sampleId}\n`);
    await execa('bcftools', ['reheader', '-s', names, '-o', gvcf, source.gvcf]);
    await execa('tabix', ['-f', '-p', 'vcf', gvcf]);
    await fs.rm(names);
    await writeReleasableRecord(dataRoot, { sampleId, region: source.region, gvcf });
  });
  const copySeconds = (Date.now() - copyStart) / 1000;
  progress(`${samples} gVCFs from ${sources.length} demo samples in ${round(copySeconds)} s`);

  // 3. One unsharded pass: the release's aggregation script over the whole genome.
  const pipeline = await new PipelineRegistry(path.join(PROJECT_ROOT, 'pipelines'), dataRoot).load(
    PIPELINE,
  );
  // By default one CPU's share of the genome: as many shard jobs at once as there are CPUs.
  const genomeBases = pipeline.spec.reference.sequences.reduce((sum, s) => sum + s.length, 0);
  const shardBases =
    shardAt >= 0 ? option(args, '--shard-bases', 1) : Math.ceil(genomeBases / cpus);
  const unshardedDir = path.join(root, 'unsharded');
  await fs.mkdir(unshardedDir, { recursive: true });
  const rows = ids.map((n) => {
    const sampleId = `FRQ${String(n).padStart(6, '0')}`;
    return {
      sampleId,
      region: sources[n % sources.length]!.region,
      gvcf: path.join(dataRoot, 'copies', `${sampleId}.g.vcf.gz`),
    };
  });
  const gvcfList = path.join(unshardedDir, 'gvcfs.list');
  const groups = path.join(unshardedDir, 'groups.tsv');
  await fs.writeFile(gvcfList, rows.map((r) => `${r.gvcf}\n`).join(''));
  await fs.writeFile(groups, rows.map((r) => `${r.sampleId}\t${r.region}\n`).join(''));
  const commands = aggregateFrequencies({
    pipeline: pipeline.spec,
    reference: pipeline.referenceFasta,
    gvcfList,
    groups,
    regions: [...new Set(rows.map((r) => r.region))].sort(),
    shard: null,
    resources: pipeline.spec.steps.frequency,
  });
  await fs.writeFile(
    path.join(unshardedDir, SCRIPT_NAME),
    renderJobScript({ key: 'bench:unsharded', workDir: unshardedDir, ...commands }),
  );
  const unshardedPass = async (): Promise<number> => {
    await fs.rm(path.join(unshardedDir, EXIT_MARKER), { force: true });
    const started = Date.now();
    await execa('bash', [SCRIPT_NAME], { cwd: unshardedDir, reject: false });
    const seconds = (Date.now() - started) / 1000;
    const exit = (await fs.readFile(path.join(unshardedDir, EXIT_MARKER), 'utf8')).trim();
    if (exit !== '0')
      throw new Error(`the unsharded pass failed (exit ${exit}); see ${unshardedDir}`);
    progress(`unsharded pass: ${round(seconds)} s`);
    return seconds;
  };

  // 4. Releases on the embedded stack, alternating with unsharded passes (the machine's load
  // drifts; alternating spreads it over both), and the medians compared.
  const cli = await stack(dataRoot, {
    HARMONISE_EXECUTOR: 'local',
    HARMONISE_LOCAL_CPUS: String(cpus),
    HARMONISE_FREQUENCY_SHARD_BASES: String(shardBases),
  });
  await run(cli, ['up', '--json']);
  const unshardedTimes: number[] = [];
  const releaseTimes: number[] = [];
  const release = await (async () => {
    const client = await HarmoniseClient.connect(loadConfig(cli.env));
    try {
      let published: PublishedRelease | undefined;
      for (let round_ = 0; round_ < repeat; round_++) {
        unshardedTimes.push(await unshardedPass());
        const started = Date.now();
        const releaseId = await client.startRelease({
          pipelineVersion: PIPELINE,
          requestedBy: 'bench',
        });
        published = await client.waitForRelease(releaseId);
        releaseTimes.push((Date.now() - started) / 1000);
        progress(`release ${releaseId}: ${round(releaseTimes.at(-1)!)} s`);
      }
      if (!published) throw new Error('no release was cut');
      return published;
    } finally {
      await client.close();
      await run(cli, ['down', '--json']).catch(() => undefined);
    }
  })();
  const unshardedSeconds = median(unshardedTimes);
  const releaseSeconds = median(releaseTimes);

  // 5. The same records?
  const unsharded = await recordsDigest(path.join(unshardedDir, FREQUENCY_OUTPUTS.vcf));
  const released = await recordsDigest(release.vcf);
  const shards = genomicShards(pipeline.spec.reference.sequences, shardBases).length;
  const result = {
    benchmark: 'frequency',
    machine: { cpus, memGiB: Math.round(os.totalmem() / 2 ** 30) },
    samples: release.samples,
    unshardedSeconds: round(unshardedSeconds),
    releaseSeconds: round(releaseSeconds),
    ratio: round(releaseSeconds / unshardedSeconds, 3),
    identical: unsharded.sha256 === released.sha256 && release.samples === samples,
    releaseDir: release.dir,
    reference: pipeline.referenceFasta,
    sites: release.sites,
    unshardedSites: unsharded.records,
    shards,
    shardBases,
    repeat,
    unshardedRuns: unshardedTimes.map((t) => round(t)),
    releaseRuns: releaseTimes.map((t) => round(t)),
    sourceSamples: sources.length,
    demoSeconds: demoSeconds === null ? null : round(demoSeconds),
    copySeconds: round(copySeconds),
    dataRoot: clean ? null : root,
  };
  if (clean) await fs.rm(root, { recursive: true, force: true });
  return result;
}
