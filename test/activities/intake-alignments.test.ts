import { execa } from 'execa';
import type * as Execa from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AlignmentFacts, ReferenceInfo } from '../../src/activities/intake/inspect.ts';
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
  simulatePairs,
  startRecordingProxy,
  truncateCopy,
  writeGzip,
  writeReference,
} from '../helpers/intake-files.ts';

// The real execa, recording each command's environment so the tests can see what htslib got.
const spawned = vi.hoisted(
  () => [] as { command: string; env: Record<string, string | undefined> }[],
);
vi.mock('execa', async (importOriginal) => {
  const real = await importOriginal<typeof Execa>();
  const execa = (
    command: string,
    args: string[],
    options: { env?: Record<string, string> } = {},
  ) => {
    spawned.push({
      command: [command, ...args].join(' '),
      env: { ...process.env, ...options.env },
    });
    return real.execa(command, args, options);
  };
  return { ...real, execa };
});

let dir: string;
let national: ReferenceInfo;
const at = (name: string) => path.join(dir, name);
const inspect = async (name: string, kind: FileKind) =>
  inspectFile(await fileAt(dir, name, kind), national, testBudget());
const codes = (issues: { code: string }[]) => issues.map((i) => i.code);
function alignmentFacts(facts: { kind: string; facts?: unknown }): AlignmentFacts {
  expect(facts.kind).toBe('alignment');
  return facts.facts as AlignmentFacts;
}
const nationalM5s = () => Object.fromEntries(national.sequences.map((s) => [s.name, s.md5]));
const samtoolsCount = async (file: string) =>
  Number((await execa('samtools', ['view', '-c', '--reference', national.fasta, file])).stdout);

beforeAll(async () => {
  dir = await makeTempDir('intake-alignments');
  const contigs = randomContigs(21, { chr1: 12_000, chr2: 8_000 });
  national = await writeReference(at('national.fa'), contigs, { bwa: true });
  const { r1, r2 } = simulatePairs(contigs, 2_000, 22);
  await writeGzip(at('R1.fastq.gz'), fastqText(r1));
  await writeGzip(at('R2.fastq.gz'), fastqText(r2));
  await align(national.fasta, at('R1.fastq.gz'), at('R2.fastq.gz'), at('good.cram'), 'cram');
  // A BAM converted from the CRAM keeps the @SQ M5 tags (bwa alone writes none).
  await execa('samtools', [
    'view',
    '-b',
    '--reference',
    national.fasta,
    '-o',
    at('good.bam'),
    at('good.cram'),
  ]);
  await execa('samtools', [
    'import',
    '-1',
    at('R1.fastq.gz'),
    '-2',
    at('R2.fastq.gz'),
    '-O',
    'cram',
    '-o',
    at('reads.ucram'),
  ]);

  // A foreign reference: the same genome with a substitution every 150 bp and other contig
  // names, so reads map to it and its CRAM needs it to decode. It is deleted once used, so no
  // local copy named in the CRAM header can stand in for it.
  const foreignDir = at('foreign');
  await fs.mkdir(foreignDir);
  const foreign = mutate(contigs, 23, 150).map((c, i) => ({ ...c, name: `f${i + 1}` }));
  const foreignRef = await writeReference(path.join(foreignDir, 'foreign.fa'), foreign, {
    bwa: true,
  });
  await align(foreignRef.fasta, at('R1.fastq.gz'), at('R2.fastq.gz'), at('foreign.cram'), 'cram');
  await align(foreignRef.fasta, at('R1.fastq.gz'), at('R2.fastq.gz'), at('foreign.bam'), 'bam');
  await fs.rm(foreignDir, { recursive: true });
});

afterAll(async () => {
  await closeOpenedFiles();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('CRAM and BAM', () => {
  it('passes a CRAM made with bwa mem | samtools sort on the national reference', async () => {
    const result = await inspect('good.cram', 'cram');
    expect(result.issues).toEqual([]);
    const facts = alignmentFacts(result.facts);
    expect(facts).toMatchObject({ format: 'cram', onNationalReference: true, unaligned: false });
    expect(facts.m5s).toEqual(nationalM5s());
    expect(facts.records).toBe(await samtoolsCount(at('good.cram')));
    expect(facts.records).toBeGreaterThanOrEqual(4_000);
    expect(facts.programs.map((p) => p.id)).toEqual(['bwa', 'samtools']);
    expect(facts.programs[0]).toMatchObject({
      name: 'bwa',
      version: expect.stringMatching(/^0\.7\./),
    });
    expect(facts.programs[0]!.commandLine).toContain('bwa mem');
  });

  it('passes a BAM on the national reference', async () => {
    const result = await inspect('good.bam', 'bam');
    expect(result.issues).toEqual([]);
    expect(alignmentFacts(result.facts)).toMatchObject({
      format: 'bam',
      onNationalReference: true,
    });
  });

  it('reports a truncated CRAM', async () => {
    const size = (await fs.stat(at('good.cram'))).size;
    await truncateCopy(at('good.cram'), at('cut.cram'), Math.floor(size * 0.7));
    const result = await inspect('cut.cram', 'cram');
    expect(codes(result.issues)).toEqual(['ALIGNMENT_TRUNCATED']);
    expect(result.issues[0]).toMatchObject({ path: 'samples[0].files[0].path' });
    expect(result.issues[0]!.message).toMatch(/^cut\.cram: is truncated.*EOF/);
    expect(result.issues[0]!.message).not.toContain(dir);
  });

  it('reports a BAM corrupted mid-file, which samtools quickcheck passes', async () => {
    await corruptMiddleCopy(at('good.bam'), at('mid.bam'), 64);
    expect(
      (await execa('samtools', ['quickcheck', at('mid.bam')], { reject: false })).exitCode,
    ).toBe(0);
    const result = await inspect('mid.bam', 'bam');
    expect(codes(result.issues)).toEqual(['ALIGNMENT_CORRUPT']);
    expect(result.issues[0]!.message).toMatch(/^mid\.bam: fails to decode/);
  });

  it('reports a CRAM corrupted mid-file', async () => {
    await corruptMiddleCopy(at('good.cram'), at('mid.cram'), 64);
    const result = await inspect('mid.cram', 'cram');
    expect(codes(result.issues)).toEqual(['ALIGNMENT_CORRUPT']);
  });

  it('reports an alignment file with a header and no records', async () => {
    await execa('samtools', [
      'view',
      '-H',
      '-O',
      'cram',
      '--reference',
      national.fasta,
      '-o',
      at('header-only.cram'),
      at('good.cram'),
    ]);
    const result = await inspect('header-only.cram', 'cram');
    expect(codes(result.issues)).toEqual(['ALIGNMENT_EMPTY']);
    expect(alignmentFacts(result.facts)).toMatchObject({ records: 0, onNationalReference: true });
  });

  it('reports content that is not the listed format', async () => {
    const result = await inspect('good.bam', 'cram');
    expect(codes(result.issues)).toEqual(['ALIGNMENT_FORMAT_MISMATCH']);
    expect(alignmentFacts(result.facts).format).toBe('bam');
  });

  it('takes a BAM on another reference as a fact, not an issue', async () => {
    const result = await inspect('foreign.bam', 'bam');
    expect(result.issues).toEqual([]);
    const facts = alignmentFacts(result.facts);
    expect(facts.onNationalReference).toBe(false);
    expect(facts.records).toBeGreaterThanOrEqual(4_000);
  });
});

describe('a CRAM on a reference NGC does not have', () => {
  it('is reported without decoding it and without reaching for the network', async () => {
    const proxy = await startRecordingProxy();
    try {
      // Control: without REF_PATH, htslib does try the EBI server for this CRAM's references.
      const env: Record<string, string | undefined> = { ...process.env, ...proxy.env };
      delete env.REF_PATH;
      delete env.REF_CACHE;
      const args = ['view', '-c', '--reference', national.fasta, at('foreign.cram')];
      await execa('samtools', args, { env, extendEnv: false, reject: false });
      expect(proxy.connections.join('\n')).toContain('ebi.ac.uk');
      proxy.connections.length = 0;

      spawned.length = 0;
      const result = await proxy.withProcessEnv(() => inspect('foreign.cram', 'cram'));
      expect(proxy.connections).toEqual([]);
      // Every tool runs under prlimit (its CPU budget): `prlimit --cpu=N:M -- samtools …`.
      const samtools = spawned
        .map((s) => ({ ...s, command: s.command.replace(/^prlimit --cpu=\S+ -- /, '') }))
        .filter((s) => s.command.startsWith('samtools '));
      expect(samtools.length).toBeGreaterThanOrEqual(3);
      for (const run of samtools) expect(run.env.REF_PATH).toMatch(/^\/nonexistent\//);
      // Never decoded with the wrong reference: quickcheck, header, and a flags-only count.
      expect(samtools.map((s) => s.command).filter((c) => c.includes('view -c'))).toEqual([
        expect.stringContaining('required_fields=0x2'),
      ]);
      expect(codes(result.issues)).toEqual(['CRAM_REFERENCE_UNKNOWN']);
      expect(result.issues[0]!.message).toContain('f1 is not a national reference sequence');
      const facts = alignmentFacts(result.facts);
      expect(facts.onNationalReference).toBe(false);
      expect(Object.keys(facts.m5s)).toEqual(['f1', 'f2']);
      expect(facts.records).toBeGreaterThanOrEqual(4_000);
    } finally {
      await proxy.close();
    }
  });
});

describe('unaligned CRAM (ucram)', () => {
  it('passes the output of samtools import -1 R1 -2 R2 -O cram', async () => {
    const result = await inspect('reads.ucram', 'ucram');
    expect(result.issues).toEqual([]);
    expect(alignmentFacts(result.facts)).toMatchObject({
      format: 'cram',
      unaligned: true,
      m5s: {},
      onNationalReference: false,
      records: 4_000,
    });
  });

  it('reports an aligned CRAM listed as ucram', async () => {
    const result = await inspect('good.cram', 'ucram');
    expect(codes(result.issues)).toEqual(['UCRAM_NOT_UNALIGNED']);
    expect(result.issues[0]!.message).toContain('2 @SQ lines');
    expect(alignmentFacts(result.facts).unaligned).toBe(false);
  });
});
