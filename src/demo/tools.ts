// The demo generator's I/O helpers: external tools via execa, fsync'd and renamed writes, mapLimit.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, copyFile, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { execa, type Options } from 'execa';

/** Tool → the Debian package that provides it. */
const TOOLS: Record<string, string> = {
  bwa: 'bwa',
  samtools: 'samtools',
  bcftools: 'bcftools',
  tabix: 'tabix',
  dwgsim: 'dwgsim',
  minimap2: 'minimap2',
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

const failure = (tool: string, args: readonly string[], exitCode: unknown, stderr: string) =>
  new Error(`${tool} ${args.join(' ')} failed (exit ${String(exitCode)}):\n${stderr.slice(-2000)}`);

/** Runs a tool; its stdout is returned, or written to `stdoutFile` (a path, not a header). */
export async function exec(
  tool: string,
  args: readonly string[],
  opts: { cwd?: string; stdoutFile?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  const result = await execa(tool, args, {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.stdoutFile ? { stdout: { file: opts.stdoutFile } } : {}),
    reject: false,
    stdin: 'ignore',
  });
  if (result.failed) {
    if ((result as { code?: string }).code === 'ENOENT') throw new MissingToolError(tool);
    throw failure(tool, args, result.exitCode, result.stderr);
  }
  return { stdout: typeof result.stdout === 'string' ? result.stdout : '', stderr: result.stderr };
}

/** Runs a tool and returns its stderr (where the genomics tools report). */
export async function run(tool: string, args: string[], cwd?: string): Promise<string> {
  return (await exec(tool, args, cwd ? { cwd } : {})).stderr;
}

/**
 * `a | b | c` without a shell: each step's stdout feeds the next one's stdin. The last step writes
 * its own output file (its stdout is discarded).
 */
export async function runPipeline(
  steps: readonly (readonly [string, readonly string[]])[],
  cwd: string,
): Promise<void> {
  const procs = steps.map(([tool, args], i) => {
    const options: Options = {
      cwd,
      reject: false,
      stdin: i === 0 ? 'ignore' : 'pipe',
      stdout: i === steps.length - 1 ? 'ignore' : 'pipe',
      // Intermediate streams (SAM, BCF) are large: pass them on, never buffer them.
      buffer: { stdout: false, stderr: true },
    };
    return execa(tool, args, options);
  });
  for (let i = 1; i < procs.length; i++) procs[i - 1]!.stdout!.pipe(procs[i]!.stdin!);
  // Without a shell nobody sends SIGPIPE: when a step ends, close what feeds it, so the step
  // before cannot block on a full pipe; when one fails, stop them all. Report the first failure.
  let failedFirst: number | undefined;
  procs.forEach((proc, i) => {
    void proc.then((result) => {
      if (result.failed) {
        failedFirst ??= i;
        for (const other of procs) other.kill();
      } else if (i > 0) {
        procs[i - 1]!.stdout!.destroy();
      }
    });
  });
  const results = await Promise.all(procs);
  if (failedFirst === undefined) return;
  const [tool, args] = steps[failedFirst]!;
  const result = results[failedFirst]!;
  if ((result as { code?: string }).code === 'ENOENT') throw new MissingToolError(tool);
  throw failure(tool, args, result.exitCode, String(result.stderr));
}

export interface Checksums {
  md5: string;
  sha256: string;
}

export const checksumsOf = (data: Uint8Array): Checksums => ({
  md5: createHash('md5').update(data).digest('hex'),
  sha256: createHash('sha256').update(data).digest('hex'),
});

export const fileChecksums = async (file: string): Promise<Checksums> =>
  checksumsOf(await readFile(file));

const gzipAsync = promisify(gzip);

/** Gzips with Node's zlib (no timestamp, so deterministic), writes durably, returns checksums. */
export async function writeGzip(file: string, plain: Uint8Array): Promise<Checksums> {
  // Level 1: FASTQ at level 6 is ~10× slower for ~12% smaller files; the demo wants speed.
  const packed = await gzipAsync(plain, { level: 1 });
  await writeDurable(file, packed);
  return checksumsOf(packed);
}

/** Moves a file, copying when the destination is on another file system. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
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
