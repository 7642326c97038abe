/**
 * Independent checks of harmonise's genomic outputs, computed in the tests with bcftools and
 * samtools directly (never through harmonise's own code).
 */
import { execa } from 'execa';

export async function bcftoolsQuery(args: string[]): Promise<string[]> {
  const { stdout } = await execa('bcftools', ['query', ...args]);
  return stdout.split('\n').filter(Boolean);
}

/** `@SQ` name → M5 from a CRAM or dict header. */
export async function headerMd5s(file: string, reference: string): Promise<Map<string, string>> {
  const args = file.endsWith('.dict')
    ? ['view', '-H', file]
    : ['view', '-H', '--reference', reference, file];
  const text = file.endsWith('.dict')
    ? (await execa('cat', [file])).stdout
    : (await execa('samtools', args)).stdout;
  const md5s = new Map<string, string>();
  for (const line of text.split('\n').filter((l) => l.startsWith('@SQ'))) {
    const fields = Object.fromEntries(
      line
        .split('\t')
        .slice(1)
        .map((f) => [f.slice(0, 2), f.slice(3)]),
    );
    if (fields.SN && fields.M5) md5s.set(fields.SN, fields.M5);
  }
  return md5s;
}

/** The query format carriedVariants reads, one record per line after the biallelic split. */
export const CARRIED_FORMAT = '%CHROM:%POS:%REF:%ALT[\t%GT]\n';

/** Variant keys (`chrom:pos:ref:alt`) a sample carries in a VCF/gVCF, split and left-aligned. */
export async function carriedVariants(vcf: string, reference: string): Promise<Set<string>> {
  const view = execa('bcftools', ['view', '-i', 'GT="alt"', '-Ou', vcf]);
  const norm = view.pipe('bcftools', ['norm', '-f', reference, '-m', '-any', '-Ou']);
  const query = norm.pipe('bcftools', ['query', '-f', CARRIED_FORMAT]);
  const { stdout } = await query;
  return carriedKeys(stdout);
}

/**
 * The keys of `bcftools query -f CARRIED_FORMAT` output whose sample carries the record's ALT:
 * after the split each record's own ALT is allele 1; gVCF `<*>` records are left out.
 */
export function carriedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [key, gt] = line.split('\t') as [string, string | undefined];
    if (key.endsWith(':<*>') || !/1/.test(gt ?? '')) continue;
    keys.add(key);
  }
  return keys;
}

export interface SiteCounts {
  AC: number;
  AN: number;
  perRegion: Record<string, { AC: number; AN: number }>;
  homAlt: number;
}

/**
 * The cohort computation done independently: `bcftools merge -g` of the same gVCFs, variant
 * sites, biallelic split, `+fill-tags` with region groups; hom-alt people counted from GTs.
 */
export async function independentFrequencies(
  reference: string,
  samples: { sampleId: string; region: string; gvcf: string }[],
  dir: string,
): Promise<Map<string, SiteCounts>> {
  const { writeFile } = await import('node:fs/promises');
  const list = `${dir}/independent.list`;
  const groups = `${dir}/independent.groups`;
  await writeFile(list, samples.map((s) => s.gvcf).join('\n') + '\n');
  await writeFile(groups, samples.map((s) => `${s.sampleId}\t${s.region}`).join('\n') + '\n');
  const regions = [...new Set(samples.map((s) => s.region))].sort();
  const merged = `${dir}/independent.bcf`;
  await execa('bcftools', ['merge', '-g', reference, '-l', list, '-Ou'])
    .pipe('bcftools', ['view', '-c', '1', '-Ou'])
    .pipe('bcftools', ['norm', '-f', reference, '-m', '-any', '-Ou'])
    .pipe('bcftools', ['view', '-c', '1', '-Ou'])
    .pipe('bcftools', ['+fill-tags', '-Ob', '-o', merged, '--', '-S', groups, '-t', 'AC,AN']);
  const format = `%CHROM:%POS:%REF:%ALT\t%AC\t%AN${regions.map((r) => `\t%AC_${r}\t%AN_${r}`).join('')}[\t%GT]\n`;
  const counts = new Map<string, SiteCounts>();
  for (const line of await bcftoolsQuery(['-f', format, merged])) {
    const [key, ac, an, ...rest] = line.split('\t') as [string, string, string, ...string[]];
    const perRegion: SiteCounts['perRegion'] = {};
    regions.forEach((r, i) => {
      perRegion[r] = { AC: Number(rest[2 * i]), AN: Number(rest[2 * i + 1]) };
    });
    const gts = rest.slice(2 * regions.length);
    counts.set(key, {
      AC: Number(ac),
      AN: Number(an),
      perRegion,
      homAlt: gts.filter((gt) => /^1[/|]1$/.test(gt)).length,
    });
  }
  return counts;
}

/** The same counts as published in a release VCF. */
export async function releaseFrequencies(
  vcf: string,
  regions: string[],
): Promise<Map<string, SiteCounts>> {
  const format = `%CHROM:%POS:%REF:%ALT\t%AC\t%AN\t%nhomalt${regions.map((r) => `\t%AC_${r}\t%AN_${r}`).join('')}\n`;
  const counts = new Map<string, SiteCounts>();
  for (const line of await bcftoolsQuery(['-f', format, vcf])) {
    const [key, ac, an, homAlt, ...rest] = line.split('\t') as [
      string,
      string,
      string,
      string,
      ...string[],
    ];
    const perRegion: SiteCounts['perRegion'] = {};
    regions.forEach((r, i) => {
      perRegion[r] = { AC: Number(rest[2 * i]), AN: Number(rest[2 * i + 1]) };
    });
    counts.set(key, { AC: Number(ac), AN: Number(an), perRegion, homAlt: Number(homAlt) });
  }
  return counts;
}

/** How many truth variants the calls contain, and which are missing (sorted, for findings). */
export function recallOf(
  truth: ReadonlySet<string>,
  called: ReadonlySet<string>,
): { truth: number; recalled: number; recall: number | null; missed: string[] } {
  const missed = [...truth].filter((key) => !called.has(key)).sort();
  const recalled = truth.size - missed.length;
  return {
    truth: truth.size,
    recalled,
    recall: truth.size === 0 ? null : recalled / truth.size,
    missed,
  };
}
