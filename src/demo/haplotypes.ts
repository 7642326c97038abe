// A sample's haplotype sequences: the reference with its truth calls applied, for dwgsim to read.
import type { FastaRecord } from './formats.ts';
import { overlaps, type Call, type Contig, type Interval, type Site } from './model.ts';

/**
 * Applies VCF-style variants to a sequence whose first base is at 1-based `offset`. Variants must
 * be sorted, non-overlapping and inside the sequence; REF must match.
 */
export function applyVariants(
  seq: string,
  variants: readonly Pick<Site, 'pos' | 'ref' | 'alt'>[],
  offset = 1,
): string {
  const parts: string[] = [];
  let cursor = 0; // 0-based index into seq of the first base not yet copied
  for (const v of variants) {
    const at = v.pos - offset;
    if (at < cursor || at + v.ref.length > seq.length) {
      throw new Error(`variant at ${v.pos} overlaps another or lies outside the sequence`);
    }
    if (seq.slice(at, at + v.ref.length) !== v.ref) throw new Error(`REF mismatch at ${v.pos}`);
    parts.push(seq.slice(cursor, at), v.alt);
    cursor = at + v.ref.length;
  }
  parts.push(seq.slice(cursor));
  return parts.join('');
}

/**
 * One haplotype (0 or 1) of a sample as FASTA records. A contig with the sample's zero-coverage
 * stretch is written as two records, before and after it, so no read can come from the stretch.
 */
export function haplotypeRecords(
  contigs: readonly Contig[],
  calls: readonly Call[],
  haplotype: 0 | 1,
  zeroCoverage: Interval | null,
): FastaRecord[] {
  return contigs.flatMap(({ name, seq }) => {
    const variants = calls.filter((c) => c.site.contig === name && c.haplotypes[haplotype] === 1);
    const gap = zeroCoverage?.contig === name ? zeroCoverage : null;
    if (!gap)
      return [
        {
          name,
          seq: applyVariants(
            seq,
            variants.map((c) => c.site),
          ),
        },
      ];
    const pieces = [
      { name: `${name}-left`, start: 1, end: gap.start - 1 },
      { name: `${name}-right`, start: gap.end + 1, end: seq.length },
    ].filter((p) => p.end >= p.start);
    for (const c of variants) {
      if (overlaps(gap, name, c.site.pos, c.site.pos + c.site.ref.length - 1)) {
        throw new Error(`variant ${c.site.id} lies in the zero-coverage stretch`);
      }
    }
    return pieces.map((p) => ({
      name: p.name,
      seq: applyVariants(
        seq.slice(p.start - 1, p.end),
        variants.map((c) => c.site).filter((s) => s.pos >= p.start && s.pos <= p.end),
        p.start,
      ),
    }));
  });
}
