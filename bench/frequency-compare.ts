/**
 * Site-by-site comparison of cohort counts: AC, AN, AC_Hom, AC_Het, NS and nhomalt, overall and
 * per region, keyed by CHROM:POS:REF:ALT. A release VCF carries nhomalt itself; for the peer it is
 * AC_Hom / 2 (AC_Hom counts alleles, two per hom-alt person).
 *
 * `bcftools merge` puts one record per genome into an output line, so where a genome has two
 * records at one POS (a 1-bp reference record and an indel, or an SNV and an indel) the rest go
 * into a second line for the same POS, and after the split the same allele can be on two lines.
 * Each genome's allele is on one of them only, so the peer's lines for one key are combined:
 * allele counts added, AN and NS the largest (the first line holds every genome with a record or
 * block there). How many keys needed that is reported (`peerDuplicateSites`).
 */
import { execa } from 'execa';
import readline from 'node:readline';

export const COUNT_TAGS = ['AC', 'AN', 'AC_Hom', 'AC_Het', 'NS', 'nhomalt'] as const;

/** Key → counts in the order of `countNames(regions)`. */
export type SiteCounts = Map<string, number[]>;

export const countNames = (regions: readonly string[]) => [
  ...COUNT_TAGS,
  ...regions.flatMap((r) => COUNT_TAGS.map((tag) => `${tag}_${r}`)),
];

/** Combines two lines of one key: counts of alleles add up, AN and NS do not. */
function combine(names: readonly string[], a: number[], b: readonly number[]) {
  names.forEach((name, i) => {
    a[i] = /^(AN|NS)(_|$)/.test(name) ? Math.max(a[i]!, b[i]!) : a[i]! + b[i]!;
  });
}

/** Reads a VCF's counts with `bcftools query`, line by line. */
export async function readCounts(
  vcf: string,
  regions: readonly string[],
  nhomalt: 'tag' | 'from AC_Hom',
): Promise<{ sites: SiteCounts; duplicateKeys: number }> {
  const names = countNames(regions);
  const queried = nhomalt === 'tag' ? names : names.filter((n) => !n.startsWith('nhomalt'));
  const format = `%CHROM:%POS:%REF:%ALT${queried.map((t) => `\\t%INFO/${t}`).join('')}\\n`;
  const child = execa('bcftools', ['query', '-f', format, vcf], { buffer: false });
  const sites: SiteCounts = new Map();
  const duplicated = new Set<string>();
  const lines = readline.createInterface({ input: child.stdout });
  for await (const line of lines) {
    const [key, ...values] = line.split('\t') as [string, ...string[]];
    const got = new Map(
      queried.map((name, i) => [name, values[i] === '.' ? 0 : Number(values[i])]),
    );
    const counts = names.map((name) => {
      if (got.has(name)) return got.get(name)!;
      return got.get(name.replace('nhomalt', 'AC_Hom'))! / 2;
    });
    const known = sites.get(key);
    if (!known) sites.set(key, counts);
    else {
      duplicated.add(key);
      combine(names, known, counts);
    }
  }
  await child;
  return { sites, duplicateKeys: duplicated.size };
}

export interface Comparison {
  identical: boolean;
  /** Keys whose counts differ, or that only one side has. */
  mismatchedSites: number;
  onlyInFirst: number;
  onlyInSecond: number;
  /** A few of them, each `key: TAG a vs b, ...` or `key: only in the first|second`. */
  examples: string[];
}

export function compareCounts(
  first: SiteCounts,
  second: SiteCounts,
  regions: readonly string[],
  limit = 10,
): Comparison {
  const names = countNames(regions);
  const examples: string[] = [];
  let mismatchedSites = 0;
  let onlyInFirst = 0;
  let onlyInSecond = 0;
  const note = (text: string) => {
    mismatchedSites += 1;
    if (examples.length < limit) examples.push(text);
  };
  for (const [key, a] of first) {
    const b = second.get(key);
    if (!b) {
      onlyInFirst += 1;
      note(`${key}: only in the first`);
      continue;
    }
    const differ = names.filter((_, i) => a[i] !== b[i]);
    if (differ.length > 0)
      note(
        `${key}: ${differ.map((n) => `${n} ${a[names.indexOf(n)]} vs ${b[names.indexOf(n)]}`).join(', ')}`,
      );
  }
  for (const key of second.keys()) {
    if (first.has(key)) continue;
    onlyInSecond += 1;
    note(`${key}: only in the second`);
  }
  return { identical: mismatchedSites === 0, mismatchedSites, onlyInFirst, onlyInSecond, examples };
}
