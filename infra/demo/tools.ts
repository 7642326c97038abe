// The demo generator's I/O helpers: external tools via execa, fsync'd and renamed writes, mapLimit.
import { constants } from 'node:fs';
import { access, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/** Tool → the Debian package that provides it. */
const TOOLS: Record<string, string> = {
  bwa: 'bwa',
  samtools: 'samtools',
  bcftools: 'bcftools',
  tabix: 'tabix',
  dwgsim: 'dwgsim',
};

export class MissingToolError extends Error {
  override readonly name = 'MissingToolError';
  constructor(readonly tool: string) {
    super(`demo data: '${tool}' is not on PATH; install the Debian package '${TOOLS[tool]}'`);
  }
}

export const exists = (p: string, mode = constants.F_OK) =>
  access(p, mode)
    .then(() => true)
    .catch(() => false);

export async function assertTools(): Promise<void> {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  for (const tool of Object.keys(TOOLS)) {
    const found = await Promise.all(dirs.map((d) => exists(path.join(d, tool), constants.X_OK)));
    if (!found.includes(true)) throw new MissingToolError(tool);
  }
}

/** Renames a staged folder into place; false if someone else put one there first. */
export async function publish(staging: string, dest: string): Promise<boolean> {
  try {
    await rename(staging, dest);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw err;
  }
}

export async function run(tool: string, args: string[], cwd?: string): Promise<string> {
  const result = await execa(tool, args, {
    ...(cwd ? { cwd } : {}),
    reject: false,
    stdin: 'ignore',
  });
  if (result.failed) {
    if ((result as { code?: string }).code === 'ENOENT') throw new MissingToolError(tool);
    throw new Error(
      `${tool} ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.stderr.slice(-2000)}`,
    );
  }
  return result.stderr;
}

/** Writes a file and fsyncs it. */
export async function writeDurable(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeDurable(tmp, data);
  await rename(tmp, file);
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
