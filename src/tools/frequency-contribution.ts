/**
 * Command lines of a contribution job (pure): what one genome adds to the national frequencies,
 * read from its gVCF once in its life. bcftools reads the gVCF (it is the VCF parser; nothing
 * here parses VCF); two short awk programs do the counting on bcftools' tab-separated output.
 *
 * For each genome, in `<sampleId>/` of the job's folder (format 2; contribution-awk.ts has the
 * ploidy and adj rules):
 * - `alleles.tsv.gz`: its alleles after `norm -m -any -f ref` (biallelic, left-aligned), one row
 *   per allele it carries: chrom, pos, ref, alt, anchor, dosage, called, adj. `anchor` is the POS
 *   of the record the caller wrote (the allele's AN is counted there, as a merge of the gVCFs
 *   would), `dosage` the copies of the allele in the genotype, `called` the alleles the genotype
 *   is counted with (its ploidy there; 1: a haploid genotype), `adj` 1 when its record passes
 *   the spec's quality rule (always without one). `*`, `<*>` and `.` are never alternate alleles.
 * - `called.tsv.gz`: the stretches it is called over: chrom, start, end, alleles, adj. A
 *   reference block counts over POS..END (split where its ploidy changes), any other record at
 *   its POS only (so a hom-alt deletion's carrier is not counted inside the deleted bases);
 *   no-calls, gaps and genotypes not counted at their ploidy are not stretches. Adjacent
 *   stretches with the same alleles and verdict are joined.
 * - `gvcf.sha256`: the digest of the gVCF as the job read it.
 * `contributions.tsv`, written last, names the genomes done.
 */
import type { CountedKaryotype } from '../domain/karyotype.ts';
import type { PipelineSpec } from '../domain/pipeline.ts';
import { ALLELES_AWK, awkVariables, CALLED_AWK } from './contribution-awk.ts';
import { rename, run, tmpName, type ScriptLine } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

/** Raised when the shape of a contribution changes: every genome's is then derived again. */
export const CONTRIBUTION_FORMAT = 2;

/** The job's last output: one sample id per line. */
export const CONTRIBUTIONS_INDEX = 'contributions.tsv';

export const CONTRIBUTION_FILES = {
  alleles: 'alleles.tsv.gz',
  called: 'called.tsv.gz',
  gvcfSha256: 'gvcf.sha256',
} as const;

export interface ContributionMember {
  sampleId: string;
  gvcf: string;
  /** How the genome is counted on the sex chromosomes. */
  karyotype: CountedKaryotype;
}

/**
 * Header lines for the fields the adj rule reads, for gVCFs whose header lacks some (a record
 * without one is then read as missing). bcftools keeps a gVCF's own line where it has one.
 */
const QUALITY_HEADER = [
  '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant described in this record">',
  '##INFO=<ID=MinDP,Number=1,Type=Integer,Description="Minimum per-sample depth in this gVCF block">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Phred-scaled Genotype Quality">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Number of high-quality bases">',
  '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths (high-quality bases)">',
];
const QUALITY_HEADER_FILE = 'quality.hdr';
/** Per genome: the records whose alleles are not adj (the called program writes it). */
const LOW_QUALITY_FILE = 'low-quality.tsv';

export function deriveContributions(args: {
  reference: string;
  members: readonly ContributionMember[];
  /** The spec's sex chromosomes and adj rule; null for a pipeline without them. */
  sexChromosomes: NonNullable<PipelineSpec['sexChromosomes']> | null;
  quality: NonNullable<PipelineSpec['quality']> | null;
}): StepCommands {
  if (args.members.length === 0) throw new Error('a contribution job needs at least one gVCF');
  const lines: ScriptLine[] = [run([['printf', '%s\\n', ...QUALITY_HEADER]], QUALITY_HEADER_FILE)];
  for (const { sampleId, gvcf, karyotype } of args.members) {
    const out = (name: string) => `${sampleId}/${name}`;
    const { alleles, called, gvcfSha256 } = CONTRIBUTION_FILES;
    const vars = awkVariables({
      sexChromosomes: args.sexChromosomes,
      quality: args.quality,
      karyotype,
      lowQuality: out(LOW_QUALITY_FILE),
    });
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
          ['bcftools', 'annotate', '--no-version', '-h', QUALITY_HEADER_FILE, '-Ou', gvcf],
          [
            'bcftools',
            'query',
            '-f',
            '%CHROM\\t%POS\\t%INFO/END\\t%INFO/MinDP\\t%REF\\t%ALT\\t[%GT\\t%GQ\\t%DP\\t%AD]\\n',
          ],
          ['awk', ...vars, CALLED_AWK],
          ['bgzip', '-c'],
        ],
        tmpName(out(called)),
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
          ['awk', ...vars, ALLELES_AWK, out(LOW_QUALITY_FILE), '-'],
          ['bgzip', '-c'],
        ],
        tmpName(out(alleles)),
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
