/**
 * A digest of source files, naming what was made from them (a workflow bundle, a demo data set)
 * so that a cached copy is used only for the code that made it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Every regular file under `dir`, recursively, sorted. */
export async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

/** sha256 (32 hex digits) of `tag`, then each file's path relative to `root` and its content. */
export async function digestFiles(tag: string, root: string, files: string[]): Promise<string> {
  const hash = createHash('sha256').update(tag).update('\0');
  for (const file of files) {
    hash.update(path.relative(root, file)).update('\0');
    hash.update(await fs.readFile(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}
