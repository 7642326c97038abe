/**
 * The demo's checks of counting by karyotype and quality, on the national pipeline that names the
 * sex chromosomes: the release's allele numbers on autosomes, the PAR, non-PAR X and Y against
 * the karyotypes (worked out here from the demo's own truth, never from harmonise's code); the
 * headline (adj) counts never above the raw ones; the raw counts equal to the -m all merge of
 * the gVCFs on the autosomes; and lookups that tell "not seen" from "not covered".
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { DemoReport } from '../../src/cli/demo.ts';
import type { DemoLayout } from '../../src/demo/layout.ts';
import { harmonise, type CliEnv } from './cli.ts';
import { countDifferences, peerCounts, type SiteCounts } from './frequency-peer.ts';

async function layoutOf(root: string): Promise<DemoLayout> {
  return JSON.parse(await fs.readFile(path.join(root, 'demo/layout.json'), 'utf8')) as DemoLayout;
}

interface Run {
  chrom: string;
  start: number;
  end: number;
  values: Record<string, number>;
}

async function trackRuns(file: string): Promise<Run[]> {
  const { stdout } = await execa('bgzip', ['-dc', file], { maxBuffer: 256 * 1024 * 1024 });
  const [header, ...rows] = stdout.trim().split('\n');
  const columns = header!.slice(1).split('\t').slice(3);
  return rows.map((row) => {
    const [chrom, start, end, ...values] = row.split('\t');
    return {
      chrom: chrom!,
      start: Number(start),
      end: Number(end),
      values: Object.fromEntries(columns.map((c, i) => [c, Number(values[i])])),
    };
  });
}

/** The largest value of `column` over the runs inside [start, end] of `chrom`, and the bases at it. */
function maximum(runs: readonly Run[], chrom: string, start: number, end: number, column: string) {
  let max = -1;
  let bases = 0;
  let total = 0;
  for (const run of runs) {
    if (run.chrom !== chrom || run.end < start || run.start > end) continue;
    const length = Math.min(end, run.end) - Math.max(start, run.start) + 1;
    const value = run.values[column]!;
    total += length;
    if (value > max) [max, bases] = [value, 0];
    if (value === max) bases += length;
  }
  return { max, fraction: bases / total };
}

/** AN by karyotype: 2 per sample on autosomes and the PAR, 2·XX + XY on non-PAR X, XY on Y. */
export async function checkSexChromosomeAlleles(report: DemoReport, root: string): Promise<void> {
  const layout = await layoutOf(root);
  const release = report.release!;
  const released = layout.samples.filter((s) => s.expectedMode !== 'none');
  const runs = await trackRuns(path.join(release.dir, 'an.tsv.gz'));
  const { x, y, par } = layout.sexChromosomes;
  const lengthOf = (name: string) => layout.sequences.find((s) => s.name === name)!.length;
  const parEnd = par[0]!.end;
  for (const region of [null, ...new Set(released.map((s) => s.region))]) {
    const group = released.filter((s) => region === null || s.region === region);
    const column = region === null ? 'AN' : `AN_${region}`;
    const xx = group.filter((s) => (s.statedKaryotype ?? s.karyotype) === 'XX').length;
    const xy = group.length - xx;
    // Y is called only where there are Y reads: a sample stated XY whose reads are XX adds none.
    const withY = group.filter(
      (s) => (s.statedKaryotype ?? s.karyotype) === 'XY' && s.karyotype === 'XY',
    ).length;
    const at = (chrom: string, start: number, end: number) =>
      maximum(runs, chrom, start, end, column);
    expect(at('chr1', 1, lengthOf('chr1')).max, column).toBe(2 * group.length);
    expect(at(x, 1, parEnd).max, `${column} in the PAR`).toBe(2 * group.length);
    // Where every sample is called, and most of non-PAR X is: two per XX, one per XY.
    const nonPar = at(x, parEnd + 1, lengthOf(x));
    expect(nonPar.max, `${column} on non-PAR X`).toBe(2 * xx + xy);
    expect(nonPar.fraction, `${column} on non-PAR X at its maximum`).toBeGreaterThan(0.5);
    // XX samples add nothing on Y.
    expect(at(y, 1, lengthOf(y)).max, `${column} on Y`).toBe(withY);
  }
  const { contig, start, end } = layout.uncovered;
  expect(maximum(runs, contig, start, end, 'AN').max).toBe(0);
  // Every base of the reference is in one run, and the summary says how much is well covered.
  const bases = layout.sequences.reduce((sum, s) => sum + s.length, 0);
  expect(runs.reduce((sum, r) => sum + r.end - r.start + 1, 0)).toBe(bases);
  const summary = JSON.parse(await fs.readFile(path.join(release.dir, 'summary.json'), 'utf8')) as {
    anTrack: { file: string; coverage: Record<string, number> };
  };
  expect(summary.anTrack.file).toBe('an.tsv.gz');
  expect(summary.anTrack.coverage.referenceBases).toBe(bases);
  const fraction = summary.anTrack.coverage.fractionAtLeast80PercentOfMaxAN!;
  // The uncovered stretch and the contig ends are out; most of the genome is in.
  expect(fraction).toBeGreaterThan(0.5);
  expect(fraction).toBeLessThan(1 - (end - start + 1) / bases + 1e-9);

  // In the VCF: the XX and XY strata make up the whole on non-PAR X, XX is nothing on Y, and no
  // headline (adj) count exceeds its raw one.
  const tags = [
    'AC',
    'AN',
    'AC_XX',
    'AN_XX',
    'AC_XY',
    'AN_XY',
    'AC_hemi',
    'AC_raw',
    'AN_raw',
  ] as const;
  const { stdout } = await execa('bcftools', [
    'query',
    '-f',
    `%CHROM\\t%POS${tags.map((t) => `\\t%INFO/${t}`).join('')}\\n`,
    release.vcf,
  ]);
  const records = stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [chrom, pos, ...values] = line.split('\t');
      const counts = {} as Record<(typeof tags)[number], number>;
      tags.forEach((t, i) => (counts[t] = Number(values[i])));
      return { chrom: chrom!, pos: Number(pos), ...counts };
    });
  const onX = records.filter((r) => r.chrom === x && r.pos > parEnd);
  const onY = records.filter((r) => r.chrom === y);
  expect(onX.length).toBeGreaterThan(0);
  expect(onY.length).toBeGreaterThan(0);
  for (const r of onX) {
    expect(r.AN, `${r.chrom}:${r.pos}`).toBe(r.AN_XX + r.AN_XY);
    expect(r.AC, `${r.chrom}:${r.pos}`).toBe(r.AC_XX + r.AC_XY);
    // An XY genotype there is one allele: its alternate alleles are hemizygous.
    expect(r.AC_hemi, `${r.chrom}:${r.pos}`).toBe(r.AC_XY);
  }
  for (const r of onY) expect([r.AC_XX, r.AN_XX], `${r.chrom}:${r.pos}`).toEqual([0, 0]);
  for (const r of records) {
    expect(r.AC, `${r.chrom}:${r.pos}`).toBeLessThanOrEqual(r.AC_raw);
    expect(r.AN, `${r.chrom}:${r.pos}`).toBeLessThanOrEqual(r.AN_raw);
  }
}

/** The raw counts of a release on the autosomes, read with bcftools, as the peer names them. */
async function rawCounts(vcf: string, regions: readonly string[], autosomes: readonly string[]) {
  const groups = ['', ...regions.map((r) => `_${r}`)];
  const tags = groups.flatMap((g) => [`AC_raw${g}`, `AN_raw${g}`, `nhomalt_raw${g}`]);
  const { stdout } = await execa(
    'bcftools',
    [
      'query',
      '-r',
      autosomes.join(','),
      '-f',
      `%CHROM:%POS:%REF:%ALT${tags.map((t) => `\\t%INFO/${t}`).join('')}\\n`,
      vcf,
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const counts: SiteCounts = new Map();
  for (const line of stdout.trim().split('\n')) {
    const [key, ...values] = line.split('\t');
    const named: Record<string, number> = {};
    groups.forEach((g, i) => {
      named[`AC${g}`] = Number(values[3 * i]);
      named[`AN${g}`] = Number(values[3 * i + 1]);
      named[`nhomalt${g}`] = Number(values[3 * i + 2]);
    });
    counts.set(key!, named);
  }
  return counts;
}

/** Raw counts on the autosomes equal the -m all merge of every released gVCF. */
export async function checkRawAgainstPeer(report: DemoReport, root: string): Promise<void> {
  const layout = await layoutOf(root);
  const release = report.release!;
  const samples = (await fs.readFile(path.join(release.dir, 'samples.tsv'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string, string]);
  const regions = [...new Set(samples.map((s) => s[1]))].sort();
  const { x, y } = layout.sexChromosomes;
  const autosomes = layout.sequences.map((s) => s.name).filter((n) => n !== x && n !== y);
  const peer = await peerCounts({
    dir: path.join(root, 'peer-raw'),
    reference: report.reference,
    samples: samples.map(([sampleId, region, gvcf]) => ({ sampleId, region, gvcf })),
  });
  const names = ['', ...regions.map((r) => `_${r}`)].flatMap((g) => [
    `AC${g}`,
    `AN${g}`,
    `nhomalt${g}`,
  ]);
  const onAutosomes: SiteCounts = new Map(
    [...peer]
      .filter(([key]) => autosomes.includes(key.split(':')[0]!))
      .map(([key, counts]) => [key, Object.fromEntries(names.map((n) => [n, counts[n]!]))]),
  );
  const published = await rawCounts(release.vcf, regions, autosomes);
  expect(published.size).toBeGreaterThan(0);
  expect(countDifferences(published, onAutosomes, Number.POSITIVE_INFINITY)).toEqual([]);
}

/** A lookup in the uncovered stretch says AN 0; one at a covered hom-ref position the full AN. */
export async function checkLookups(cli: CliEnv, report: DemoReport, root: string): Promise<void> {
  const layout = await layoutOf(root);
  const released = layout.samples.filter((s) => s.expectedMode !== 'none');
  const lookup = async (position: string) => {
    const result = await harmonise(cli, ['frequency', 'lookup', position, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as {
      releaseId: string;
      verdict: string;
      variants: unknown[];
      alleleNumber: Record<string, number> | null;
    };
  };
  const { contig, start, end } = layout.uncovered;
  const gap = await lookup(`${contig}:${Math.floor((start + end) / 2)}`);
  expect(gap).toMatchObject({
    releaseId: report.release!.releaseId,
    verdict: 'not-covered',
    variants: [],
  });
  expect(gap.alleleNumber!.AN).toBe(0);
  // A position of chr1 every sample covers and no one carries a variant at.
  const runs = await trackRuns(path.join(report.release!.dir, 'an.tsv.gz'));
  const full = runs.find((r) => r.chrom === 'chr1' && r.values.AN === 2 * released.length)!;
  const { stdout } = await execa('bcftools', [
    'query',
    '-r',
    `chr1:${full.start}-${full.end}`,
    '-f',
    '%POS\\n',
    report.release!.vcf,
  ]);
  const carried = new Set(stdout.split('\n').filter(Boolean).map(Number));
  let pos = full.start;
  while (carried.has(pos)) pos += 1;
  const homRef = await lookup(`chr1:${pos}`);
  expect(homRef).toMatchObject({ verdict: 'not-seen', variants: [] });
  expect(homRef.alleleNumber!.AN).toBe(2 * released.length);
  const bad = await harmonise(cli, ['frequency', 'lookup', 'chr1-5']);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain('is not chrom:pos');
}
