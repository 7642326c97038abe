// The FASTA and VCF text the demo writes: the reference, haplotypes and per-sample truth.
import { genotypeOf, type DemoGenome, type SampleTruth } from './model.ts';

export interface FastaRecord {
  name: string;
  seq: string;
}

export function fastaText(records: readonly FastaRecord[], width = 60): string {
  const lines: string[] = [];
  for (const { name, seq } of records) {
    lines.push(`>${name}`);
    for (let i = 0; i < seq.length; i += width) lines.push(seq.slice(i, i + width));
  }
  return lines.join('\n') + '\n';
}

/** The sample's truth as an uncompressed VCFv4.2 (to be normalised, bgzipped and indexed). */
export function truthVcfText(genome: DemoGenome, sample: SampleTruth): string {
  const header = [
    '##fileformat=VCFv4.2',
    `##source=harmonise-demo seed=${genome.seed}`,
    ...genome.contigs.map((c) => `##contig=<ID=${c.name},length=${c.seq.length}>`),
    '##INFO=<ID=POOL,Number=1,Type=String,Description="shared: several demo samples; private: one">',
    // Haploid (`1`) where the sample has one copy: an XY sample outside the PAR on chrX, on chrY.
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', sample.sampleId].join(
      '\t',
    ),
  ];
  const rows = sample.calls.map((call) => {
    const { contig, pos, id, ref, alt, pool } = call.site;
    return [contig, pos, id, ref, alt, '.', 'PASS', `POOL=${pool}`, 'GT', genotypeOf(call)].join(
      '\t',
    );
  });
  return [...header, ...rows].join('\n') + '\n';
}
