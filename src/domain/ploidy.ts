/**
 * How many copies of a position a sample carries, by karyotype (pure), and the same rule as a
 * bcftools `--ploidy-file`, so that the caller and the counts agree. Autosomes: 2. chrX: 2 in
 * its pseudo-autosomal regions (PARs); outside them 2 for XX, 1 for XY. chrY: outside its PARs 1
 * for XY and 0 for XX; inside them 0 for both, since reads of the PARs are aligned to chrX and
 * their alleles counted there (as gnomAD does). A sample of unknown karyotype is called as XX and
 * left out of every sex-chromosome count (ploidy null).
 */
import type { Karyotype } from './karyotype.ts';

/** A 1-based, inclusive stretch of one sequence. */
export interface Region {
  chrom: string;
  start: number;
  end: number;
}

/** The sex chromosomes of a reference and their PARs, as a pipeline spec names them. */
export interface SexChromosomes {
  x: string;
  y: string;
  par: readonly Region[];
}

const inPar = (sex: SexChromosomes, chrom: string, pos: number) =>
  sex.par.some((r) => r.chrom === chrom && pos >= r.start && pos <= r.end);

/** Copies of `chrom:pos` in a sample of this karyotype; null: not counted there. */
export function ploidyAt(
  sex: SexChromosomes,
  karyotype: Karyotype | 'unknown',
  chrom: string,
  pos: number,
): 0 | 1 | 2 | null {
  if (chrom !== sex.x && chrom !== sex.y) return 2;
  const par = inPar(sex, chrom, pos);
  if (chrom === sex.x && par) return 2;
  if (chrom === sex.y && par) return 0;
  if (karyotype === 'unknown') return null;
  if (chrom === sex.x) return karyotype === 'XX' ? 2 : 1;
  return karyotype === 'XY' ? 1 : 0;
}

/** `chrom`'s stretches outside its PARs, in order. */
export function outsidePars(sex: SexChromosomes, chrom: string, length: number): Region[] {
  const pars = sex.par
    .filter((r) => r.chrom === chrom)
    .map((r) => ({ start: Math.max(1, r.start), end: Math.min(length, r.end) }))
    .filter((r) => r.start <= r.end)
    .sort((a, b) => a.start - b.start);
  const out: Region[] = [];
  let next = 1;
  for (const par of pars) {
    if (par.start > next) out.push({ chrom, start: next, end: par.start - 1 });
    next = Math.max(next, par.end + 1);
  }
  if (next <= length) out.push({ chrom, start: next, end: length });
  return out;
}

/**
 * The lines of a bcftools `call --ploidy-file` (`CHROM FROM TO SEX PLOIDY`, sexes named `XX` and
 * `XY` as in `-S`): the same rule as ploidyAt for samples of known karyotype.
 */
export function ploidyFileLines(
  sex: SexChromosomes,
  sequences: readonly { name: string; length: number }[],
): string[] {
  const length = (name: string) => {
    const sequence = sequences.find((s) => s.name === name);
    if (!sequence) throw new Error(`the sex chromosome ${name} is not in the reference`);
    return sequence.length;
  };
  for (const r of sex.par) {
    if (r.chrom !== sex.x && r.chrom !== sex.y)
      throw new Error(`PAR ${r.chrom}:${r.start}-${r.end} is on neither ${sex.x} nor ${sex.y}`);
    if (!(Number.isInteger(r.start) && Number.isInteger(r.end) && r.start >= 1 && r.end >= r.start))
      throw new Error(`PAR ${r.chrom}:${r.start}-${r.end} is not a 1-based stretch`);
  }
  const line = (r: Region, karyotype: Karyotype, ploidy: number) =>
    `${r.chrom}\t${r.start}\t${r.end}\t${karyotype}\t${ploidy}`;
  const xLength = length(sex.x);
  const yLength = length(sex.y);
  const yPars = sex.par.filter((r) => r.chrom === sex.y);
  return [
    ...outsidePars(sex, sex.x, xLength).map((r) => line(r, 'XY', 1)),
    ...outsidePars(sex, sex.y, yLength).flatMap((r) => [line(r, 'XY', 1), line(r, 'XX', 0)]),
    ...yPars.flatMap((r) => [line(r, 'XY', 0), line(r, 'XX', 0)]),
    '*\t*\t*\tXX\t2',
    '*\t*\t*\tXY\t2',
  ];
}

/**
 * The ploidy file of one sample's calling: the lines of its karyotype only, so that bcftools
 * gives the sample that sex without a `-S` file naming it (its name is the CRAM's `SM`, which a
 * submitted CRAM chooses). A sample of unknown karyotype is called as XX.
 */
export function samplePloidyFile(
  sex: SexChromosomes,
  sequences: readonly { name: string; length: number }[],
  karyotype: Karyotype | 'unknown',
): string {
  const called = karyotype === 'XY' ? 'XY' : 'XX';
  const lines = ploidyFileLines(sex, sequences).filter((l) => l.split('\t')[3] === called);
  return `${lines.join('\n')}\n`;
}
