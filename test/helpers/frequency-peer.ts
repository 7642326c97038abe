/**
 * The independent oracle of a release's counts: every gVCF merged at once, as a
 * bioinformatician would (`bcftools merge -g -m all | norm -m -any -f | +fill-tags`), run here by
 * the test and never through harmonise's code. `*`/`<*>` are not alleles; AC 0 is not a site.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';

const COUNTS = ['AC', 'AN', 'AC_Hom', 'AC_Het', 'NS'] as const;

/** `chrom:pos:ref:alt` → tag → count, overall and `<tag>_<region>`, plus `nhomalt`. */
export type SiteCounts = Map<string, Record<string, number>>;

function tagNames(regions: readonly string[]): string[] {
  return [...COUNTS, ...regions.flatMap((r) => COUNTS.map((tag) => `${tag}_${r}`))];
}

async function queryCounts(vcf: string, regions: readonly string[], withNhomalt: boolean) {
  const tags = tagNames(regions);
  const homTags = withNhomalt ? ['nhomalt', ...regions.map((r) => `nhomalt_${r}`)] : [];
  const format = `%CHROM:%POS:%REF:%ALT${[...tags, ...homTags].map((t) => `\\t%INFO/${t}`).join('')}\\n`;
  const { stdout } = await execa('bcftools', ['query', '-f', format, vcf], {
    maxBuffer: 1 << 30,
  });
  const sites: SiteCounts = new Map();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [key, ...values] = line.split('\t') as [string, ...string[]];
    const alt = key.split(':')[3];
    if (alt === '*' || alt === '<*>') continue;
    const counts: Record<string, number> = {};
    [...tags, ...homTags].forEach((tag, i) => {
      counts[tag] = values[i] === '.' ? 0 : Number(values[i]);
    });
    if (!withNhomalt) {
      counts.nhomalt = counts.AC_Hom! / 2;
      for (const r of regions) counts[`nhomalt_${r}`] = counts[`AC_Hom_${r}`]! / 2;
    }
    if (counts.AC! > 0) sites.set(key, counts);
  }
  return sites;
}

/** The peer's counts over `gvcfs` (sample names inside them), grouped by `regionOf`. */
export async function peerCounts(args: {
  dir: string;
  reference: string;
  gvcfs: readonly string[];
  regionOf: Record<string, string>;
  regions: readonly string[];
}): Promise<SiteCounts> {
  await fs.mkdir(args.dir, { recursive: true });
  const list = path.join(args.dir, 'peer-gvcfs.list');
  const groups = path.join(args.dir, 'peer-groups.tsv');
  const out = path.join(args.dir, 'peer.vcf.gz');
  await fs.writeFile(list, `${args.gvcfs.join('\n')}\n`);
  await fs.writeFile(
    groups,
    Object.entries(args.regionOf)
      .map(([sample, region]) => `${sample}\t${region}\n`)
      .join(''),
  );
  const script = `set -euo pipefail\n${[
    `bcftools merge -g "$1" -m all -l "$2" -Ou`,
    `| bcftools norm -m -any -f "$1" -Ou`,
    `| bcftools +fill-tags -Oz -o "$4" -- -S "$3" -t AC,AN,AF,AC_Hom,AC_Het,NS`,
  ].join(' \\\n')}`;
  await execa('bash', ['-c', script, 'peer', args.reference, list, groups, out]);
  return queryCounts(out, args.regions, false);
}

/** A release VCF's counts, read with bcftools. */
export function releaseCounts(vcf: string, regions: readonly string[]): Promise<SiteCounts> {
  return queryCounts(vcf, regions, true);
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
  const regionOf = Object.fromEntries(samples.map(([id, region]) => [id, region]));
  const regions = [...new Set(Object.values(regionOf))].sort();
  const peer = await peerCounts({
    dir: scratch,
    reference,
    gvcfs: samples.map((s) => s[2]),
    regionOf,
    regions,
  });
  const published = await releaseCounts(path.join(releaseDir, 'frequencies.vcf.gz'), regions);
  return {
    sampleIds: samples.map((s) => s[0]),
    regions,
    published,
    differences: countDifferences(published, peer, Number.POSITIVE_INFINITY),
  };
}
