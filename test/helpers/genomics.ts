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

/**
 * Variant keys (`chrom:pos:ref:alt`) a sample carries in a VCF/gVCF, split and left-aligned. A
 * haploid call `1` (an XY sample outside the PAR on chrX, on chrY) carries its ALT like `0/1`.
 */
export async function carriedVariants(
  vcf: string,
  reference: string,
  /** Only records on these sequences (all when absent). */
  sequences?: readonly string[],
): Promise<Set<string>> {
  const only = sequences ? ['-t', sequences.join(',')] : [];
  const view = execa('bcftools', ['view', '-i', 'GT="alt"', ...only, '-Ou', vcf]);
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

/** The quality rule a call must pass to count under adj (a pipeline spec's `quality`). */
export interface AdjRule {
  minGQ: number;
  minDP: number;
  minDPHaploid: number;
  minHetAlleleBalance: number;
}

/** Pipeline 2's rule, for checks that do not read the spec. */
export const ADJ: AdjRule = { minGQ: 20, minDP: 10, minDPHaploid: 5, minHetAlleleBalance: 0.2 };

/** What adjVariants queries, one record per line after the biallelic split. */
export const ADJ_FORMAT = '%CHROM:%POS:%REF:%ALT[\t%GT\t%GQ\t%DP\t%AD]\n';

/** Why a call of `bcftools query -f ADJ_FORMAT` fails adj; null when it passes. */
export function adjFailure(fields: readonly string[], rule: AdjRule = ADJ): string | null {
  const [gt = '', gq, dp, ad = ''] = fields;
  const haploid = !/[/|]/.test(gt);
  const alleles = gt.split(/[/|]/);
  const het = alleles.includes('0') && alleles.includes('1');
  const depth = Number(dp);
  const problems: string[] = [];
  if (!(Number(gq) >= rule.minGQ)) problems.push(`GQ ${gq} < ${rule.minGQ}`);
  const minDP = haploid ? rule.minDPHaploid : rule.minDP;
  if (!(depth >= minDP)) problems.push(`DP ${dp} < ${minDP}`);
  // After the split AD is ref,alt: the alt's share of the depth.
  const alt = Number(ad.split(',')[1]);
  if (het && !(alt / depth >= rule.minHetAlleleBalance))
    problems.push(`allele balance ${alt}/${depth} < ${rule.minHetAlleleBalance}`);
  return problems.length > 0 ? problems.join(', ') : null;
}

/**
 * The carried variant keys of `bcftools query -f ADJ_FORMAT` output that pass adj, and the
 * others with the reason (a haploid call `1` is carried; gVCF `<*>` records are left out).
 */
export function adjKeys(
  text: string,
  rule: AdjRule = ADJ,
): { passed: Set<string>; failed: Map<string, string> } {
  const passed = new Set<string>();
  const failed = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [key, ...fields] = line.split('\t') as [string, ...string[]];
    if (key.endsWith(':<*>') || !/1/.test(fields[0] ?? '')) continue;
    const why = adjFailure(fields, rule);
    if (why === null) passed.add(key);
    else failed.set(key, why);
  }
  return { passed, failed };
}

/**
 * A sample's carried variants that pass adj (GQ, DP and het allele balance read by bcftools). A
 * tag the VCF does not define (a region's gVCF without GQ) is read as missing, which fails adj.
 */
export async function adjVariants(
  vcf: string,
  reference: string,
  rule: AdjRule = ADJ,
): Promise<{ passed: Set<string>; failed: Map<string, string> }> {
  const header = (await execa('bcftools', ['view', '-h', vcf])).stdout;
  const format = ADJ_FORMAT.replace(/%(GQ|DP|AD)\b/g, (tag, id: string) =>
    header.includes(`##FORMAT=<ID=${id},`) ? tag : '.',
  );
  const view = execa('bcftools', ['view', '-i', 'GT="alt"', '-Ou', vcf]);
  const norm = view.pipe('bcftools', ['norm', '-f', reference, '-m', '-any', '-Ou']);
  const query = norm.pipe('bcftools', ['query', '-f', format]);
  return adjKeys((await query).stdout, rule);
}

/**
 * Recall of the truth under adj: a truth variant counts only when the sample's call of it passes
 * the rule; `dropped` says which rule dropped the others that were called.
 */
export async function recallUnderAdj(
  truthVcf: string,
  calledVcf: string,
  reference: string,
  rule: AdjRule = ADJ,
  /** Only truth on these sequences (all when absent). */
  sequences?: readonly string[],
): Promise<ReturnType<typeof recallOf> & { dropped: Map<string, string> }> {
  const truth = await carriedVariants(truthVcf, reference, sequences);
  const { passed, failed } = await adjVariants(calledVcf, reference, rule);
  const dropped = new Map([...failed].filter(([key]) => truth.has(key)));
  return { ...recallOf(truth, passed), dropped };
}
