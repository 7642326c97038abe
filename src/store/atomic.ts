/**
 * Atomic writes (docs/storage.md): temporary name in the same directory, fsync, rename, fsync of
 * the directory. A reader sees the old content or the new, never half of either.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

function tempSibling(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A new temporary file beside `target` holding `data`, synced to disk; returns its path. */
async function writeSyncedSibling(
  target: string,
  data: string | Uint8Array,
  mode: number,
): Promise<string> {
  const tmp = tempSibling(target);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return tmp;
}

export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = await writeSyncedSibling(target, data, mode);
  try {
    await fs.rename(tmp, target);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(target));
}

/**
 * Writes `target` only if nothing is there yet, whole or not at all (a synced temporary file
 * linked into place): true when this call made it, false when it existed. Of two processes that
 * race, on one host or over NFS, exactly one gets true.
 */
export async function createFileExclusive(target: string, data: string): Promise<boolean> {
  const tmp = await writeSyncedSibling(target, data, 0o644);
  try {
    await fs.link(tmp, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(tmp, { force: true });
  }
  await fsyncDir(path.dirname(target));
  return true;
}

export async function writeJsonAtomic(target: string, value: unknown, mode = 0o644): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** Points `link` at `target` atomically (a new symlink renamed over the old one). */
export async function switchSymlink(link: string, target: string): Promise<void> {
  const tmp = tempSibling(link);
  await fs.symlink(target, tmp);
  try {
    await fs.rename(tmp, link);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(link));
}

/** fsyncs a finished file (outputs made by tools are synced before they are published). */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export async function readJsonIfExists(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
