/**
 * Command lines of a contribution job (pure): what one genome adds to the national frequencies,
 * read from its gVCF once in its life. bcftools reads the gVCF (it is the VCF parser; nothing
 * here parses VCF); two short awk programs do the counting on bcftools' tab-separated output.
 *
 * For each genome, in `<sampleId>/` of the job's folder:
 * - `alleles.tsv.gz`: its alleles after `norm -m -any -f ref` (biallelic, left-aligned), one row
 *   per allele it carries: chrom, pos, ref, alt, anchor, dosage, called. `anchor` is the POS of
 *   the record the caller wrote (the allele's AN is counted there, as a merge of the gVCFs
 *   would), `dosage` the copies of the allele in the genotype, `called` the genotype's
 *   non-missing alleles. `*`, `<*>` and `.` are never alternate alleles.
 * - `called.tsv.gz`: the stretches it is called over: chrom, start, end, alleles. A reference
 *   block counts over POS..END, any other record at its POS only (so a hom-alt deletion's
 *   carrier is not counted inside the deleted bases); no-calls and gaps are not stretches.
 *   Adjacent stretches with the same number of alleles are joined.
 * - `gvcf.sha256`: the digest of the gVCF as the job read it.
 * `contributions.tsv`, written last, names the genomes done.
 */
import { rename, run, tmpName, type ScriptLine } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

/** Raised when the shape of a contribution changes: every genome's is then derived again. */
export const CONTRIBUTION_FORMAT = 1;

/** The job's last output: one sample id per line. */
export const CONTRIBUTIONS_INDEX = 'contributions.tsv';

export const CONTRIBUTION_FILES = {
  alleles: 'alleles.tsv.gz',
  called: 'called.tsv.gz',
  gvcfSha256: 'gvcf.sha256',
} as const;

/** Columns of `bcftools query` below: CHROM POS REF ALT OLD GT. */
const ALLELES_AWK = [
  'BEGIN { FS = OFS = "\\t" }',
  '$4 == "<*>" || $4 == "*" || $4 == "." || $4 == "<NON_REF>" { next }',
  '{ n = split($6, g, /[\\/|]/); called = 0; dose = 0',
  '  for (i = 1; i <= n; i++) { if (g[i] != ".") called++; if (g[i] == "1") dose++ }',
  '  if (dose == 0) next',
  '  anchor = $2; if ($5 != ".") { split($5, old, "|"); anchor = old[2] }',
  '  print $1, $2, $3, $4, anchor, dose, called }',
].join('\n');

/**
 * Columns: CHROM POS INFO/END GT. A record that overlaps the stretch before it with another
 * allele count (a 1-bp reference record beside an indel at one POS) counts once, as the first.
 */
const CALLED_AWK = [
  'BEGIN { FS = OFS = "\\t" }',
  'function flush() { if (chrom != "") print chrom, start, end, alleles }',
  '{ n = split($4, g, /[\\/|]/); k = 0',
  '  for (i = 1; i <= n; i++) if (g[i] != ".") k++',
  '  if (k == 0) next',
  '  s = $2 + 0; e = ($3 == "." ? $2 : $3) + 0',
  '  if ($1 == chrom && s <= end + 1 && k == alleles) { if (e > end) end = e; next }',
  '  if ($1 == chrom && s <= end) { s = end + 1; if (e < s) next }',
  '  flush(); chrom = $1; start = s; end = e; alleles = k }',
  'END { flush() }',
].join('\n');

export interface ContributionMember {
  sampleId: string;
  gvcf: string;
}

export function deriveContributions(args: {
  reference: string;
  members: readonly ContributionMember[];
}): StepCommands {
  if (args.members.length === 0) throw new Error('a contribution job needs at least one gVCF');
  const lines: ScriptLine[] = [];
  for (const { sampleId, gvcf } of args.members) {
    const out = (name: string) => `${sampleId}/${name}`;
    const { alleles, called, gvcfSha256 } = CONTRIBUTION_FILES;
    lines.push(
      run([['mkdir', '-p', '--', sampleId]]),
      run(
        [
          ['sha256sum', '--', gvcf],
          ['cut', '-d', ' ', '-f', '1'],
        ],
        tmpName(out(gvcfSha256)),
      ),
      run(
        [
          ['bcftools', 'view', '--no-version', '-i', 'GT="alt"', '-Ou', gvcf],
          [
            'bcftools',
            'norm',
            '--no-version',
            '-f',
            args.reference,
            '-m',
            '-any',
            '--old-rec-tag',
            'OLD',
            '-Ou',
          ],
          ['bcftools', 'query', '-f', '%CHROM\\t%POS\\t%REF\\t%ALT\\t%INFO/OLD\\t[%GT]\\n'],
          ['awk', ALLELES_AWK],
          ['bgzip', '-c'],
        ],
        tmpName(out(alleles)),
      ),
      run(
        [
          ['bcftools', 'query', '-f', '%CHROM\\t%POS\\t%INFO/END\\t[%GT]\\n', gvcf],
          ['awk', CALLED_AWK],
          ['bgzip', '-c'],
        ],
        tmpName(out(called)),
      ),
      rename(tmpName(out(alleles)), out(alleles)),
      rename(tmpName(out(called)), out(called)),
      rename(tmpName(out(gvcfSha256)), out(gvcfSha256)),
    );
  }
  lines.push(
    run(
      [['printf', '%s\\n', ...args.members.map((m) => m.sampleId)]],
      tmpName(CONTRIBUTIONS_INDEX),
    ),
    rename(tmpName(CONTRIBUTIONS_INDEX), CONTRIBUTIONS_INDEX),
  );
  return { tools: ['bcftools', 'htslib'], lines };
}
