/**
 * The additive frequency engine through the real stack (`harmonise up`, Temporal, local
 * executor), on the hand-made gVCFs whose counts were worked out by hand: in batches of two
 * genomes and 150-bp shards, a release equals those counts and the `-m all` merge of every
 * gVCF; a second release reuses every contribution and partial; a withdrawal rebuilds one batch
 * and equals a release computed from scratch over the remaining genomes.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReleasableRecord } from '../../src/demo/releasable-record.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import { cliEnv, harmonise, startStack, type CliEnv } from '../helpers/cli.ts';
import { countDifferences, peerCounts, releaseCounts } from '../helpers/frequency-peer.ts';
import {
  HAND_REGIONS,
  handExpected,
  writeHandCohort,
  type HandCohort,
} from '../helpers/hand-gvcfs.ts';

let root: string;
let cli: CliEnv;
let cohort: HandCohort;
const REGIONS = ['hovedstaden', 'sjaelland'];

interface Summary {
  samples: number;
  engine: Record<
    'contributions' | 'partials' | 'reduce',
    { jobs: number; cpuSeconds: number; peakRssMiB: number; [k: string]: number }
  >;
  batches: { batch: string; partial: string; members: number; reused: boolean }[];
}

async function release(): Promise<{ dir: string; vcf: string; summary: Summary }> {
  const result = await harmonise(cli, ['frequency', 'release', '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  const published = JSON.parse(result.stdout) as { dir: string; vcf: string };
  const summary = JSON.parse(
    await fs.readFile(path.join(published.dir, 'summary.json'), 'utf8'),
  ) as Summary;
  return { ...published, summary };
}

/** The hand-made genomes the filter keeps, as the peer takes them. */
function handSamples(keep: (sampleId: string) => boolean) {
  return Object.entries(HAND_REGIONS)
    .filter(([id]) => keep(id))
    .map(([sampleId, region]) => ({
      sampleId,
      region,
      gvcf: cohort.gvcfs[sampleId as keyof typeof HAND_REGIONS],
    }));
}

async function records(vcf: string): Promise<string> {
  return (await execa('bcftools', ['view', '-H', vcf])).stdout;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-freq-engine-'));
  // With a genome that has two records at one POS, as bcftools writes them.
  cohort = await writeHandCohort(path.join(root, 'cohort'), true);
  // Pipeline 1 of the project, on the hand-made reference.
  const spec = JSON.parse(
    await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '1.json'), 'utf8'),
  );
  spec.reference = {
    name: 'hand-made-300bp',
    fasta: cohort.reference,
    sequences: [
      {
        name: 'chr1',
        length: 300,
        md5: createHash('md5').update(cohort.refSeq.toUpperCase()).digest('hex'),
      },
    ],
  };
  await fs.mkdir(path.join(root, 'pipelines'));
  await fs.writeFile(path.join(root, 'pipelines', '1.json'), JSON.stringify(spec));
  for (const [sampleId, region] of Object.entries(HAND_REGIONS)) {
    await writeReleasableRecord(root, {
      sampleId,
      region,
      gvcf: cohort.gvcfs[sampleId as keyof typeof HAND_REGIONS],
    });
  }
  cli = await cliEnv(root);
  Object.assign(cli.env, {
    HARMONISE_REGIONS: REGIONS.join(','),
    HARMONISE_PIPELINES: path.join(root, 'pipelines'),
    HARMONISE_FREQUENCY_BATCH_SIZE: '2',
    HARMONISE_FREQUENCY_SHARD_BASES: '150',
    HARMONISE_FREQUENCY_CONTRIBUTIONS_PER_JOB: '3',
  });
  await startStack(cli);
}, 300_000);

afterAll(async () => {
  const down = await harmonise(cli, ['down', '--json']);
  expect(down.exitCode, down.stderr).toBe(0);
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

describe('the additive frequency engine', () => {
  let first: Awaited<ReturnType<typeof release>>;

  it('counts every site as worked out by hand and as the -m all merge of every gVCF', async () => {
    first = await release();
    const counts = await releaseCounts(first.vcf, REGIONS);
    const expected = handExpected(cohort.refSeq);
    expect([...counts.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, tags] of expected) expect(counts.get(key), key).toMatchObject(tags);
    const peer = await peerCounts({
      dir: path.join(root, 'peer-all'),
      reference: cohort.reference,
      samples: handSamples(() => true),
    });
    expect(countDifferences(counts, peer)).toEqual([]);

    // Four genomes read once (in jobs of three), two batches, two shards.
    expect(first.summary.samples).toBe(4);
    expect(first.summary.engine.contributions).toMatchObject({ jobs: 2, derived: 4, reused: 0 });
    expect(first.summary.engine.partials).toMatchObject({ batches: 2, built: 2, reused: 0 });
    expect(first.summary.engine.reduce).toMatchObject({ jobs: 2, shards: 2 });
    // Each job measured itself (the bcftools steps on these tiny files can round to 0 s CPU).
    for (const stage of Object.values(first.summary.engine)) {
      expect(stage.peakRssMiB).toBeGreaterThan(0);
    }
    expect(first.summary.engine.partials.cpuSeconds).toBeGreaterThan(0);
    expect(first.summary.engine.reduce.cpuSeconds).toBeGreaterThan(0);
    // Each contribution lies beside its genome, with the digest of the gVCF it was read from.
    const contribution = JSON.parse(
      await fs.readFile(
        (
          await fs.readdir(path.join(root, 'gdb/samples/HOV001/1/contributions'), {
            withFileTypes: true,
          })
        ).map((d) => path.join(d.parentPath, d.name, 'contribution.json'))[0]!,
        'utf8',
      ),
    ) as { sampleId: string; gvcf: { sha256: string }; files: Record<string, unknown> };
    expect(contribution.sampleId).toBe('HOV001');
    expect(contribution.gvcf.sha256).toBe(
      createHash('sha256')
        .update(await fs.readFile(cohort.gvcfs.HOV001))
        .digest('hex'),
    );
    expect(Object.keys(contribution.files).sort()).toEqual(['alleles.tsv.gz', 'called.tsv.gz']);
  }, 300_000);

  it('reads no gVCF and builds no partial again when nothing changed', async () => {
    const again = await release();
    expect(again.summary.engine.contributions).toMatchObject({ jobs: 0, derived: 0, reused: 4 });
    expect(again.summary.engine.partials).toMatchObject({ built: 0, reused: 2 });
    expect(again.summary.batches.map((b) => b.partial)).toEqual(
      first.summary.batches.map((b) => b.partial),
    );
    expect(await records(again.vcf)).toBe(await records(first.vcf));
  }, 300_000);

  it('rebuilds one batch on a withdrawal, equal to a release from scratch without the genome', async () => {
    const withdraw = await harmonise(cli, ['consent', 'withdraw', 'SJA001', '--wait', '--json']);
    expect(withdraw.exitCode, withdraw.stderr).toBe(0);
    const { release: published } = JSON.parse(withdraw.stdout) as {
      release: { dir: string; vcf: string };
    };
    const summary = JSON.parse(
      await fs.readFile(path.join(published.dir, 'summary.json'), 'utf8'),
    ) as Summary;
    expect(summary.samples).toBe(3);
    expect(summary.engine.contributions).toMatchObject({ derived: 0, reused: 3 });
    expect(summary.engine.partials).toMatchObject({ batches: 2, built: 1, reused: 1 });
    const rebuilt = summary.batches.find((b) => !b.reused)!;
    expect(rebuilt).toMatchObject({ batch: 'batch-000002', members: 1 });

    const peer = await peerCounts({
      dir: path.join(root, 'peer-withdrawn'),
      reference: cohort.reference,
      samples: handSamples((id) => id !== 'SJA001'),
    });
    expect(countDifferences(await releaseCounts(published.vcf, REGIONS), peer)).toEqual([]);

    // From scratch: every contribution and partial gone, so the release reads every gVCF again.
    await fs.rm(path.join(root, 'freq', 'partials'), { recursive: true });
    await fs.rm(path.join(root, 'freq', 'batches'), { recursive: true });
    for (const id of Object.keys(HAND_REGIONS)) {
      await fs.rm(path.join(root, 'gdb/samples', id, '1', 'contributions'), {
        recursive: true,
        force: true,
      });
    }
    const scratch = await release();
    expect(scratch.summary.engine.contributions).toMatchObject({ derived: 3, reused: 0 });
    expect(await records(scratch.vcf)).toBe(await records(published.vcf));
  }, 300_000);
});
