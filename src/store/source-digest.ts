/**
 * A digest of source files, naming what was made from them (a workflow bundle, a compiled build,
 * a demo data set) so that a cached copy is used only for the code that made it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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

/** `filesUnder`, synchronously: for the CLI's start, where it takes a third of the time. */
export function filesUnderSync(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnderSync(full));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

/** sha256 (32 hex digits) of `tag`, then each file's path relative to `root` and its content. */
export async function digestFiles(tag: string, root: string, files: string[]): Promise<string> {
  const contents: Buffer[] = [];
  for (const file of files) contents.push(await fs.readFile(file));
  return digestContents(tag, root, files, contents);
}

/** `digestFiles`, synchronously (the same digest). */
export function digestFilesSync(tag: string, root: string, files: string[]): string {
  return digestContents(
    tag,
    root,
    files,
    files.map((file) => readFileSync(file)),
  );
}

function digestContents(tag: string, root: string, files: string[], contents: Buffer[]): string {
  const hash = createHash('sha256').update(tag).update('\0');
  files.forEach((file, i) => {
    hash.update(path.relative(root, file)).update('\0');
    hash.update(contents[i]!).update('\0');
  });
  return hash.digest('hex').slice(0, 32);
}
