/**
 * The two awk programs of a contribution job (format 2) and the variables they are given
 * (pure). Both count a genotype with the ploidy of its position in the genome's karyotype, never
 * with its GT's length, and share one `ploidy` and one `counted` function, so that a genotype
 * the called stretches leave out is left out of the alleles too:
 *
 * - no sex chromosomes in the spec (pipeline 1): every genotype counts its non-missing alleles,
 *   as before;
 * - with them: autosomes and chrX PARs 2, non-PAR chrX 2 (XX) or 1 (XY), non-PAR chrY 1 (XY) or
 *   0 (XX), chrY PARs 0, and an unknown karyotype 0 on non-PAR X and Y (src/domain/ploidy.ts).
 *   A complete GT of the position's ploidy counts as it is; a diploid homozygous GT where the
 *   ploidy is 1 counts one copy; anything else (a het there, a partly missing GT, a ploidy of 0)
 *   is not counted at all, neither in AC nor in AN (gnomAD's rule).
 *
 * The called program also judges each original record once (adj: GQ, depth, het allele
 * balance) and writes the records whose alleles are not adj at their POS to a side file; the
 * alleles program reads it, so an allele row's adj is the verdict of the record it came from and
 * adj AC never exceeds adj AN.
 */
import type { PipelineSpec } from '../domain/pipeline.ts';

type SexChromosomes = NonNullable<PipelineSpec['sexChromosomes']>;
type Quality = NonNullable<PipelineSpec['quality']>;

/** `-v name=value` arguments for both programs. */
export function awkVariables(args: {
  sexChromosomes: SexChromosomes | null;
  quality: Quality | null;
  karyotype: string;
  lowQuality: string;
}): string[] {
  const { sexChromosomes: sex, quality: q } = args;
  const values: Record<string, string> = {
    sex: sex ? '1' : '0',
    cx: sex?.x ?? '',
    cy: sex?.y ?? '',
    pars: (sex?.par ?? []).map((r) => `${r.chrom}:${r.start}:${r.end}`).join(';'),
    kary: args.karyotype,
    q: q ? '1' : '0',
    mingq: String(q?.minGQ ?? 0),
    mindp: String(q?.minDP ?? 0),
    mindph: String(q?.minDPHaploid ?? 0),
    minab: String(q?.minHetAlleleBalance ?? 0),
    low: args.lowQuality,
  };
  return Object.entries(values).flatMap(([name, value]) => ['-v', `${name}=${value}`]);
}

/** ploidy(chrom, pos): -1 = as the GT says; 0 = not counted. counted(gt, p): see the top. */
const SHARED = [
  'BEGIN { FS = OFS = "\\t"; npar = split(pars, pp, ";")',
  '  for (i = 1; i <= npar; i++) { split(pp[i], f, ":"); pc[i] = f[1]; ps[i] = f[2] + 0; pe[i] = f[3] + 0 } }',
  'function ploidy(c, pos,   i) {',
  '  if (!sex) return -1',
  '  if (c != cx && c != cy) return 2',
  '  for (i = 1; i <= npar; i++) if (c == pc[i] && pos >= ps[i] && pos <= pe[i]) return c == cx ? 2 : 0',
  '  if (kary != "XX" && kary != "XY") return 0',
  '  if (c == cx) return kary == "XX" ? 2 : 1',
  '  return kary == "XY" ? 1 : 0 }',
  '# Sets cnt and al[1..cnt] (the alleles counted) and het; returns cnt (0: not counted).',
  'function counted(gt, p,   n, i, g) {',
  '  n = split(gt, g, /[\\/|]/); cnt = 0; het = 0; split("", al)',
  '  for (i = 1; i <= n; i++) if (g[i] != ".") al[++cnt] = g[i]',
  '  if (p != -1) {',
  '    if (cnt != n || p == 0) cnt = 0',
  '    else if (p == 1 && n == 2 && al[1] == al[2]) cnt = 1',
  '    else if (n != p) cnt = 0 }',
  '  for (i = 2; i <= cnt; i++) if (al[i] != al[1]) het = 1',
  '  return cnt }',
].join('\n');

/**
 * Columns: CHROM POS INFO/END INFO/MinDP REF ALT GT GQ DP AD. Writes `chrom start end alleles
 * adj` stretches: a reference block counts over POS..END (split at PAR boundaries, where its
 * ploidy changes), any other record at its POS only; no-calls and gaps are not stretches.
 * Adjacent stretches with the same count and verdict are joined. A record that overlaps the
 * stretch before it counts once, as the first (a 1-bp reference record beside an indel).
 */
export const CALLED_AWK = [
  SHARED,
  '# The side file exists even when every record is adj.',
  'BEGIN { printf "" > low }',
  'function flush() { if (chrom != "") print chrom, start, end, alleles, flag }',
  'function judge(p,   d, n, a, i, x) {',
  '  if (!q) return 1',
  '  if ($8 != "." && $8 + 0 < mingq) return 0',
  '  d = ($4 != "." ? $4 : $9)',
  '  # Haploid: by its position, or (without sex chromosomes) by its GT.',
  '  if (d == "." || d + 0 < ((p == 1 || (p == -1 && cnt == 1)) ? mindph : mindp)) return 0',
  '  if (!het) return 1',
  '  n = split($10, a, ",")',
  '  for (i = 1; i <= cnt; i++) if (al[i] != "0") {',
  '    x = a[al[i] + 1]',
  '    if (x == "" || x == "." || $9 == "." || $9 + 0 == 0 || x / $9 < minab) return 0 }',
  '  return 1 }',
  '# One piece of a record, of one ploidy; returns the verdict at its first base (-1: none).',
  'function piece(c, a, b, p,   k, adj, v) {',
  '  k = counted($7, p); if (k == 0) return -1',
  '  adj = judge(p); v = (c == chrom && a <= end) ? flag : adj',
  '  if (c == chrom && a <= end + 1 && k == alleles && adj == flag) { if (b > end) end = b; return v }',
  '  if (c == chrom && a <= end) { a = end + 1; if (b < a) return v }',
  '  flush(); chrom = c; start = a; end = b; alleles = k; flag = adj; return v }',
  '# Where the ploidy may change after pos: the end of the PAR it is in, or before the next one.',
  'function pieceEnd(c, pos, e,   i, x) {',
  '  if (!sex || (c != cx && c != cy)) return e',
  '  x = e',
  '  for (i = 1; i <= npar; i++) if (c == pc[i]) {',
  '    if (pos < ps[i] && ps[i] - 1 < x) x = ps[i] - 1',
  '    if (pos >= ps[i] && pos <= pe[i] && pe[i] < x) x = pe[i] }',
  '  return x }',
  '{ s = $2 + 0; e = ($3 == "." ? $2 : $3) + 0; first = -1',
  '  for (a = s; a <= e; a = b + 1) {',
  '    b = pieceEnd($1, a, e); v = piece($1, a, b, ploidy($1, a)); if (a == s) first = v }',
  '  if (first == 0 && $6 != "." && $6 != "<*>" && $6 != "*" && $6 != "<NON_REF>")',
  '    print $1, $2, $5, $6 > low }',
  'END { flush() }',
].join('\n');

/**
 * Reads the side file (`chrom pos ref alt` of records not adj), then bcftools' columns CHROM
 * POS REF ALT OLD GT and writes `chrom pos ref alt anchor dosage called adj`: `anchor` is the
 * POS of the record the caller wrote (OLD names it when normalisation changed the record), where
 * its ploidy is read and its AN counted.
 */
export const ALLELES_AWK = [
  SHARED,
  'FILENAME == low { bad[$1, $2, $3, $4] = 1; next }',
  '$4 == "<*>" || $4 == "*" || $4 == "." || $4 == "<NON_REF>" { next }',
  '{ anchor = $2; key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4',
  '  if ($5 != ".") { split($5, old, "|"); anchor = old[2]; key = old[1] SUBSEP old[2] SUBSEP old[3] SUBSEP old[4] }',
  '  k = counted($6, ploidy($1, anchor + 0)); if (k == 0) next',
  '  dose = 0; for (i = 1; i <= k; i++) if (al[i] == "1") dose++',
  '  if (dose == 0) next',
  '  print $1, $2, $3, $4, anchor, dose, k, ((key in bad) ? 0 : 1) }',
].join('\n');
