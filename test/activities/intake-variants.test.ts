import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReferenceInfo, VariantFacts } from '../../src/activities/intake/inspect.ts';
import { inspectFile } from '../../src/activities/intake/inspect.ts';
import type { FileKind } from '../../src/domain/manifest.ts';
import {
  align,
  corruptMiddleCopy,
  fastqText,
  fileAt,
  makeTempDir,
  mutate,
  testBudget,
  closeOpenedFiles,
  randomContigs,
  readCompressed,
  simulatePairs,
  truncateCopy,
  writeBgzip,
  writeGzip,
  writeReference,
} from '../helpers/intake-files.ts';

let dir: string;
let national: ReferenceInfo;
let gvcfText: string;
let vcfText: string;
const at = (name: string) => path.join(dir, name);
const inspect = async (name: string, kind: FileKind) =>
  inspectFile(await fileAt(dir, name, kind), national, testBudget());
const codes = (issues: { code: string }[]) => issues.map((i) => i.code);
function variantFacts(facts: { kind: string; facts?: unknown }): VariantFacts {
  expect(facts.kind).toBe('variants');
  return facts.facts as VariantFacts;
}
const records = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

beforeAll(async () => {
  dir = await makeTempDir('intake-variants');
  const contigs = randomContigs(31, { chr1: 12_000, chr2: 8_000 });
  national = await writeReference(at('national.fa'), contigs, { bwa: true });
  // Reads from a donor genome with a SNP every 400 bp, so calling finds variants.
  const { r1, r2 } = simulatePairs(mutate(contigs, 32, 400), 4_000, 33);
  await writeGzip(at('R1.fastq.gz'), fastqText(r1));
  await writeGzip(at('R2.fastq.gz'), fastqText(r2));
  await align(national.fasta, at('R1.fastq.gz'), at('R2.fastq.gz'), at('sample.cram'), 'cram');
  const pileup = ['mpileup', '-a', 'FORMAT/DP', '-f', national.fasta, at('sample.cram')];
  await execa('bcftools', pileup).pipe('bcftools', [
    'call',
    '-m',
    '-g',
    '0,10,20',
    '-Oz',
    '-o',
    at('sample.g.vcf.gz'),
  ]);
  await execa('bcftools', pileup).pipe('bcftools', [
    'call',
    '-mv',
    '-Oz',
    '-o',
    at('sample.vcf.gz'),
  ]);
  gvcfText = await readCompressed(at('sample.g.vcf.gz'));
  vcfText = await readCompressed(at('sample.vcf.gz'));
});

afterAll(async () => {
  await closeOpenedFiles();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('gVCF and VCF on the national reference', () => {
  it('passes a gVCF from bcftools mpileup | call -m -g', async () => {
    const result = await inspect('sample.g.vcf.gz', 'gvcf');
    expect(result.issues).toEqual([]);
    expect(variantFacts(result.facts)).toEqual({
      contigs: ['chr1', 'chr2'],
      onNationalReference: true,
      refAllelesMatch: true,
      gvcf: true,
      records: records(gvcfText).length,
    });
  });

  it('passes a variants-only VCF listed as vcf', async () => {
    const result = await inspect('sample.vcf.gz', 'vcf');
    expect(result.issues).toEqual([]);
    const facts = variantFacts(result.facts);
    expect(facts).toMatchObject({ gvcf: false, refAllelesMatch: true, onNationalReference: true });
    expect(facts.records).toBe(records(vcfText).length);
    expect(facts.records).toBeGreaterThan(20);
  });

  it('reports REF alleles that disagree with the reference the header claims', async () => {
    const first = records(vcfText)[0]!.split('\t');
    const ref = first[3]!;
    const wrong = ref === 'A' ? 'C' : 'A';
    const edited = vcfText.replace(
      first.join('\t'),
      [...first.slice(0, 3), wrong, ...first.slice(4)].join('\t'),
    );
    await writeBgzip(at('wrong-ref.vcf.gz'), edited);
    const result = await inspect('wrong-ref.vcf.gz', 'vcf');
    expect(codes(result.issues)).toEqual(['VCF_REF_MISMATCH']);
    expect(result.issues[0]!.message).toContain(
      `1 REF allele disagrees with it, first at ${first[0]}:${first[1]}`,
    );
    expect(variantFacts(result.facts).refAllelesMatch).toBe(false);
  });

  it('reports a plain VCF listed as gvcf', async () => {
    const result = await inspect('sample.vcf.gz', 'gvcf');
    expect(codes(result.issues)).toEqual(['GVCF_NOT_GVCF']);
    expect(result.issues[0]!.message).toMatch(
      /^sample\.vcf\.gz: is listed as gvcf but none of its \d+ records/,
    );
  });
});

describe('VCF on another reference', () => {
  it('is a fact, not an issue: REF alleles are not checked', async () => {
    const foreign = gvcfText
      .replace('##contig=<ID=chr1,length=12000>', '##contig=<ID=1,length=12500>')
      .replace('##contig=<ID=chr2,length=8000>', '##contig=<ID=2,length=8500>')
      .replace(/^chr([12])\t/gm, '$1\t');
    await writeBgzip(at('foreign.g.vcf.gz'), foreign);
    const result = await inspect('foreign.g.vcf.gz', 'gvcf');
    expect(result.issues).toEqual([]);
    expect(variantFacts(result.facts)).toMatchObject({
      contigs: ['1', '2'],
      onNationalReference: false,
      refAllelesMatch: null,
      gvcf: true,
    });
  });
});

describe('broken VCFs', () => {
  it('reports corrupt bytes inside the BGZF stream', async () => {
    await corruptMiddleCopy(at('sample.g.vcf.gz'), at('corrupt.g.vcf.gz'), 16, 0xff);
    const result = await inspect('corrupt.g.vcf.gz', 'gvcf');
    expect(codes(result.issues)).toEqual(['VCF_CORRUPT']);
  });

  it('reports a file cut at a BGZF block boundary, which bgzip -t passes', async () => {
    const data = await fs.readFile(at('sample.g.vcf.gz'));
    // Drop only the 28-byte empty EOF block: every remaining block is whole.
    await truncateCopy(at('sample.g.vcf.gz'), at('no-eof.g.vcf.gz'), data.length - 28);
    expect((await execa('bgzip', ['-t', at('no-eof.g.vcf.gz')], { reject: false })).exitCode).toBe(
      0,
    );
    const result = await inspect('no-eof.g.vcf.gz', 'gvcf');
    expect(codes(result.issues)).toEqual(['VCF_CORRUPT']);
    expect(result.issues[0]!.message).toContain('end-of-file block is missing');
  });

  it('reports a VCF with no #CHROM line', async () => {
    await writeBgzip(at('no-chrom.vcf.gz'), vcfText.replace(/^#CHROM.*\n/m, ''));
    const result = await inspect('no-chrom.vcf.gz', 'vcf');
    expect(codes(result.issues)).toEqual(['VCF_HEADER_INVALID']);
    expect(result.issues[0]!.message).toContain('no "#CHROM" line');
  });

  it('reports a VCF with no ##fileformat line', async () => {
    await writeBgzip(at('no-format.vcf.gz'), vcfText.replace(/^##fileformat=.*\n/, ''));
    const result = await inspect('no-format.vcf.gz', 'vcf');
    expect(codes(result.issues)).toEqual(['VCF_HEADER_INVALID']);
  });

  it('reports records on a contig the header does not declare', async () => {
    await writeBgzip(at('undeclared.vcf.gz'), vcfText.replace(/^##contig=<ID=chr2,.*\n/m, ''));
    const result = await inspect('undeclared.vcf.gz', 'vcf');
    expect(codes(result.issues)).toEqual(['VCF_CONTIG_UNDECLARED']);
    expect(result.issues[0]!.message).toContain(': "chr2"');
  });

  it('reports records out of order, which cannot be indexed', async () => {
    const lines = vcfText.split('\n');
    const body = records(vcfText);
    const swapped = lines.map((l) => (l === body[3] ? body[4]! : l === body[4] ? body[3]! : l));
    await writeBgzip(at('unsorted.vcf.gz'), swapped.join('\n'));
    const result = await inspect('unsorted.vcf.gz', 'vcf');
    expect(codes(result.issues)).toEqual(['VCF_UNSORTED']);
    const [chrom, pos] = body[3]!.split('\t');
    const later = body[4]!.split('\t')[1];
    expect(result.issues[0]!.message).toContain(
      `${chrom}:${pos} (record 5) comes after ${chrom}:${later}`,
    );
  });

  it('reports a VCF compressed with gzip instead of bgzip, or not at all', async () => {
    await writeGzip(at('gzip.vcf.gz'), vcfText);
    await fs.writeFile(at('plain.vcf'), vcfText);
    for (const name of ['gzip.vcf.gz', 'plain.vcf']) {
      const result = await inspect(name, 'vcf');
      expect(codes(result.issues)).toEqual(['VCF_NOT_BGZIPPED']);
    }
  });
});

describe('files without a content check here', () => {
  it.each(['tbi', 'crai', 'bai', 'spring'] as const)('%s: no issues, no facts', async (kind) => {
    await fs.writeFile(at(`anything.${kind}`), 'not even an index');
    const result = await inspect(`anything.${kind}`, kind);
    expect(result).toEqual({ issues: [], facts: { kind: 'other' } });
  });
});
