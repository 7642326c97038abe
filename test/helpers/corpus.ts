/**
 * A corpus of malformed in-place submissions, each with the error code it must be rejected
 * with: broken manifests, paths that escape, wrong checksums, truncated and corrupt files,
 * mismatched read pairs, alignments and variant files that lie about their reference, and
 * samples that cannot be planned. Built from small valid files made with the real tools.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  align,
  corruptMiddleCopy,
  fastqText,
  mutate,
  simulatePairs,
  truncateCopy,
  writeBgzip,
  writeGzip,
  writeReference,
  type Contig,
} from './intake-files.ts';

export interface CorpusCase {
  region: string;
  submissionId: string;
  /** The code on the submission (manifest problems) or on its only sample (file problems). */
  level: 'submission' | 'sample';
  code: string;
}

interface Blocks {
  r1: string;
  r2: string;
  cram: string;
  bam: string;
  foreignCram: string;
  ucram: string;
  gvcf: string;
  vcf: string;
}

type Manifest = Record<string, any>;
type Entry = {
  rel: string;
  kind: string;
  source?: string;
  content?: Buffer | string;
  md5?: string;
  sha256?: string;
};

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** Reads a FASTA into contigs (the demo reference: 810 kb). */
async function readFasta(file: string): Promise<Contig[]> {
  const contigs: Contig[] = [];
  for (const block of (await fs.readFile(file, 'utf8')).split('>').slice(1)) {
    const [name, ...lines] = block.split('\n');
    contigs.push({ name: name!.trim().split(/\s/)[0]!, sequence: lines.join('') });
  }
  return contigs;
}

async function buildBlocks(reference: string, dir: string): Promise<Blocks> {
  await fs.mkdir(dir, { recursive: true });
  const contigs = await readFasta(reference);
  const pairs = simulatePairs(mutate(contigs, 7, 1000), 200, 11);
  const b = (name: string) => path.join(dir, name);
  await writeGzip(b('R1.fastq.gz'), fastqText(pairs.r1));
  await writeGzip(b('R2.fastq.gz'), fastqText(pairs.r2));
  await align(reference, b('R1.fastq.gz'), b('R2.fastq.gz'), b('S.cram'), 'cram');
  await align(reference, b('R1.fastq.gz'), b('R2.fastq.gz'), b('S.bam'), 'bam');
  // Another genome under other names: a CRAM on it cannot be decoded with the national reference.
  const foreign = mutate(contigs, 3, 50).map((c) => ({ ...c, name: `other_${c.name}` }));
  await writeReference(b('foreign.fa'), foreign, { bwa: true });
  await align(b('foreign.fa'), b('R1.fastq.gz'), b('R2.fastq.gz'), b('foreign.cram'), 'cram');
  await execa('samtools', [
    'import',
    '-1',
    b('R1.fastq.gz'),
    '-2',
    b('R2.fastq.gz'),
    '-O',
    'cram',
    '-o',
    b('S.ucram'),
  ]);
  await execa('samtools', ['index', b('S.cram')]);
  const pileup = [
    'mpileup',
    '--no-version',
    '-f',
    reference,
    '-a',
    'FORMAT/AD,FORMAT/DP',
    '-Ou',
    b('S.cram'),
  ];
  await execa('bcftools', pileup).pipe('bcftools', [
    'call',
    '--no-version',
    '-m',
    '-g',
    '0,10,20',
    '-Oz',
    '-o',
    b('S.g.vcf.gz'),
  ]);
  await execa('bcftools', pileup).pipe('bcftools', [
    'call',
    '--no-version',
    '-mv',
    '-Oz',
    '-o',
    b('S.vcf.gz'),
  ]);
  return {
    r1: b('R1.fastq.gz'),
    r2: b('R2.fastq.gz'),
    cram: b('S.cram'),
    bam: b('S.bam'),
    foreignCram: b('foreign.cram'),
    ucram: b('S.ucram'),
    gvcf: b('S.g.vcf.gz'),
    vcf: b('S.vcf.gz'),
  };
}

/** Writes one submission: its files (copied or given), then a manifest (edited by the case). */
async function writeCase(
  inbox: string,
  region: string,
  submissionId: string,
  sampleId: string,
  entries: Entry[],
  edit: (manifest: Manifest) => void = () => undefined,
): Promise<void> {
  const dir = path.join(inbox, region, submissionId);
  await fs.mkdir(path.join(dir, sampleId), { recursive: true });
  const files = [];
  for (const entry of entries) {
    const target = path.join(dir, entry.rel);
    const data =
      entry.content !== undefined ? Buffer.from(entry.content) : await fs.readFile(entry.source!);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, data);
    files.push({
      path: entry.rel,
      kind: entry.kind,
      md5: entry.md5 ?? md5(data),
      ...(entry.sha256 ? { sha256: entry.sha256 } : {}),
    });
  }
  const manifest: Manifest = {
    schema: 'harmonise.submission/v1',
    region,
    submissionId,
    pipeline: { name: 'corpus', version: '0.0.1' },
    samples: [{ sampleId, readType: 'short', consent: { research: true }, files }],
  };
  edit(manifest);
  await fs.writeFile(
    path.join(dir, 'manifest.json'),
    typeof manifest.__raw === 'string' ? manifest.__raw : `${JSON.stringify(manifest, null, 2)}\n`,
  );
}

export async function buildCorpus(dataRoot: string, reference: string): Promise<CorpusCase[]> {
  const blocks = await buildBlocks(reference, path.join(dataRoot, 'corpus-blocks'));
  const inbox = path.join(dataRoot, 'inbox');
  const work = path.join(dataRoot, 'corpus-blocks');
  const cases: CorpusCase[] = [];
  let n = 0;
  const pair = (s: string): Entry[] => [
    { rel: `${s}/${s}_R1.fastq.gz`, kind: 'fastq-r1', source: blocks.r1 },
    { rel: `${s}/${s}_R2.fastq.gz`, kind: 'fastq-r2', source: blocks.r2 },
  ];
  async function add(
    level: CorpusCase['level'],
    code: string,
    entries: (sampleId: string) => Entry[],
    edit?: (manifest: Manifest) => void,
    region = 'hovedstaden',
  ): Promise<void> {
    n += 1;
    const submissionId = `BAD-${String(n).padStart(3, '0')}`;
    const sampleId = `BAD${String(n).padStart(3, '0')}`;
    await writeCase(inbox, region, submissionId, sampleId, entries(sampleId), edit);
    cases.push({ region, submissionId, level, code });
  }
  const sample = (m: Manifest) => m.samples[0];

  // The manifest itself (the whole submission is rejected).
  await add(
    'submission',
    'MANIFEST_NOT_JSON',
    pair,
    (m) => (m.__raw = '{"schema": "harmonise.submission/v1",'),
  );
  await add('submission', 'MANIFEST_UNKNOWN_FIELD', pair, (m) => (m.priority = 'high'));
  await add('submission', 'MANIFEST_UNKNOWN_FIELD', pair, (m) => (sample(m).files[0].size = 12));
  await add('submission', 'MANIFEST_MISSING_FIELD', pair, (m) => delete m.pipeline);
  await add(
    'submission',
    'MANIFEST_INVALID_TYPE',
    pair,
    (m) => (sample(m).consent.research = 'yes'),
  );
  await add(
    'submission',
    'MANIFEST_INVALID_VALUE',
    pair,
    (m) => (m.schema = 'harmonise.submission/v2'),
  );
  await add('submission', 'MANIFEST_INVALID_VALUE', pair, (m) => (sample(m).files[0].kind = 'sff'));
  await add('submission', 'MANIFEST_INVALID_VALUE', pair, (m) => (sample(m).readType = 'medium'));
  await add(
    'submission',
    'MANIFEST_INVALID_FORMAT',
    pair,
    (m) => (sample(m).files[0].md5 = 'not-a-checksum'),
  );
  await add('submission', 'MANIFEST_CHECKSUM_MISSING', pair, (m) => delete sample(m).files[1].md5);
  await add('submission', 'ID_LOOKS_LIKE_CPR', pair, (m) => (sample(m).sampleId = '2512871234'));
  await add('submission', 'ID_LOOKS_LIKE_CPR', pair, (m) => (sample(m).sampleId = '251287-1234'));
  await add(
    'submission',
    'MANIFEST_INVALID_FORMAT',
    pair,
    (m) => (sample(m).sampleId = 'has space'),
  );
  await add('submission', 'MANIFEST_DUPLICATE_SAMPLE', pair, (m) =>
    m.samples.push({ ...sample(m) }),
  );
  await add('submission', 'MANIFEST_DUPLICATE_FILE', pair, (m) =>
    sample(m).files.push({ ...sample(m).files[0] }),
  );
  await add(
    'submission',
    'MANIFEST_PATH_ABSOLUTE',
    pair,
    (m) => (sample(m).files[0].path = '/etc/passwd'),
  );
  await add(
    'submission',
    'MANIFEST_PATH_ESCAPES',
    pair,
    (m) => (sample(m).files[0].path = '../../../etc/passwd'),
  );
  await add(
    'submission',
    'MANIFEST_PATH_INVALID',
    pair,
    (m) => (sample(m).files[0].path = 'a b/R1.fastq.gz'),
  );
  await add('submission', 'MANIFEST_OUT_OF_RANGE', pair, (m) => (m.samples = []));
  await add('submission', 'MANIFEST_OUT_OF_RANGE', pair, (m) => (sample(m).files = []));
  await add('submission', 'MANIFEST_REGION_MISMATCH', pair, (m) => (m.region = 'syddanmark'));
  await add(
    'submission',
    'MANIFEST_SUBMISSION_MISMATCH',
    pair,
    (m) => (m.submissionId = 'SOMETHING-ELSE'),
  );
  await add(
    'submission',
    'SUBMISSION_UNKNOWN_REGION',
    pair,
    (m) => (m.region = 'bornholm'),
    'bornholm',
  );
  n += 1;
  await fs.mkdir(path.join(inbox, 'hovedstaden', `BAD-${String(n).padStart(3, '0')}`), {
    recursive: true,
  });
  cases.push({
    region: 'hovedstaden',
    submissionId: `BAD-${String(n).padStart(3, '0')}`,
    level: 'submission',
    code: 'SUBMISSION_NOT_FOUND',
  });

  // Files: paths and checksums.
  await add(
    'sample',
    'FILE_MISSING',
    pair,
    (m) => (sample(m).files[1].path = `${sample(m).sampleId}/nowhere.fastq.gz`),
  );
  await add(
    'sample',
    'FILE_NOT_REGULAR',
    pair,
    (m) => (sample(m).files[1].path = sample(m).sampleId),
  );
  await add('sample', 'FILE_CHECKSUM_MISMATCH', (s) => [
    pair(s)[0]!,
    { ...pair(s)[1]!, md5: '0'.repeat(32) },
  ]);
  await add('sample', 'FILE_CHECKSUM_MISMATCH', (s) => [
    pair(s)[0]!,
    { ...pair(s)[1]!, sha256: 'f'.repeat(64) },
  ]);
  const outside = n + 1;
  await add('sample', 'FILE_OUTSIDE_SUBMISSION', pair);
  const linkDir = path.join(
    inbox,
    'hovedstaden',
    `BAD-${String(outside).padStart(3, '0')}`,
    `BAD${String(outside).padStart(3, '0')}`,
  );
  const secret = path.join(work, 'outside.fastq.gz');
  await fs.copyFile(blocks.r2, secret);
  const r2Link = path.join(linkDir, `BAD${String(outside).padStart(3, '0')}_R2.fastq.gz`);
  await fs.rm(r2Link);
  await fs.symlink(secret, r2Link);

  // FASTQ content.
  const r1Data = await fs.readFile(blocks.r1);
  await truncateCopy(
    blocks.r2,
    path.join(work, 'R2.truncated.gz'),
    Math.floor((await fs.stat(blocks.r2)).size / 2),
  );
  await corruptMiddleCopy(blocks.r2, path.join(work, 'R2.corrupt.gz'), 64, 0x55);
  const r2With =
    (file: string) =>
    (s: string): Entry[] => [pair(s)[0]!, { ...pair(s)[1]!, source: file }];
  await add('sample', 'FILE_GZIP_CORRUPT', r2With(path.join(work, 'R2.truncated.gz')));
  await add('sample', 'FILE_GZIP_CORRUPT', r2With(path.join(work, 'R2.corrupt.gz')));
  const r2Records = (
    await execa('gzip', ['-dc', blocks.r2], { stripFinalNewline: false })
  ).stdout.split('\n');
  await writeGzip(
    path.join(work, 'R2.malformed.gz'),
    [...r2Records.slice(0, 8), '@broken', 'ACGT', 'IIII', 'ACGT', ...r2Records.slice(12)].join(
      '\n',
    ),
  );
  await writeGzip(path.join(work, 'R2.short.gz'), r2Records.slice(0, -5).join('\n') + '\n');
  await writeGzip(
    path.join(work, 'R2.renamed.gz'),
    r2Records.map((l, i) => (i === 40 ? '@someone-else/2' : l)).join('\n'),
  );
  await writeGzip(path.join(work, 'empty.gz'), '');
  await add('sample', 'FASTQ_MALFORMED', r2With(path.join(work, 'R2.malformed.gz')));
  await add('sample', 'FASTQ_PAIR_COUNT_MISMATCH', r2With(path.join(work, 'R2.short.gz')));
  await add('sample', 'FASTQ_PAIR_NAME_MISMATCH', r2With(path.join(work, 'R2.renamed.gz')));
  await add('sample', 'FASTQ_EMPTY', (s) => [
    { ...pair(s)[0]!, source: path.join(work, 'empty.gz') },
    { ...pair(s)[1]!, source: path.join(work, 'empty.gz') },
  ]);
  void r1Data;

  // Alignments.
  const cramEntry = (s: string, source: string, kind = 'cram'): Entry[] => [
    { rel: `${s}/${s}.${kind === 'bam' ? 'bam' : 'cram'}`, kind, source },
  ];
  await truncateCopy(
    blocks.cram,
    path.join(work, 'truncated.cram'),
    Math.floor((await fs.stat(blocks.cram)).size * 0.6),
  );
  await corruptMiddleCopy(blocks.bam, path.join(work, 'corrupt.bam'), 200, 0x00);
  await add('sample', 'ALIGNMENT_TRUNCATED', (s) =>
    cramEntry(s, path.join(work, 'truncated.cram')),
  );
  await add('sample', 'ALIGNMENT_CORRUPT', (s) =>
    cramEntry(s, path.join(work, 'corrupt.bam'), 'bam'),
  );
  await add('sample', 'CRAM_REFERENCE_UNKNOWN', (s) => cramEntry(s, blocks.foreignCram));
  await add('sample', 'UCRAM_NOT_UNALIGNED', (s) => cramEntry(s, blocks.cram, 'ucram'));
  await add('sample', 'ALIGNMENT_FORMAT_MISMATCH', (s) => cramEntry(s, blocks.bam, 'cram'));

  // Variant files.
  const vcfEntries =
    (source: string, kind = 'gvcf') =>
    (s: string): Entry[] => [
      ...pair(s),
      { rel: `${s}/${s}.${kind === 'gvcf' ? 'g.' : ''}vcf.gz`, kind, source },
    ];
  const gvcfText = (await execa('bgzip', ['-dc', blocks.gvcf], { stripFinalNewline: false }))
    .stdout;
  const lines = gvcfText.split('\n');
  const firstRecord = lines.findIndex((l) => l && !l.startsWith('#'));
  const wrongRef = lines.map((l, i) => {
    if (i !== firstRecord) return l;
    const f = l.split('\t');
    f[3] = { A: 'C', C: 'G', G: 'T', T: 'A' }[f[3]!] ?? 'N';
    return f.join('\t');
  });
  await writeBgzip(path.join(work, 'ref-mismatch.g.vcf.gz'), wrongRef.join('\n'));
  await writeBgzip(
    path.join(work, 'no-header.g.vcf.gz'),
    lines.filter((l) => !l.startsWith('#CHROM')).join('\n'),
  );
  await corruptMiddleCopy(blocks.gvcf, path.join(work, 'corrupt.g.vcf.gz'), 100, 0x41);
  await writeGzip(path.join(work, 'plain-gzip.g.vcf.gz'), gvcfText);
  await add('sample', 'VCF_REF_MISMATCH', vcfEntries(path.join(work, 'ref-mismatch.g.vcf.gz')));
  await add('sample', 'VCF_HEADER_INVALID', vcfEntries(path.join(work, 'no-header.g.vcf.gz')));
  await add('sample', 'VCF_CORRUPT', vcfEntries(path.join(work, 'corrupt.g.vcf.gz')));
  await add('sample', 'VCF_NOT_BGZIPPED', vcfEntries(path.join(work, 'plain-gzip.g.vcf.gz')));
  await add('sample', 'GVCF_NOT_GVCF', vcfEntries(blocks.vcf));

  // Samples that cannot be planned.
  await add('sample', 'PLAN_NO_READ_PAIR', (s) => [pair(s)[0]!]);
  await add('sample', 'PLAN_NO_READS', (s) => [
    { rel: `${s}/${s}.g.vcf.gz`, kind: 'gvcf', source: blocks.gvcf },
  ]);
  await add('sample', 'SPRING_UNAVAILABLE', (s) => [
    { rel: `${s}/${s}.spring`, kind: 'spring', content: 'SPRING archive' },
  ]);
  await add('sample', 'PLAN_NO_READS', pair, (m) => (sample(m).readType = 'long'));

  // Hostile submissions: special files, links out, one file twice, a bomb, personal numbers.
  const caseDir = () => path.join(inbox, 'hovedstaden', `BAD-${String(n).padStart(3, '0')}`);
  const caseSample = () => `BAD${String(n).padStart(3, '0')}`;
  await add('submission', 'MANIFEST_NOT_REGULAR', pair);
  await fs.rm(path.join(caseDir(), 'manifest.json'));
  await execa('mkfifo', [path.join(caseDir(), 'manifest.json')]);
  await add('submission', 'MANIFEST_SYMLINK', pair);
  await fs.rename(path.join(caseDir(), 'manifest.json'), path.join(caseDir(), 'real.json'));
  await fs.symlink('real.json', path.join(caseDir(), 'manifest.json'));
  await add('submission', 'SUBMISSION_SYMLINK', pair);
  const elsewhere = path.join(work, `elsewhere-${n}`);
  await fs.rename(caseDir(), elsewhere);
  await fs.symlink(elsewhere, caseDir());
  await add('sample', 'FILE_NOT_REGULAR', pair);
  const fifo = path.join(caseDir(), caseSample(), `${caseSample()}_R2.fastq.gz`);
  await fs.rm(fifo);
  await execa('mkfifo', [fifo]);
  await add('submission', 'MANIFEST_DUPLICATE_FILE', pair, (m) => {
    sample(m).files[1] = {
      ...sample(m).files[0],
      path: sample(m).files[0].path.replace('/', '//'),
    };
  });
  await add('submission', 'MANIFEST_DUPLICATE_FILE', pair, (m) => {
    sample(m).files[1].md5 = sample(m).files[0].md5;
  });
  const linkedR2 = path.join(caseDir(), caseSample(), `${caseSample()}_R2.fastq.gz`);
  await fs.rm(linkedR2);
  await fs.symlink(`${caseSample()}_R1.fastq.gz`, linkedR2);
  const bomb = path.join(work, 'zero-bomb.gz');
  await fs.writeFile(bomb, gzipSync(Buffer.alloc(64 * 2 ** 20), { level: 9 }));
  await add('sample', 'FILE_DECOMPRESSES_TOO_LARGE', (s) => [
    { ...pair(s)[0]!, source: bomb },
    pair(s)[1]!,
  ]);
  await add(
    'submission',
    'ID_LOOKS_LIKE_CPR',
    pair,
    (m) => (sample(m).sampleId = 'NOR-010190-1234'),
  );
  await add('submission', 'ID_LOOKS_LIKE_CPR', pair, (m) => (sample(m).sampleId = '010190_1234'));
  await add('submission', 'SUBMISSION_TOO_LARGE', pair, (m) => {
    m.samples = Array.from({ length: 5001 }, (_, i) => ({ ...sample(m), sampleId: `MANY${i}` }));
  });
  return cases;
}

/** A valid submission to show the service is still healthy after the corpus. */
export async function writeValidSubmission(
  dataRoot: string,
  region: string,
  submissionId: string,
  sampleId: string,
): Promise<void> {
  const blocks = path.join(dataRoot, 'corpus-blocks');
  await writeCase(path.join(dataRoot, 'inbox'), region, submissionId, sampleId, [
    {
      rel: `${sampleId}/${sampleId}_R1.fastq.gz`,
      kind: 'fastq-r1',
      source: path.join(blocks, 'R1.fastq.gz'),
    },
    {
      rel: `${sampleId}/${sampleId}_R2.fastq.gz`,
      kind: 'fastq-r2',
      source: path.join(blocks, 'R2.fastq.gz'),
    },
  ]);
}
