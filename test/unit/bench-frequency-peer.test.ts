/**
 * The frequency benchmark's yardsticks: the bcftools peer, the comparison of counts, and the
 * independent count from the gVCFs that says which side of a mismatch is wrong.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCohort } from '../../bench/cohort/generate.ts';
import {
  compareCounts,
  countNames,
  readCounts,
  type SiteCounts,
} from '../../bench/frequency-compare.ts';
import { independentCounts } from '../../bench/frequency-oracle.ts';
import { runPeer } from '../../bench/frequency-peer.ts';
import { scalingExponent } from '../../bench/frequency.ts';

let dir: string;
let regions: string[];
let peer: Awaited<ReturnType<typeof readCounts>>;
let truth: SiteCounts;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-peer-'));
  const cohort = await generateCohort({ dir, samples: 12, seed: 7 });
  regions = [...new Set(cohort.samples.map((s) => s.region))].sort();
  const run = await runPeer({
    dir: path.join(dir, 'peer'),
    reference: cohort.reference,
    samples: cohort.samples,
  });
  peer = await readCounts(run.vcf, regions, 'from AC_Hom');
  truth = await independentCounts(cohort.samples, regions);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the peer against the independent count', () => {
  it('finds the same sites and the same allele counts, overall and per region', () => {
    expect([...peer.sites.keys()].sort()).toEqual([...truth.keys()].sort());
    const names = countNames(regions);
    const alleleCounts = names
      .map((n, i) => [n, i] as const)
      .filter(([n]) => !/^(AN|NS)(_|$)/.test(n));
    for (const [key, counts] of peer.sites) {
      for (const [name, i] of alleleCounts)
        expect(counts[i], `${key} ${name}`).toBe(truth.get(key)![i]);
    }
  });

  it('never counts more called genomes; fewer only where a POS has several alleles', () => {
    const names = countNames(regions);
    const allelesAt = new Map<string, number>();
    for (const key of truth.keys()) {
      const pos = key.split(':').slice(0, 2).join(':');
      allelesAt.set(pos, (allelesAt.get(pos) ?? 0) + 1);
    }
    for (const [key, counts] of peer.sites) {
      const expected = truth.get(key)!;
      const fewer = names.filter((n, i) => /^(AN|NS)(_|$)/.test(n) && counts[i]! < expected[i]!);
      expect(
        names.filter((n, i) => /^(AN|NS)(_|$)/.test(n) && counts[i]! > expected[i]!),
        key,
      ).toEqual([]);
      if (fewer.length > 0)
        expect(allelesAt.get(key.split(':').slice(0, 2).join(':')), key).toBeGreaterThan(1);
    }
  });
});

describe('counts of a VCF', () => {
  it('adds up the allele counts of two lines for one allele, and takes AN from the fullest line at its POS', async () => {
    const vcf = path.join(dir, 'two-lines.vcf');
    const tags = ['AC', 'AN', 'AC_Hom', 'AC_Het', 'NS'];
    const header = [
      '##fileformat=VCFv4.2',
      '##contig=<ID=chr1,length=1000>',
      ...[...tags, ...tags.map((t) => `${t}_north`)].map(
        (t) => `##INFO=<ID=${t},Number=1,Type=Integer,Description="${t}">`,
      ),
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
    ];
    const info = (ac: number, an: number, hom: number, het: number, ns: number) =>
      [ac, an, hom, het, ns].map((v, i) => `${tags[i]}=${v};${tags[i]}_north=${v}`).join(';');
    await fs.writeFile(
      vcf,
      [
        ...header,
        `chr1\t10\t.\tA\tC\t.\t.\t${info(3, 20, 2, 1, 10)}`,
        `chr1\t10\t.\tA\tC\t.\t.\t${info(1, 12, 0, 1, 6)}`,
        `chr1\t20\t.\tG\tT\t.\t.\t${info(2, 20, 2, 0, 10)}`,
        // An insertion only the second line at its POS carries (AN 14), beside a <*> line and
        // an AC 0 line that say every genome (AN 20) is called there.
        `chr1\t30\t.\tA\t<*>\t.\t.\t${info(0, 20, 0, 0, 10)}`,
        `chr1\t30\t.\tA\tC\t.\t.\t${info(0, 20, 0, 0, 10)}`,
        `chr1\t30\t.\tA\tAT\t.\t.\t${info(1, 14, 0, 1, 7)}`,
        '',
      ].join('\n'),
    );
    const { sites, duplicateKeys, lowAnLines } = await readCounts(vcf, ['north'], 'from AC_Hom');
    expect(duplicateKeys).toBe(1);
    expect(lowAnLines).toBe(2);
    expect([...sites.keys()]).toEqual(['chr1:10:A:C', 'chr1:20:G:T', 'chr1:30:A:AT']);
    expect(sites.get('chr1:30:A:AT')).toEqual([1, 20, 0, 1, 10, 0, 1, 20, 0, 1, 10, 0]);
    // AC, AN, AC_Hom, AC_Het, NS, nhomalt; then the same for north.
    expect(sites.get('chr1:10:A:C')).toEqual([4, 20, 2, 2, 10, 1, 4, 20, 2, 2, 10, 1]);
    expect(sites.get('chr1:20:G:T')).toEqual([2, 20, 2, 0, 10, 1, 2, 20, 2, 0, 10, 1]);
  });

  it('compares site by site and names what differs', () => {
    const a: SiteCounts = new Map([
      ['chr1:1:A:C', [1, 2, 0, 1, 1, 0]],
      ['chr1:2:A:G', [1, 2, 0, 1, 1, 0]],
    ]);
    expect(compareCounts(a, new Map(a), []).identical).toBe(true);
    const b: SiteCounts = new Map([
      ['chr1:1:A:C', [1, 4, 0, 1, 2, 0]],
      ['chr1:3:A:T', [1, 2, 0, 1, 1, 0]],
    ]);
    const result = compareCounts(a, b, []);
    expect(result).toMatchObject({
      identical: false,
      mismatchedSites: 3,
      onlyInFirst: 1,
      onlyInSecond: 1,
    });
    expect(result.examples).toContain('chr1:1:A:C: AN 2 vs 4, NS 1 vs 2');
  });
});

describe('the scaling exponent', () => {
  it('is the slope of log CPU on log N', () => {
    const slope = scalingExponent([100, 200, 400].map((x) => ({ x, y: 3 * x ** 2 })));
    expect(slope).toBeCloseTo(2, 10);
    expect(scalingExponent([{ x: 100, y: 1 }])).toBeNull();
  });
});
