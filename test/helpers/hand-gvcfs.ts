/**
 * Four hand-made gVCFs on a 300 bp reference, written so that every case of the counting rule
 * has one site, and the counts each site must have, worked out by hand from the records below
 * (never by harmonise's code):
 *
 * - chr1:100: HOV001 has an SNV and HOV002 a deletion at the same POS (`-m both` leaves each
 *   one's carrier missing at the other's row);
 * - chr1:200: SJA001's hom-alt insertion (of a base that cannot shift left) where HOV002 has a 1-bp reference record without END
 *   (`-m both` does not merge it into the indel's row);
 * - chr1:181: SJA002's hom-alt deletion of 182-185, where SJA002 has no reference block; HOV001's
 *   SNV at 183 inside it must not count SJA002;
 * - chr1:160: SJA002 has a gap (no records) over 151-180;
 * - chr1:260: SJA001's no-call block (`./.`) over 251-300;
 * - chr1:50: HOV001's multi-allelic 1/2.
 * Blocks have ALT `.` and END (as bcftools 1.16 `call -g` writes them), except SJA002's, which
 * use `<*>`, the other form a gVCF block takes.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';

export const HAND_REGIONS = {
  HOV001: 'hovedstaden',
  HOV002: 'hovedstaden',
  SJA001: 'sjaelland',
  SJA002: 'sjaelland',
} as const;

/** A fixed, non-repetitive 300 bp sequence (an LCG over ACGT), so no indel can shift. */
function referenceSequence(): string {
  let state = 20261201;
  let seq = '';
  while (seq.length < 300) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    seq += 'ACGT'[(state >>> 16) % 4];
  }
  return seq;
}

type Row = [pos: number, ref: string, alt: string, info: string, gt: string];

function samples(ref: (pos: number, len?: number) => string): Record<string, Row[]> {
  const block = (start: number, end: number, gt = '0/0', alt = '.'): Row => [
    start,
    ref(start),
    alt,
    `END=${end};MinDP=${gt.startsWith('.') ? 0 : 20}`,
    gt,
  ];
  const other = (pos: number) => 'ACGT'.replace(ref(pos), '')[0]!;
  const snv = (pos: number, gt: string): Row => [pos, ref(pos), other(pos), 'DP=20', gt];
  return {
    HOV001: [
      block(1, 49),
      [50, ref(50), 'ACGT'.replace(ref(50), '').slice(0, 2).split('').join(','), 'DP=20', '1/2'],
      block(51, 99),
      snv(100, '0/1'),
      block(101, 182),
      snv(183, '0/1'),
      block(184, 300),
    ],
    HOV002: [
      block(1, 99),
      [100, ref(100, 2), ref(100), 'INDEL;DP=20', '0/1'],
      block(101, 199),
      [200, ref(200), '.', 'MinDP=20', '0/0'],
      block(201, 259),
      snv(260, '1/1'),
      block(261, 300),
    ],
    SJA001: [
      block(1, 159),
      snv(160, '0/1'),
      block(161, 199),
      [200, ref(200), `${ref(200)}${other(200)}`, 'INDEL;DP=20', '1/1'],
      block(201, 250),
      block(251, 300, './.'),
    ],
    SJA002: [
      block(1, 150, '0/0', '<*>'),
      [181, ref(181, 5), ref(181), 'INDEL;DP=20', '1/1'],
      block(186, 300, '0/0', '<*>'),
    ],
  };
}

/**
 * The counts each site must have (overall, then per region), from the records above: AN counts
 * every sample with a called block over the site or a called record starting at it.
 */
export function handExpected(refSeq: string): Map<string, Record<string, number>> {
  const ref = (pos: number, len = 1) => refSeq.slice(pos - 1, pos - 1 + len);
  const other = (pos: number) => 'ACGT'.replace(ref(pos), '');
  const site = (
    key: string,
    overall: [AC: number, AN: number, hom: number],
    hov: [number, number, number],
    sja: [number, number, number],
  ): [string, Record<string, number>] => {
    const tags: Record<string, number> = {};
    for (const [suffix, [ac, an, hom]] of [
      ['', overall],
      ['_hovedstaden', hov],
      ['_sjaelland', sja],
    ] as const) {
      Object.assign(tags, { [`AC${suffix}`]: ac, [`AN${suffix}`]: an, [`nhomalt${suffix}`]: hom });
    }
    return [key, tags];
  };
  return new Map([
    site(`chr1:50:${ref(50)}:${other(50)[0]}`, [1, 8, 0], [1, 4, 0], [0, 4, 0]),
    site(`chr1:50:${ref(50)}:${other(50)[1]}`, [1, 8, 0], [1, 4, 0], [0, 4, 0]),
    site(`chr1:100:${ref(100)}:${other(100)[0]}`, [1, 8, 0], [1, 4, 0], [0, 4, 0]),
    site(`chr1:100:${ref(100, 2)}:${ref(100)}`, [1, 8, 0], [1, 4, 0], [0, 4, 0]),
    site(`chr1:160:${ref(160)}:${other(160)[0]}`, [1, 6, 0], [0, 4, 0], [1, 2, 0]),
    site(`chr1:181:${ref(181, 5)}:${ref(181)}`, [2, 8, 1], [0, 4, 0], [2, 4, 1]),
    site(`chr1:183:${ref(183)}:${other(183)[0]}`, [1, 6, 0], [1, 4, 0], [0, 2, 0]),
    site(`chr1:200:${ref(200)}:${ref(200)}${other(200)[0]}`, [2, 8, 1], [0, 4, 0], [2, 4, 1]),
    site(`chr1:260:${ref(260)}:${other(260)[0]}`, [2, 6, 1], [2, 4, 1], [0, 2, 0]),
  ]);
}

export interface HandCohort {
  reference: string;
  refSeq: string;
  gvcfs: Record<keyof typeof HAND_REGIONS, string>;
  /** `sampleId<TAB>region` lines. */
  groups: string;
  gvcfList: string;
}

/** Writes the reference (with .fai) and the four bgzipped, indexed gVCFs into `dir`. */
export async function writeHandCohort(dir: string): Promise<HandCohort> {
  await fs.mkdir(dir, { recursive: true });
  const refSeq = referenceSequence();
  const reference = path.join(dir, 'ref.fa');
  await fs.writeFile(reference, `>chr1\n${refSeq.replace(/(.{60})/g, '$1\n')}\n`);
  await execa('samtools', ['faidx', reference]);
  const ref = (pos: number, len = 1) => refSeq.slice(pos - 1, pos - 1 + len);
  const gvcfs = {} as Record<keyof typeof HAND_REGIONS, string>;
  for (const [sampleId, rows] of Object.entries(samples(ref))) {
    const header = [
      '##fileformat=VCFv4.2',
      '##FILTER=<ID=PASS,Description="All filters passed">',
      '##contig=<ID=chr1,length=300>',
      '##ALT=<ID=*,Description="Represents allele(s) other than observed.">',
      '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant described in this record">',
      '##INFO=<ID=MinDP,Number=1,Type=Integer,Description="Minimum per-sample depth in this gVCF block">',
      '##INFO=<ID=INDEL,Number=0,Type=Flag,Description="Indicates that the variant is an INDEL.">',
      '##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw read depth">',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${sampleId}`,
    ];
    const body = rows.map(
      ([pos, r, alt, info, gt]) => `chr1\t${pos}\t.\t${r}\t${alt}\t.\t.\t${info}\tGT\t${gt}`,
    );
    const file = path.join(dir, `${sampleId}.g.vcf.gz`);
    await execa('bgzip', ['-c'], {
      input: `${[...header, ...body].join('\n')}\n`,
      stdout: { file },
    });
    await execa('tabix', ['-p', 'vcf', file]);
    gvcfs[sampleId as keyof typeof HAND_REGIONS] = file;
  }
  const groups = path.join(dir, 'groups.tsv');
  await fs.writeFile(
    groups,
    Object.entries(HAND_REGIONS)
      .map(([id, region]) => `${id}\t${region}\n`)
      .join(''),
  );
  const gvcfList = path.join(dir, 'gvcfs.list');
  await fs.writeFile(gvcfList, `${Object.values(gvcfs).join('\n')}\n`);
  return { reference, refSeq, gvcfs, groups, gvcfList };
}
