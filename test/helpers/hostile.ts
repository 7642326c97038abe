/** Hostile input shared by the tests of every boundary. */
import fs from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

/** Ways to leave a folder, or to name something other than one id. */
export const TRAVERSALS = [
  '..',
  '.',
  '../x',
  '../../catalogue/PRB00A',
  '../../../escape-x',
  'a/../b',
  'a/b',
  '/etc',
  '/etc/passwd',
  '..\\..\\x',
  '%2e%2e%2f',
  '..%2f',
  '.hidden',
  '',
  ' ',
  'x\0y',
  'x\ny',
  '\u2024\u2024',
  '．．',
  'x'.repeat(300),
  '-rf',
] as const;

/**
 * A gzip bomb as the issue found it: a small file that inflates to `bytes` zeros, with no line
 * end anywhere (64 MiB of zeros are about 65 KB of gzip).
 */
export async function writeZeroBomb(file: string, bytes = 64 * 2 ** 20): Promise<void> {
  await fs.writeFile(file, gzipSync(Buffer.alloc(bytes), { level: 9 }));
}

/**
 * A bomb that is valid FASTQ: one gzip member of a record repeated to `memberMiB`, written
 * `members` times (concatenated members are one gzip stream). Parsing it all takes minutes;
 * only a limit stops it.
 */
export async function writeFastqBomb(file: string, members: number, memberMiB = 64): Promise<void> {
  const record =
    '@bomb/1\nACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT\n+\nIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII\n';
  const member = gzipSync(
    Buffer.from(record.repeat(Math.ceil((memberMiB * 2 ** 20) / record.length))),
    {
      level: 6,
    },
  );
  const handle = await fs.open(file, 'w');
  try {
    for (let i = 0; i < members; i++) await handle.write(member);
  } finally {
    await handle.close();
  }
}
