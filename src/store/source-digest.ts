/**
 * A digest of source files, naming what was made from them (a workflow bundle, a compiled build,
 * a demo data set) so that a cached copy is used only for the code that made it. Synchronous:
 * the CLI computes one at every start, where the promise-based file calls took three times as long.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every regular file under `dir`, recursively, sorted. */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(full));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

/** sha256 (32 hex digits) of `tag`, then each file's path relative to `root` and its content. */
export function digestFiles(tag: string, root: string, files: string[]): string {
  const hash = createHash('sha256').update(tag).update('\0');
  for (const file of files) {
    hash.update(path.relative(root, file)).update('\0');
    hash.update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}
