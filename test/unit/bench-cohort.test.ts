/**
 * The frequency benchmark's synthetic cohort (bench/cohort): deterministic, distinct genomes in
 * the style of bcftools' gVCFs, with the features a frequency engine must count right.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCohort, type Cohort } from '../../bench/cohort/generate.ts';
import { regionOf } from '../../bench/cohort/genome.ts';
import { COHORT_REGIONS } from '../../bench/cohort/model.ts';
import { makePopulation } from '../../bench/cohort/population.ts';

const GENOMES = 12;
let dir: string;
let cohort: Cohort;

interface Line {
  sample: string;
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  info: string;
  gt: string;
  dp: string;
}

/** The records of a gVCF, as bcftools reads them. */
async function records(gvcf: string): Promise<Line[]> {
  const { stdout } = await execa('bcftools', ['view', '--no-version', '-H', gvcf], {
    maxBuffer: 1 << 28,
  });
  return stdout.split('\n').map((text) => {
    const c = text.split('\t');
    const [gt = '', dp = ''] = (c[9] ?? '').split(':');
    return {
      sample: path.basename(gvcf),
      chrom: c[0]!,
      pos: Number(c[1]),
      ref: c[3]!,
      alt: c[4]!,
      info: c[7]!,
      gt,
      dp: c[8] === 'GT:DP' ? dp : (c[9] ?? '').split(':')[2]!,
    };
  });
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');

let all: Line[][];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-cohort-'));
  // Two processes write the genomes (the path a large cohort takes).
  cohort = await generateCohort({
    dir: path.join(dir, 'a'),
    samples: GENOMES,
    seed: 7,
    concurrency: 2,
  });
  all = await Promise.all(cohort.samples.map((s) => records(s.gvcf)));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the benchmark cohort', () => {
  it('is the same bytes for the same seed, and a smaller cohort is its first genomes', async () => {
    const before = await Promise.all(cohort.samples.map((s) => sha256(s.gvcf)));
    await fs.rm(path.join(cohort.dir, 'genomes'), { recursive: true });
    const again = await generateCohort({
      dir: path.join(dir, 'a'),
      samples: GENOMES,
      seed: 7,
      concurrency: 1,
    });
    expect(await Promise.all(again.samples.map((s) => sha256(s.gvcf)))).toEqual(before);
    // Elsewhere (the header names the reference's path) and smaller: the same records.
    const small = await generateCohort({ dir: path.join(dir, 'b'), samples: 3, seed: 7 });
    for (const [i, sample] of small.samples.entries()) {
      expect(sample.sampleId).toBe(cohort.samples[i]!.sampleId);
      expect(await records(sample.gvcf)).toEqual(all[i]!);
    }
    const other = await generateCohort({ dir: path.join(dir, 'b'), samples: 1, seed: 8 });
    expect(await records(other.samples[0]!.gvcf)).not.toEqual(all[0]!);
  });

  it('reuses a cached genome instead of writing it again', async () => {
    const before = await fs.stat(cohort.samples[0]!.gvcf);
    const messages: string[] = [];
    await generateCohort({
      dir: path.join(dir, 'a'),
      samples: GENOMES,
      seed: 7,
      log: (m) => messages.push(m),
    });
    expect(messages).toEqual([]);
    expect((await fs.stat(cohort.samples[0]!.gvcf)).mtimeMs).toBe(before.mtimeMs);
  });

  it('has distinct genomes, whose record starts keep growing with the cohort', () => {
    const keys = all.map(
      (lines) => new Set(lines.map((l) => `${l.chrom}:${l.pos}:${l.alt}:${l.info}`)),
    );
    for (let i = 0; i < keys.length; i++)
      for (let j = i + 1; j < keys.length; j++) expect(keys[i]).not.toEqual(keys[j]);
    const starts = (n: number) =>
      new Set(all.slice(0, n).flatMap((lines) => lines.map((l) => `${l.chrom}:${l.pos}`))).size;
    expect(starts(2)).toBeGreaterThan(starts(1));
    expect(starts(6)).toBeGreaterThan(starts(3));
    expect(starts(12)).toBeGreaterThan(starts(6));
  });

  it('writes headers bcftools reads as the real ones: contigs with lengths, a sample name', async () => {
    const { stdout } = await execa('bcftools', ['view', '-h', cohort.samples[0]!.gvcf]);
    for (const s of cohort.sequences)
      expect(stdout).toContain(`##contig=<ID=${s.name},length=${s.length}>`);
    expect(stdout).toContain(`##reference=file://${cohort.reference}`);
    expect(stdout).toMatch(/##INFO=<ID=MinDP,/);
    const total = cohort.sequences.reduce((sum, s) => sum + s.length, 0);
    expect(total).toBeGreaterThanOrEqual(2_000_000);
    expect(cohort.sequences.length).toBeGreaterThanOrEqual(4);
    const { stdout: samples } = await execa('bcftools', ['query', '-l', cohort.samples[0]!.gvcf]);
    expect(samples).toBe(cohort.samples[0]!.sampleId);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    const { stdout: indexed } = await execa('bcftools', ['index', '-n', cohort.samples[0]!.gvcf]);
    expect(Number(indexed)).toBe(all[0]!.length);
  });

  it('has every REF allele on the reference (bcftools norm -c e), and not on another one', async () => {
    for (const sample of cohort.samples.slice(0, 3)) {
      const checked = await execa(
        'bcftools',
        ['norm', '-f', cohort.reference, '-c', 'e', '-Ou', '-o', '/dev/null', sample.gvcf],
        { reject: false },
      );
      expect(checked.exitCode, checked.stderr).toBe(0);
    }
    const other = await generateCohort({ dir: path.join(dir, 'b'), samples: 1, seed: 8 });
    const wrong = await execa(
      'bcftools',
      ['norm', '-f', other.reference, '-c', 'e', '-Ou', '-o', '/dev/null', cohort.samples[0]!.gvcf],
      { reject: false },
    );
    expect(wrong.exitCode).not.toBe(0);
  });

  it('writes blocks as call -g 0,10,20 does: banded, 1-bp ones without END, no calls at DP 0', () => {
    const blocks = all.flat().filter((l) => l.alt === '.');
    expect(blocks.every((l) => (l.gt === './.') === (l.dp === '0'))).toBe(true);
    expect(blocks.some((l) => l.gt === './.' && l.info.startsWith('END='))).toBe(true);
    expect(blocks.some((l) => !l.info.includes('END='))).toBe(true);
    const bands = new Set(
      blocks
        .filter((l) => l.gt === '0/0')
        .map((l) => (Number(l.dp) >= 20 ? 3 : Number(l.dp) >= 10 ? 2 : 1)),
    );
    expect([...bands].sort()).toEqual([1, 2, 3]);
  });

  it('has the hard cases: SNV and indel at one POS, 1-bp reference records there, multi-allelic calls', () => {
    const variants = all.flat().filter((l) => l.alt !== '.');
    const indelAt = new Map<string, Set<string>>();
    const snvAt = new Map<string, Set<string>>();
    for (const v of variants) {
      const key = `${v.chrom}:${v.pos}`;
      const map = v.info.startsWith('INDEL') ? indelAt : snvAt;
      map.set(key, (map.get(key) ?? new Set()).add(v.sample));
    }
    const split = [...indelAt].filter(([key, carriers]) =>
      [...(snvAt.get(key) ?? [])].some((s) => !carriers.has(s)),
    );
    expect(split.length).toBeGreaterThan(0);
    const oneBase = all.flat().filter((l) => l.alt === '.' && !l.info.includes('END='));
    expect(
      oneBase.some(
        (l) =>
          indelAt.get(`${l.chrom}:${l.pos}`) && !indelAt.get(`${l.chrom}:${l.pos}`)!.has(l.sample),
      ),
    ).toBe(true);
    expect(oneBase.some((l) => indelAt.get(`${l.chrom}:${l.pos}`)?.has(l.sample))).toBe(true);
    expect(variants.some((v) => v.gt === '1/2' && v.alt.split(',').length === 2)).toBe(true);
    expect(variants.some((v) => v.alt.length > v.ref.length)).toBe(true);
  });

  it('leaves a hom-alt deletion no reference block over the deleted bases', () => {
    let found = 0;
    for (const lines of all) {
      for (const [i, v] of lines.entries()) {
        if (v.gt !== '1/1' || !v.info.startsWith('INDEL') || v.ref.length <= v.alt.length) continue;
        const deleted = { from: v.pos + 1, to: v.pos + v.ref.length - v.alt.length };
        const over = lines.filter(
          (l) =>
            l !== v &&
            l.chrom === v.chrom &&
            l.gt === '0/0' &&
            l.pos <= deleted.to &&
            Number(/END=(\d+)/.exec(l.info)?.[1] ?? l.pos) >= deleted.from,
        );
        expect(over, `${v.chrom}:${v.pos} ${lines[i + 1]?.pos}`).toEqual([]);
        found += 1;
      }
    }
    expect(found).toBeGreaterThan(0);
  });

  it('spreads genomes over the five regions, whose frequencies differ, most sites rare', () => {
    const regions = new Set(Array.from({ length: 200 }, (_, i) => regionOf(7, i)));
    expect(regions.size).toBe(COHORT_REGIONS.length);
    const sites = makePopulation(7).sites.flat();
    const rare = sites.filter((s) => Math.max(...s.altFreq) < 0.005).length;
    const common = sites.filter((s) => Math.min(...s.altFreq) > 0.05).length;
    expect(rare / sites.length).toBeGreaterThan(0.5);
    expect(common).toBeGreaterThan(0);
    const local = sites.filter((s) => Math.min(...s.altFreq) === 0 && Math.max(...s.altFreq) > 0);
    expect(local.length).toBeGreaterThan(0);
  });
});
