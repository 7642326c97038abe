/** A release VCF's records as the tests compare answers with them, read with `bcftools query`. */
import { execa } from 'execa';

export interface VcfRecord {
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  /** `chrom-pos-ref-alt` */
  id: string;
  /** INFO fields as numbers, `.` as null. */
  info: Map<string, number | null>;
}

/** Every record of the VCF, or of one region (`chrX`, `chr1:1-5000`) of it. */
export async function vcfRecords(vcf: string, region?: string): Promise<VcfRecord[]> {
  const { stdout } = await execa('bcftools', [
    'query',
    ...(region ? ['-r', region] : []),
    '-f',
    '%CHROM\\t%POS\\t%REF\\t%ALT\\t%INFO\\n',
    vcf,
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [chrom = '', pos = '', ref = '', alt = '', info = ''] = line.split('\t');
      const fields = info.split(';').map((kv) => kv.split('=') as [string, string]);
      return {
        chrom,
        pos: Number(pos),
        ref,
        alt,
        id: `${chrom}-${pos}-${ref}-${alt}`,
        info: new Map(fields.map(([k, v]) => [k, v === '.' ? null : Number(v)])),
      };
    });
}
