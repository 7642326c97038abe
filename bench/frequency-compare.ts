/**
 * Site-by-site comparison of cohort counts: AC, AN, AC_Hom, AC_Het, NS and nhomalt, overall and
 * per region, keyed by CHROM:POS:REF:ALT. A release VCF carries nhomalt itself; for the peer it is
 * AC_Hom / 2 (AC_Hom counts alleles, two per hom-alt person).
 *
 * The peer's output is read with care. `bcftools merge` puts one record per genome into an
 * output line, so where a genome has two records at one POS (a 1-bp reference record and an
 * indel, or an SNV and an indel) its second record goes into a second line for that POS, and
 * that line leaves out every genome with a single record there. After the split an allele can
 * be on both lines (its carriers divided between them: its counts are added up), or on the
 * second line only, with an AN too low. The first line at a POS holds every genome with a
 * record or block there, so an allele's AN and NS are those of the fullest line at its POS.
 * How many keys were on two lines (`duplicateKeys`) and how many lines had a lower AN than
 * their POS (`lowAnLines`) is reported. `*` and `<*>` lines count for the POS, not as alleles;
 * AC 0 is not a site. A release has one record per allele: a second one is an error.
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

const isCalled = (name: string) => /^(AN|NS)(_|$)/.test(name);

/** Reads a VCF's counts with `bcftools query`, line by line. */
export async function readCounts(
  vcf: string,
  regions: readonly string[],
  nhomalt: 'tag' | 'from AC_Hom',
): Promise<{ sites: SiteCounts; duplicateKeys: number; lowAnLines: number }> {
  const names = countNames(regions);
  const called = names.map(isCalled);
  const queried = nhomalt === 'tag' ? names : names.filter((n) => !n.startsWith('nhomalt'));
  const format = `%CHROM:%POS:%REF:%ALT${queried.map((t) => `\\t%INFO/${t}`).join('')}\\n`;
  const child = execa('bcftools', ['query', '-f', format, vcf], { buffer: false });
  const sites: SiteCounts = new Map();
  const duplicated = new Set<string>();
  let lowAnLines = 0;
  // The lines of the current POS (sorted input: they are adjacent), and its fullest AN and NS.
  let position = '';
  let atPosition: { key: string; an: number }[] = [];
  let fullest: number[] = [];
  const closePosition = () => {
    for (const { key, an } of atPosition) {
      const counts = sites.get(key)!;
      names.forEach((_, i) => {
        if (called[i]) counts[i] = fullest[i]!;
      });
      if (an < fullest[1]!) lowAnLines += 1;
    }
    atPosition = [];
    fullest = names.map(() => 0);
  };
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
    // `*` and `<*>` are not alleles; their lines still say who is called at the POS.
    const alt = key.slice(key.lastIndexOf(':') + 1);
    const allele = alt !== '*' && alt !== '<*>';
    const known = sites.get(key);
    if (known && nhomalt === 'tag') throw new Error(`${vcf} has two records of ${key}`);
    if (nhomalt === 'from AC_Hom') {
      const here = key.split(':', 2).join(':');
      if (here !== position) {
        closePosition();
        position = here;
      }
      if (allele) atPosition.push({ key, an: counts[1]! });
      names.forEach((_, i) => {
        if (called[i]) fullest[i] = Math.max(fullest[i]!, counts[i]!);
      });
    }
    if (!allele) continue;
    if (!known) sites.set(key, counts);
    else {
      duplicated.add(key);
      names.forEach((_, i) => {
        if (!called[i]) known[i]! += counts[i]!;
      });
    }
  }
  await child;
  closePosition();
  // A site is an allele someone carries (the peer writes AC 0 lines as well).
  for (const [key, counts] of sites) if (counts[0] === 0) sites.delete(key);
  return { sites, duplicateKeys: duplicated.size, lowAnLines };
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
