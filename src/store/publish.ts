/**
 * Publication of a finished directory (a sample version, a frequency release): built under a
 * staging name beside its destination, synced, then renamed into place in one step. A published
 * directory is never overwritten: publishing to an existing one reports that it exists.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, fsyncFile, pathExists } from './atomic.ts';

export type PublishResult = 'published' | 'exists';

export async function publishDirectory(
  dest: string,
  build: (staging: string) => Promise<void>,
): Promise<PublishResult> {
  if (await pathExists(dest)) return 'exists';
  const parent = path.dirname(dest);
  await fs.mkdir(parent, { recursive: true });
  const prefix = `.${path.basename(dest)}.staging-`;
  // Left by a publisher that died mid-way; each destination has one publisher at a time.
  for (const name of await fs.readdir(parent)) {
    if (name.startsWith(prefix))
      await fs.rm(path.join(parent, name), { recursive: true, force: true });
  }
  const staging = path.join(parent, `${prefix}${randomBytes(4).toString('hex')}`);
  await fs.mkdir(staging);
  try {
    await build(staging);
    for (const name of await fs.readdir(staging)) await fsyncFile(path.join(staging, name));
    await fsyncDir(staging);
    await fs.rename(staging, dest);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await pathExists(dest))) return 'exists';
    throw error;
  }
  await fsyncDir(parent);
  return 'published';
}

/** Hard-links a finished output into a staging directory; copies across file systems. */
export async function linkOrCopy(src: string, dst: string): Promise<void> {
  try {
    await fs.link(src, dst);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await fs.copyFile(src, dst);
  }
}
