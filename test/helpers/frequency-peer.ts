/**
 * The independent oracle of a release's counts: every gVCF merged at once, as a
 * bioinformatician would (`bcftools merge -g -m all | norm -m -any -f | +fill-tags`), run here by
 * the test and never through harmonise's code; its output read as bench/frequency-compare.ts
 * reads it (a genome's second record at a POS lands on a line of its own with too low an AN:
 * an allele's AN is that of the fullest line at its POS). The same code as the frequency
 * benchmark's, so the tests and the benchmark hold releases to one oracle.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { countNames, readCounts } from '../../bench/frequency-compare.ts';
import { runPeer } from '../../bench/frequency-peer.ts';

/** `chrom:pos:ref:alt` → tag → count, overall and `<tag>_<region>`, plus `nhomalt`. */
export type SiteCounts = Map<string, Record<string, number>>;

async function countsOf(
  vcf: string,
  regions: readonly string[],
  nhomalt: 'tag' | 'from AC_Hom',
): Promise<SiteCounts> {
  const names = countNames(regions);
  const { sites } = await readCounts(vcf, regions, nhomalt);
  return new Map(
    [...sites].map(([key, values]) => [
      key,
      Object.fromEntries(names.map((name, i) => [name, values[i]!])),
    ]),
  );
}

/** The peer's counts over the samples' gVCFs, grouped by their regions. */
export async function peerCounts(args: {
  dir: string;
  reference: string;
  samples: readonly { sampleId: string; region: string; gvcf: string }[];
}): Promise<SiteCounts> {
  const run = await runPeer(args);
  const regions = [...new Set(args.samples.map((s) => s.region))].sort();
  return countsOf(run.vcf, regions, 'from AC_Hom');
}

/** A release VCF's counts, read with bcftools. */
export function releaseCounts(vcf: string, regions: readonly string[]): Promise<SiteCounts> {
  return countsOf(vcf, regions, 'tag');
}

/** Sites whose counts differ (or that only one side has), at most `limit` of them. */
export function countDifferences(a: SiteCounts, b: SiteCounts, limit = 10): string[] {
  const differences: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const left = a.get(key);
    const right = b.get(key);
    if (!left || !right) {
      differences.push(`${key}: only in the ${left ? 'first' : 'second'}`);
    } else {
      const tags = Object.keys(left).filter((tag) => left[tag] !== right[tag]);
      if (tags.length > 0)
        differences.push(`${key}: ${tags.map((t) => `${t} ${left[t]} vs ${right[t]}`).join(', ')}`);
    }
    if (differences.length >= limit) break;
  }
  return differences;
}

/** A published release against the peer over the genomes its `samples.tsv` names. */
export async function compareReleaseWithPeer(
  releaseDir: string,
  reference: string,
  scratch: string,
) {
  const samples = (await fs.readFile(path.join(releaseDir, 'samples.tsv'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string, string]);
  const regions = [...new Set(samples.map((s) => s[1]))].sort();
  const peer = await peerCounts({
    dir: path.join(scratch, 'peer'),
    reference,
    samples: samples.map(([sampleId, region, gvcf]) => ({ sampleId, region, gvcf })),
  });
  const published = await releaseCounts(path.join(releaseDir, 'frequencies.vcf.gz'), regions);
  return {
    sampleIds: samples.map((s) => s[0]),
    regions,
    published,
    differences: countDifferences(published, peer, Number.POSITIVE_INFINITY),
  };
}
