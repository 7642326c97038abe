/**
 * Reading submitted files without holding them in memory: magic bytes, line streams over zlib,
 * the BGZF end-of-file marker, and the runner for the external readers (gzip, bgzip, samtools,
 * bcftools) with argv arrays, heartbeats and stderr kept for messages.
 */
import { execa } from 'execa';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MissingDependencyError } from '../../errors.ts';

/** zlib could not decode the stream: corrupt or truncated gzip. Bad input, not a bug. */
export class GzipCorruptError extends Error {
  override readonly name = 'GzipCorruptError';
}

/** The first `length` bytes of a file (fewer if the file is shorter). */
export async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** BGZF: gzip with FEXTRA holding the `BC` subfield (SAM spec §4.1). */
export function isBgzf(head: Buffer): boolean {
  return (
    isGzip(head) &&
    head.length >= 14 &&
    (head[3]! & 0x04) !== 0 &&
    head.subarray(12, 14).toString('latin1') === 'BC'
  );
}

const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

/** Whether the file ends with the empty BGZF block that marks a complete file. */
export async function hasBgzfEof(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size < BGZF_EOF.length) return false;
    const tail = Buffer.alloc(BGZF_EOF.length);
    await handle.read(tail, 0, tail.length, size - tail.length);
    return tail.equals(BGZF_EOF);
  } finally {
    await handle.close();
  }
}

/**
 * Lines of a file, gunzipped when it starts with the gzip magic (concatenated members, as in
 * BGZF, included). Lines are decoded as latin1 so every byte stays visible to the checks.
 * Iteration throws `GzipCorruptError` when zlib fails (truncation, bad CRC, bad data).
 */
export class LineReader {
  private lines: string[] = [];
  private index = 0;
  private ended = false;
  private readonly batches: AsyncGenerator<string[]>;
  /** 1-based number of the line last taken. */
  lineNumber = 0;

  constructor(file: string) {
    this.batches = lineBatches(file);
  }

  /** Whether `count` lines can be taken without waiting (callers skip the await when so). */
  has(count: number): boolean {
    return this.lines.length - this.index >= count;
  }

  /** Reads until `count` lines are buffered or the file ends. */
  async want(count: number): Promise<void> {
    while (!this.has(count) && !this.ended) {
      const result = await this.batches.next();
      if (result.done === true) this.ended = true;
      else {
        this.lines = this.lines.slice(this.index).concat(result.value);
        this.index = 0;
      }
    }
  }

  /** The next buffered line; undefined when none is buffered (at the end, after `want`). */
  take(): string | undefined {
    if (this.index >= this.lines.length) return undefined;
    this.lineNumber += 1;
    return this.lines[this.index++];
  }

  async next(): Promise<string | undefined> {
    if (!this.has(1)) await this.want(1);
    return this.take();
  }

  /** Reads to the end without looking at lines: surfaces corruption later in the stream. */
  async drain(): Promise<void> {
    this.lines = [];
    this.index = 0;
    while (!this.ended) if ((await this.batches.next()).done === true) this.ended = true;
  }

  async close(): Promise<void> {
    await this.batches.return(undefined);
  }
}

async function* lineBatches(file: string): AsyncGenerator<string[]> {
  const gzip = isGzip(await readHead(file, 2));
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  let stream: Readable = source;
  if (gzip) {
    const gunzip = createGunzip();
    source.on('error', (error) => gunzip.destroy(error));
    stream = source.pipe(gunzip);
  }
  let rest = '';
  try {
    for await (const chunk of stream) {
      const text = rest + (chunk as Buffer).toString('latin1');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      if (lines.length > 0) yield lines;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new GzipCorruptError((error as Error).message);
    }
    throw error;
  } finally {
    stream.destroy();
    source.destroy();
  }
  if (rest !== '') yield [rest];
}

export interface ToolRun {
  /** Non-null when the tool ended normally. */
  exitCode: number | null;
  /** Set when a crash signal (SIGSEGV, SIGBUS, SIGABRT, …) ended the tool: a reading failure. */
  signal: string | null;
  /** All stdout lines, unless `onStdoutLine` took them. */
  stdout: string[];
  /** The first 200 stderr lines. */
  stderr: string[];
}

export interface ToolOptions {
  heartbeat: () => void;
  env?: Record<string, string>;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
}

const HEARTBEAT_MS = 5_000;
const KEPT_STDERR_LINES = 200;

/**
 * Runs a reader tool to its end. Failure to read the input is data (exit code, crash signal,
 * stderr); a missing tool or an outside kill (SIGKILL, SIGTERM) is thrown.
 */
export async function runTool(
  command: string,
  args: readonly string[],
  options: ToolOptions,
): Promise<ToolRun> {
  const child = execa(command, args, {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const timer = setInterval(options.heartbeat, HEARTBEAT_MS);
  try {
    const [result] = await Promise.all([
      child,
      eachLine(child.stdout, (line) => (options.onStdoutLine ?? ((l) => stdout.push(l)))(line)),
      eachLine(child.stderr, (line) => {
        if (stderr.length < KEPT_STDERR_LINES) stderr.push(line);
        options.onStderrLine?.(line);
      }),
    ]);
    if (
      result.code === 'ENOENT' ||
      (result.exitCode === undefined && result.signal === undefined)
    ) {
      const why = result.code ?? 'spawn failed';
      throw new MissingDependencyError(
        `cannot run ${command} (${why}): is it installed and on PATH?`,
      );
    }
    const signal = result.signal ?? null;
    if (signal !== null && ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP'].includes(signal)) {
      throw new Error(`${command} ${args.join(' ')} was killed by ${signal}`);
    }
    if (signal !== null) stderr.push(`${command} crashed (${signal})`);
    return { exitCode: result.exitCode ?? null, signal, stdout, stderr };
  } finally {
    clearInterval(timer);
    options.heartbeat();
  }
}

async function eachLine(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (stream === null) return;
  stream.setEncoding('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  }
  if (rest !== '') onLine(rest);
}
