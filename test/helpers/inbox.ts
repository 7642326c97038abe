/** Writes small in-place submissions (manifest v1 + gzipped FASTQ pairs) for tests, and hashes an inbox. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface TestSample {
  sampleId: string;
  /** Replace a file's listed md5 with a wrong one. */
  corruptChecksum?: boolean;
  research?: boolean;
}

export async function writeSubmission(
  dataRoot: string,
  region: string,
  submissionId: string,
  samples: TestSample[],
  edit: (manifest: Record<string, unknown>) => void = () => undefined,
): Promise<string> {
  const dir = path.join(dataRoot, 'inbox', region, submissionId);
  await fs.mkdir(dir, { recursive: true });
  const entries = [];
  for (const sample of samples) {
    await fs.mkdir(path.join(dir, sample.sampleId), { recursive: true });
    const files = [];
    for (const [kind, suffix] of [
      ['fastq-r1', 'R1'],
      ['fastq-r2', 'R2'],
    ] as const) {
      const rel = `${sample.sampleId}/${sample.sampleId}_${suffix}.fastq.gz`;
      const mate = suffix === 'R1' ? 1 : 2;
      const content = gzipSync(
        [1, 2, 3]
          .map((n) => `@${sample.sampleId}-read${n}/${mate}\nACGTACGTNN\n+\nIIIIIIIII#\n`)
          .join(''),
      );
      await fs.writeFile(path.join(dir, rel), content);
      const md5 = createHash('md5').update(content).digest('hex');
      files.push({
        path: rel,
        kind,
        md5: sample.corruptChecksum && suffix === 'R2' ? '0'.repeat(32) : md5,
      });
    }
    entries.push({
      sampleId: sample.sampleId,
      readType: 'short',
      consent: { research: sample.research ?? true },
      files,
    });
  }
  const manifest: Record<string, unknown> = {
    schema: 'harmonise.submission/v1',
    region,
    submissionId,
    pipeline: { name: 'test-germline', version: '1.0.0' },
    samples: entries,
  };
  edit(manifest);
  await fs.writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/**
 * sha256 over every path, mode and content under a folder: equal before and after means
 * untouched. `skip`: paths relative to the folder left out, with what is under them.
 */
export async function hashTree(dir: string, options: { skip?: string[] } = {}): Promise<string> {
  const hash = createHash('sha256');
  const skip = new Set(options.skip);
  async function walk(current: string): Promise<void> {
    const names = (await fs.readdir(current)).sort();
    for (const name of names) {
      const full = path.join(current, name);
      if (skip.has(path.relative(dir, full))) continue;
      const stat = await fs.lstat(full);
      hash.update(`${path.relative(dir, full)}\0${stat.mode}\0${stat.mtimeMs}\0`);
      if (stat.isDirectory()) await walk(full);
      else if (stat.isSymbolicLink()) hash.update(await fs.readlink(full));
      else if (stat.isFile()) hash.update(await fs.readFile(full));
      // A FIFO, socket or device: its name and mode say it all (reading one could block).
    }
  }
  await walk(dir);
  return hash.digest('hex');
}
