import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inspectFile, inspectReadPair } from '../../src/activities/intake/inspect.ts';
import type { ReferenceInfo } from '../../src/activities/intake/inspect.ts';
import {
  corruptMiddleCopy,
  fastqText,
  fileAt,
  makeTempDir,
  testBudget,
  closeOpenedFiles,
  randomContigs,
  simulatePairs,
  truncateCopy,
  writeGzip,
  type FastqRecord,
} from '../helpers/intake-files.ts';

// FASTQ checks read the files themselves; no reference is consulted.
const NO_REFERENCE: ReferenceInfo = { fasta: '/nonexistent.fa', sequences: [] };

let dir: string;
let r1: FastqRecord[];
let r2: FastqRecord[];

const fastq = (name: string, kind: 'fastq-r1' | 'fastq-r2' | 'fastq' = 'fastq-r1', index = 0) =>
  fileAt(dir, name, kind, index);
const inspect = async (name: string, kind?: 'fastq-r1' | 'fastq-r2' | 'fastq') =>
  inspectFile(await fastq(name, kind), NO_REFERENCE, testBudget());
const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

beforeAll(async () => {
  dir = await makeTempDir('intake-fastq');
  // 3,000 pairs of 100 bp: the gzip files span several deflate blocks.
  ({ r1, r2 } = simulatePairs(randomContigs(11, { chr1: 12_000, chr2: 8_000 }), 3_000, 12));
  await writeGzip(path.join(dir, 'R1.fastq.gz'), fastqText(r1));
  await writeGzip(path.join(dir, 'R2.fastq.gz'), fastqText(r2));
  await writeGzip(path.join(dir, 'R2-short.fastq.gz'), fastqText(r2.slice(0, -1)));
  const size = (await fs.stat(path.join(dir, 'R1.fastq.gz'))).size;
  await truncateCopy(
    path.join(dir, 'R1.fastq.gz'),
    path.join(dir, 'cut.fastq.gz'),
    Math.floor(size * 0.6),
  );
});

afterAll(async () => {
  await closeOpenedFiles();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('one FASTQ file', () => {
  it('passes a good gzip FASTQ and counts its reads', async () => {
    const heartbeat = vi.fn();
    const result = await inspectFile(
      await fastq('R1.fastq.gz'),
      NO_REFERENCE,
      testBudget(heartbeat),
    );
    expect(result.issues).toEqual([]);
    expect(result.facts).toEqual({ kind: 'fastq', reads: 3_000 });
    expect(heartbeat).toHaveBeenCalled();
  });

  it('passes a plain (uncompressed) FASTQ with lower-case bases and N', async () => {
    const records = r1
      .slice(0, 5)
      .map((r, i) => (i === 2 ? { ...r, sequence: `nN${r.sequence.slice(2).toLowerCase()}` } : r));
    await fs.writeFile(path.join(dir, 'plain.fastq'), fastqText(records));
    const result = await inspect('plain.fastq', 'fastq');
    expect(result.issues).toEqual([]);
    expect(result.facts).toEqual({ kind: 'fastq', reads: 5 });
  });

  it('reports a truncated gzip file, which gzip -t also rejects', async () => {
    expect(
      (await execa('gzip', ['-t', path.join(dir, 'cut.fastq.gz')], { reject: false })).exitCode,
    ).not.toBe(0);
    const result = await inspect('cut.fastq.gz');
    expect(codes(result.issues)).toEqual(['FILE_GZIP_CORRUPT']);
    expect(result.issues[0]).toMatchObject({ path: 'samples[0].files[0].path' });
    expect(result.issues[0]!.message).toMatch(/^cut\.fastq\.gz: .*truncated or corrupt/);
  });

  it('reports corrupt bytes mid-gzip as gzip corruption, not as a malformed record', async () => {
    await corruptMiddleCopy(
      path.join(dir, 'R1.fastq.gz'),
      path.join(dir, 'flip.fastq.gz'),
      3,
      0x55,
    );
    const result = await inspect('flip.fastq.gz');
    expect(codes(result.issues)).toEqual(['FILE_GZIP_CORRUPT']);
  });

  it('reports the first malformed record: a header without "@"', async () => {
    const text = fastqText(r1.slice(0, 5)).replace('@read2/1', 'read2/1');
    await writeGzip(path.join(dir, 'noat.fastq.gz'), text);
    const result = await inspect('noat.fastq.gz');
    expect(codes(result.issues)).toEqual(['FASTQ_MALFORMED']);
    expect(result.issues[0]!.message).toContain('record 3 (line 9)');
    expect(result.issues[0]!.message).toContain('does not start with "@"');
  });

  it('reports a record missing its "+" line', async () => {
    const text = fastqText(r1.slice(0, 4)).replace(
      `${r1[1]!.sequence}\n+\n`,
      `${r1[1]!.sequence}\n`,
    );
    await writeGzip(path.join(dir, 'noplus.fastq.gz'), text);
    const result = await inspect('noplus.fastq.gz');
    expect(codes(result.issues)).toEqual(['FASTQ_MALFORMED']);
    expect(result.issues[0]!.message).toContain('record 2');
  });

  it('reports sequence and quality of different lengths', async () => {
    const records = r1
      .slice(0, 4)
      .map((r, i) => (i === 3 ? { ...r, quality: r.quality.slice(1) } : r));
    await writeGzip(path.join(dir, 'short-qual.fastq.gz'), fastqText(records));
    const result = await inspect('short-qual.fastq.gz');
    expect(codes(result.issues)).toEqual(['FASTQ_MALFORMED']);
    expect(result.issues[0]!.message).toMatch(/record 4 .*100 bases but the quality has 99/);
  });

  it('reports bases outside ACGTN and qualities outside ! to ~', async () => {
    const badBase = r1
      .slice(0, 3)
      .map((r, i) => (i === 1 ? { ...r, sequence: `R${r.sequence.slice(1)}` } : r));
    await writeGzip(path.join(dir, 'iupac.fastq.gz'), fastqText(badBase));
    const bases = await inspect('iupac.fastq.gz');
    expect(codes(bases.issues)).toEqual(['FASTQ_MALFORMED']);
    expect(bases.issues[0]!.message).toMatch(/record 2 .*other than ACGTN at base 1$/);

    const badQual = r1
      .slice(0, 3)
      .map((r, i) => (i === 0 ? { ...r, quality: ` ${r.quality.slice(1)}` } : r));
    await writeGzip(path.join(dir, 'space.fastq.gz'), fastqText(badQual));
    const quals = await inspect('space.fastq.gz');
    expect(codes(quals.issues)).toEqual(['FASTQ_MALFORMED']);
    expect(quals.issues[0]!.message).toMatch(/record 1 .*quality .* at position 1$/);
  });

  it('reports a file that ends inside a record', async () => {
    const text = fastqText(r1.slice(0, 3)).split('\n').slice(0, 10).join('\n');
    await writeGzip(path.join(dir, 'partial.fastq.gz'), `${text}\n`);
    const result = await inspect('partial.fastq.gz');
    expect(codes(result.issues)).toEqual(['FASTQ_MALFORMED']);
    expect(result.issues[0]!.message).toContain('ends inside the record');
  });

  it('reports an empty FASTQ, compressed or not', async () => {
    await writeGzip(path.join(dir, 'empty.fastq.gz'), '');
    await fs.writeFile(path.join(dir, 'zero.fastq'), '');
    for (const name of ['empty.fastq.gz', 'zero.fastq']) {
      const result = await inspect(name);
      expect(codes(result.issues)).toEqual(['FASTQ_EMPTY']);
      expect(result.facts).toEqual({ kind: 'fastq', reads: 0 });
    }
  });
});

describe('an R1/R2 pair', () => {
  const pair = async (a: string, b: string) =>
    inspectReadPair(await fastq(a, 'fastq-r1', 0), await fastq(b, 'fastq-r2', 1), testBudget());

  it('passes a good pair, names differing only in /1 /2 and comments', async () => {
    expect(await pair('R1.fastq.gz', 'R2.fastq.gz')).toEqual([]);
    const commented = r2
      .slice(0, 10)
      .map((r) => ({ ...r, name: `${r.name.replace('/2', '')} 2:N:0:ACGT` }));
    await writeGzip(path.join(dir, 'R2-casava.fastq.gz'), fastqText(commented));
    await writeGzip(path.join(dir, 'R1-10.fastq.gz'), fastqText(r1.slice(0, 10)));
    expect(await pair('R1-10.fastq.gz', 'R2-casava.fastq.gz')).toEqual([]);
  });

  it('reports R2 one record short (bwa mem would silently drop the read)', async () => {
    const issues = await pair('R1.fastq.gz', 'R2-short.fastq.gz');
    expect(codes(issues)).toEqual(['FASTQ_PAIR_COUNT_MISMATCH']);
    expect(issues[0]!.path).toBe('samples[0].files[1].path');
    expect(issues[0]!.message).toContain('has 2999 reads but its mate file R1.fastq.gz has 3000');
  });

  it('reports R1 longer than R2 the other way round too', async () => {
    const issues = await pair('R2-short.fastq.gz', 'R1.fastq.gz');
    expect(codes(issues)).toEqual(['FASTQ_PAIR_COUNT_MISMATCH']);
    expect(issues[0]!.message).toContain(
      'has 3000 reads but its mate file R2-short.fastq.gz has 2999',
    );
  });

  it('reports the first record whose names do not pair up, without quoting them', async () => {
    const swapped = [...r2];
    [swapped[4], swapped[5]] = [swapped[5]!, swapped[4]!];
    await writeGzip(path.join(dir, 'R2-swapped.fastq.gz'), fastqText(swapped));
    const issues = await pair('R1.fastq.gz', 'R2-swapped.fastq.gz');
    expect(codes(issues)).toEqual(['FASTQ_PAIR_NAME_MISMATCH']);
    expect(issues[0]!.message).toContain('read 5 has another name than read 5 of R1.fastq.gz');
    // Messages never quote the file's content.
    expect(issues[0]!.message).not.toMatch(/read[45]\//);
  });

  it('leaves a corrupt mate to its own inspection', async () => {
    expect(await pair('R1.fastq.gz', 'cut.fastq.gz')).toEqual([]);
  });
});
