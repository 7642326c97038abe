/**
 * Measuring a sample's depth ratios for its karyotype (pure): the BED of what to measure, and the
 * ratios read from `samtools bedcov` over it. The regions are the autosomes whole, and chrX and
 * chrY outside their PARs (a PAR's depth is two copies in every genome and says nothing of
 * sex). bedcov sums the depth of every base of a region; a mean is that sum over the bases.
 */
import type { DepthRatios } from './karyotype.ts';
import { outsidePars, type SexChromosomes } from './ploidy.ts';

/** The BED's name column: which mean a region goes into. */
export type DepthTag = 'autosome' | 'x' | 'y';

/** BED lines (0-based start, end exclusive): chrom, start, end, tag. */
export function karyotypeRegions(
  sex: SexChromosomes,
  sequences: readonly { name: string; length: number }[],
): string[] {
  const bed = (chrom: string, start: number, end: number, tag: DepthTag) =>
    `${chrom}\t${start - 1}\t${end}\t${tag}`;
  const lines: string[] = [];
  const measured = new Set<DepthTag>();
  for (const { name, length } of sequences) {
    const tag: DepthTag = name === sex.x ? 'x' : name === sex.y ? 'y' : 'autosome';
    const regions =
      tag === 'autosome' ? [{ start: 1, end: length }] : outsidePars(sex, name, length);
    for (const r of regions) lines.push(bed(name, r.start, r.end, tag));
    if (regions.length > 0) measured.add(tag);
  }
  for (const [tag, chrom] of [
    ['x', sex.x],
    ['y', sex.y],
  ] as const)
    if (!measured.has(tag))
      throw new Error(`the sex chromosome ${chrom} is not in the reference, or all PAR`);
  if (!measured.has('autosome'))
    throw new Error('the reference has no autosome to compare the sex chromosomes with');
  return lines;
}

/**
 * The ratios from bedcov's output over karyotypeRegions (its lines plus the summed depth); null
 * when the autosomes have no depth at all (nothing to compare with).
 */
export function depthRatiosFromBedcov(text: string): DepthRatios | null {
  const sums: Record<DepthTag, { depth: number; bases: number }> = {
    autosome: { depth: 0, bases: 0 },
    x: { depth: 0, bases: 0 },
    y: { depth: 0, bases: 0 },
  };
  for (const [n, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const [, start, end, tag, depth] = line.split('\t');
    const sum = sums[tag as DepthTag];
    const values = [start, end, depth].map(Number);
    if (!sum || values.some((v) => !Number.isFinite(v)))
      throw new Error(`bedcov line ${n + 1} is not "chrom start end tag depth": ${line}`);
    sum.bases += values[1]! - values[0]!;
    sum.depth += values[2]!;
  }
  const mean = (tag: DepthTag) => (sums[tag].bases > 0 ? sums[tag].depth / sums[tag].bases : NaN);
  const autosome = mean('autosome');
  if (!(autosome > 0)) return null;
  return { xAutosome: mean('x') / autosome, yAutosome: mean('y') / autosome };
}
