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
