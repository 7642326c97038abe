/**
 * The engine jobs run for real (no Temporal) on hand-made gVCFs with chr1, chrX (PAR 1-100) and
 * chrY (PAR 1-50) of XX, XY and unknown genomes, under a spec with sex chromosomes and the adj
 * rule (GQ ≥ 20, DP ≥ 10, 5 where haploid, het allele balance ≥ 0.2). Every count below is
 * worked out by hand from the records in test/helpers/sex-gvcfs.ts.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import { eligibleLine } from '../../src/activities/contribution-keys.ts';
import { createFrequencyActivities, type ReleaseSnapshot } from '../../src/activities/frequency.ts';
import { pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import { fileActivityDeps } from '../helpers/activity-deps.ts';
import { releaseInfo, runEngine, trackAt, type EngineRun } from '../helpers/engine-jobs.ts';
import { SEX_LENGTHS, SEX_PARS, writeSexCohort, type SexCohort } from '../helpers/sex-gvcfs.ts';

let root: string;
let cohort: SexCohort;
let run: EngineRun;
let sites: Map<string, Record<string, string>>;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-ploidy-'));
  cohort = await writeSexCohort(path.join(root, 'cohort'));
  const raw = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '2.json'), 'utf8'));
  raw.reference = {
    name: 'hand-made-xy',
    fasta: cohort.reference,
    sequences: Object.entries(SEX_LENGTHS).map(([name, length]) => ({
      name,
      length,
      md5: createHash('md5')
        .update(cohort.sequences[name as keyof typeof SEX_LENGTHS])
        .digest('hex'),
    })),
  };
  raw.sexChromosomes = { x: 'chrX', y: 'chrY', par: SEX_PARS };
  const spec = pipelineSpecSchema.parse(raw);
  await fs.mkdir(path.join(root, 'pipelines'));
  await fs.writeFile(path.join(root, 'pipelines', '2.json'), JSON.stringify(raw));
  run = await runEngine({
    dir: path.join(root, 'engine'),
    spec,
    reference: cohort.reference,
    samples: cohort.samples,
    shardBases: 100,
  });
  sites = await releaseInfo(run.vcf);
}, 120_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const ref = (chrom: keyof typeof SEX_LENGTHS, pos: number) => cohort.sequences[chrom][pos - 1]!;
const alt = (base: string) => 'ACGT'[('ACGT'.indexOf(base) + 1) % 4]!;
function site(chrom: keyof typeof SEX_LENGTHS, pos: number): Record<string, string> {
  const key = `${chrom}:${pos}:${ref(chrom, pos)}:${alt(ref(chrom, pos))}`;
  const info = sites.get(key);
  expect(info, key).toBeDefined();
  return info!;
}

describe('a release with sex chromosomes and the adj rule', () => {
  it('publishes the sites carried in a counted genotype, and only those', () => {
    expect([...sites.keys()].map((k) => k.split(':').slice(0, 2).join(':'))).toEqual([
      'chr1:50',
      'chr1:100',
      'chrX:40',
      'chrX:150',
      'chrX:180',
      'chrX:200',
      'chrY:100',
    ]);
  });

  it('counts autosomes over every genome, unknown karyotypes in no XX/XY stratum', () => {
    expect(site('chr1', 50)).toMatchObject({
      AC: '4',
      AN: '10',
      AF: '0.4',
      AC_Hom: '2',
      AC_Het: '2',
      NS: '5',
      nhomalt: '1',
      AC_raw: '4',
      AN_raw: '10',
      nhomalt_raw: '1',
      AC_XX: '1',
      AN_XX: '4',
      AC_XY: '2',
      AN_XY: '4',
      nhomalt_XY: '1',
      AC_hemi: '0',
      AC_hovedstaden: '4',
      AN_hovedstaden: '6',
      AC_syddanmark: '0',
      AN_syddanmark: '4',
      AN_XX_hovedstaden: '2',
      AN_XY_syddanmark: '2',
    });
  });

  it('keeps low-quality genotypes (GQ, depth, allele balance) in the raw counts only', () => {
    expect(site('chr1', 100)).toMatchObject({
      AC: '1',
      AN: '4',
      NS: '2',
      AC_Het: '1',
      AC_raw: '4',
      AN_raw: '10',
      AF_raw: '0.4',
      AC_XX: '1',
      AN_XX: '2',
      AC_XY: '0',
      AN_XY: '2',
      AC_hovedstaden: '1',
      AN_hovedstaden: '4',
      AC_raw_hovedstaden: '2',
      AN_raw_hovedstaden: '6',
      AC_syddanmark: '0',
      AN_syddanmark: '0',
      AC_raw_syddanmark: '2',
      AN_raw_syddanmark: '4',
    });
    // A haploid call of depth 3 is not adj; a haploid call of depth 8 is (chrY:100 below).
    expect(site('chrX', 180)).toMatchObject({
      AC: '0',
      AN: '5',
      AF: '0',
      AC_raw: '1',
      AN_raw: '6',
      AN_XY: '1',
      AC_hemi: '0',
    });
  });

  it('counts the PAR of chrX as diploid in every genome', () => {
    expect(site('chrX', 40)).toMatchObject({
      AC: '3',
      AN: '10',
      AC_Hom: '2',
      AC_Het: '1',
      nhomalt: '1',
      NS: '5',
      AC_XX: '2',
      AN_XX: '4',
      nhomalt_XX: '1',
      AC_XY: '1',
      AN_XY: '4',
      AC_hemi: '0',
    });
  });

  it('counts non-PAR chrX as 2 per XX and 1 per XY genome, a diploid hom-alt of XY as one', () => {
    expect(site('chrX', 150)).toMatchObject({
      AC: '3',
      AN: '6',
      AF: '0.5',
      AC_Het: '1',
      AC_Hom: '0',
      nhomalt: '0',
      NS: '4',
      AC_hemi: '2',
      AC_XX: '1',
      AN_XX: '4',
      AC_XY: '2',
      AN_XY: '2',
      nhomalt_XY: '0',
      AC_hovedstaden: '2',
      AN_hovedstaden: '3',
      AC_hemi_hovedstaden: '1',
      AC_syddanmark: '1',
      AN_syddanmark: '3',
      AC_hemi_syddanmark: '1',
    });
    // XYA01's 0/1 there is not a het and not counted at all.
    expect(site('chrX', 200)).toMatchObject({
      AC: '1',
      AN: '5',
      AC_Het: '1',
      NS: '3',
      AC_XY: '0',
      AN_XY: '1',
      AC_XX: '1',
      AN_XX: '4',
      AC_raw: '1',
      AN_raw: '5',
      AN_hovedstaden: '2',
      AN_syddanmark: '3',
    });
  });

  it('counts chrY in XY genomes only', () => {
    expect(site('chrY', 100)).toMatchObject({
      AC: '2',
      AN: '2',
      AF: '1',
      AC_hemi: '2',
      AC_Hom: '0',
      AC_Het: '0',
      nhomalt: '0',
      NS: '2',
      AC_XX: '0',
      AN_XX: '0',
      AF_XX: '.',
      AC_XY: '2',
      AN_XY: '2',
      AN_hovedstaden: '1',
      AN_syddanmark: '1',
    });
  });

  it('names every field in the header, the region last', async () => {
    const header = (await execa('bcftools', ['view', '-h', run.vcf])).stdout;
    const ids = new Set([...header.matchAll(/^##INFO=<ID=([^,]+)/gm)].map((m) => m[1]));
    for (const id of [
      'AC_XX_hovedstaden',
      'AC_hemi_syddanmark',
      'nhomalt_raw_hovedstaden',
      'AF_XY',
    ])
      expect(ids.has(id), id).toBe(true);
    for (const info of sites.values()) expect(Object.keys(info).sort()).toEqual([...ids].sort());
  });

  it('gives the AN track of every base, 0 where nobody is counted', async () => {
    const an = async (chrom: string, pos: number) =>
      (await trackAt(run.track, chrom, pos)).slice(3);
    expect(await an('chr1', 10)).toEqual(['10', '6', '4']);
    expect(await an('chr1', 100)).toEqual(['4', '4', '0']);
    // XXA01's block of depth 3.
    expect(await an('chr1', 160)).toEqual(['8', '4', '4']);
    expect(await an('chrX', 50)).toEqual(['10', '6', '4']);
    // A hom-ref position every genome covers: 2·XX + 1·XY.
    expect(await an('chrX', 250)).toEqual(['6', '3', '3']);
    expect(await an('chrX', 275)).toEqual(['0', '0', '0']);
    expect(await an('chrY', 25)).toEqual(['0', '0', '0']);
    expect(await an('chrY', 150)).toEqual(['2', '1', '1']);
    const { stdout } = await execa('bgzip', ['-dc', run.track]);
    const rows = stdout
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('\t'));
    for (const [chrom, length] of Object.entries(SEX_LENGTHS)) {
      const runs = rows.filter((r) => r[0] === chrom);
      expect(
        runs.reduce((n, r) => n + Number(r[2]) - Number(r[1]) + 1, 0),
        chrom,
      ).toBe(length);
    }
    // chr1 199 (all but chr1:100), chrX PAR 100, non-PAR chrX 189 (all but the gap), chrY
    // non-PAR 150; chrY's PAR, where no genome can be counted, never.
    expect((await fs.readFile(run.coverage, 'utf8')).trim()).toBe(`700\t${199 + 100 + 189 + 150}`);
  });

  it('publishes the track with the VCF and summarises its coverage', async () => {
    const deps = fileActivityDeps(root, { HARMONISE_PIPELINES: path.join(root, 'pipelines') });
    const snap = path.join(root, 'snapshot');
    await fs.mkdir(snap);
    const files = {
      samplesTsv: path.join(snap, 'samples.tsv'),
      gvcfList: path.join(snap, 'gvcfs.list'),
      groups: path.join(snap, 'groups.tsv'),
      excluded: path.join(snap, 'excluded.tsv'),
      eligible: path.join(snap, 'eligible.tsv'),
    };
    await fs.writeFile(files.samplesTsv, '');
    await fs.writeFile(files.excluded, '');
    await fs.writeFile(
      files.eligible,
      cohort.samples.map((s) => `${eligibleLine({ ...s, gvcfSha256: null })}\n`).join(''),
    );
    const snapshot = {
      releaseId: '20261201T120000.000Z',
      pipelineVersion: '2',
      samples: 5,
      samplesPerRegion: { hovedstaden: 3, syddanmark: 2 },
      samplesPerMode: { full: 5 },
      policy: { includeModeNone: false },
      regions: ['hovedstaden', 'syddanmark'],
      excludedCount: 0,
      files,
    } as unknown as ReleaseSnapshot;
    const gather = path.dirname(run.vcf);
    const outputs = Object.fromEntries(
      [
        'frequencies.vcf.gz',
        'frequencies.vcf.gz.tbi',
        'an.tsv.gz',
        'an.tsv.gz.tbi',
        'an-coverage.tsv',
      ].map((name) => [name, path.join(gather, name)]),
    );
    const published = await createFrequencyActivities(deps).publishRelease({
      snapshot,
      workflowId: 'frequency:20261201T120000.000Z',
      outputs,
    });
    expect(published.sites).toBe(7);
    const summary = JSON.parse(
      await fs.readFile(path.join(published.dir, 'summary.json'), 'utf8'),
    ) as {
      anTrack: unknown;
      samplesPerKaryotype: unknown;
      tags: { strata: string[] };
      files: Record<string, unknown>;
    };
    expect(summary.anTrack).toEqual({
      file: 'an.tsv.gz',
      index: 'an.tsv.gz.tbi',
      coverage: {
        referenceBases: 700,
        basesAtLeast80PercentOfMaxAN: 638,
        fractionAtLeast80PercentOfMaxAN: 0.911429,
      },
    });
    expect(summary.samplesPerKaryotype).toEqual({ XX: 2, XY: 2, unknown: 1 });
    expect(summary.tags.strata).toContain('AC_hemi');
    expect(Object.keys(summary.files).sort()).toEqual([
      'an.tsv.gz',
      'an.tsv.gz.tbi',
      'frequencies.vcf.gz',
      'frequencies.vcf.gz.tbi',
      'samples.tsv',
    ]);
    expect((await trackAt(path.join(published.dir, 'an.tsv.gz'), 'chrX', 250)).slice(3)).toEqual([
      '6',
      '3',
      '3',
    ]);
  });
});
