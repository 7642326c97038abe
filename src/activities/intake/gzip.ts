/**
 * Reading submitted files without holding them in memory and without trusting them: magic
 * bytes, line streams over zlib (bounded in line length, decompressed size and gzip ratio), the
 * BGZF end-of-file marker, and the runner for the external readers (bgzip, samtools, bcftools):
 * argv arrays, the opened descriptor as their input, a CPU limit, a deadline, cancellation,
 * heartbeats, and stderr kept for messages.
 */
import { execa } from 'execa';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CancelledFailure } from '@temporalio/common';
import { MissingDependencyError } from '../../errors.ts';
import { descriptorPath } from '../../platform/process.ts';
import { chunksOf } from '../../store/checksums.ts';
import {
  BudgetExceededError,
  LineTooLongError,
  checkBudget,
  checkDecompressed,
  type Budget,
} from './budget.ts';

/** zlib could not decode the stream: corrupt or truncated gzip. Bad input, not a bug. */
export class GzipCorruptError extends Error {
  override readonly name = 'GzipCorruptError';
}

/** The first `length` bytes of an open file (fewer if the file is shorter). */
export async function readHead(handle: FileHandle, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, 0);
  return buffer.subarray(0, bytesRead);
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
export async function hasBgzfEof(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size < BGZF_EOF.length) return false;
  const tail = Buffer.alloc(BGZF_EOF.length);
  await handle.read(tail, 0, tail.length, size - tail.length);
  return tail.equals(BGZF_EOF);
}

/**
 * Lines of an open file, gunzipped when it starts with the gzip magic (concatenated members, as
 * in BGZF, included). Lines are decoded as latin1 so every byte stays visible to the checks.
 * Iteration throws `GzipCorruptError` when zlib fails (truncation, bad CRC, bad data),
 * `LineTooLongError`, `DecompressedTooLargeError`, `BudgetExceededError`, or `CancelledFailure`.
 */
export class LineReader {
  private lines: string[] = [];
  private index = 0;
  private ended = false;
  private readonly batches: AsyncGenerator<string[]>;
  /** 1-based number of the line last taken. */
  lineNumber = 0;

  constructor(handle: FileHandle, budget: Budget) {
    this.batches = lineBatches(handle, budget);
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

async function* lineBatches(handle: FileHandle, budget: Budget): AsyncGenerator<string[]> {
  const gzip = isGzip(await readHead(handle, 2));
  // Positional reads from 0: the descriptor is shared with the other checks of the file.
  let compressed = 0;
  const source = Readable.from(
    (async function* () {
      for await (const chunk of chunksOf(handle)) {
        compressed += chunk.length;
        yield chunk;
      }
    })(),
  );
  let stream: Readable = source;
  if (gzip) {
    const gunzip = createGunzip();
    source.on('error', (error) => gunzip.destroy(error));
    stream = source.pipe(gunzip);
  }
  const maxLine = budget.limits.maxLineBytes;
  // The unfinished last line, in pieces: joined once its end arrives (never re-split).
  let partial: string[] = [];
  let partialLength = 0;
  let decompressed = 0;
  let lineNumber = 0;
  try {
    for await (const chunk of stream) {
      checkBudget(budget);
      const text = (chunk as Buffer).toString('latin1');
      decompressed += text.length;
      if (gzip) checkDecompressed(budget, decompressed, compressed);
      const lines = text.split('\n');
      const last = lines.pop() ?? '';
      if (lines.length > 0) {
        lines[0] = partial.join('') + lines[0]!;
        partial = [];
        partialLength = 0;
        for (const line of lines) {
          lineNumber += 1;
          if (line.length > maxLine) throw new LineTooLongError(lineNumber, maxLine);
        }
        yield lines;
      }
      if (last !== '') {
        partial.push(last);
        partialLength += last.length;
        if (partialLength > maxLine) throw new LineTooLongError(lineNumber + 1, maxLine);
      }
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
  if (partialLength > 0) yield [partial.join('')];
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
  budget: Budget;
  env?: Record<string, string>;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
}

/**
 * The name under which a tool opens the very file this process holds open (Linux: this
 * process's descriptor in /proc, which the tool reopens: the same inode, whatever the name in
 * the submission leads to now); elsewhere its real path.
 */
export function toolInput(handle: FileHandle, realPath: string): string {
  return descriptorPath(handle.fd) ?? realPath;
}

const HEARTBEAT_MS = 5_000;
const MAX_TOOL_LINE = 1 << 20;
const KEPT_STDERR_LINES = 200;

/**
 * Runs a reader tool to its end under the budget: `prlimit --cpu` caps its CPU time, the
 * deadline its wall time, and the activity's cancellation kills it. Failure to read the input
 * is data (exit code, crash signal, stderr); a missing tool or an outside kill is thrown, and
 * so are BudgetExceededError and CancelledFailure.
 */
export async function runTool(
  command: string,
  args: readonly string[],
  options: ToolOptions,
): Promise<ToolRun> {
  const { budget } = options;
  checkBudget(budget);
  const remainingMs = Math.max(1000, budget.deadline - Date.now());
  const cpuSeconds = Math.max(1, Math.ceil(remainingMs / 1000));
  // Soft limit: SIGXCPU (the budget); hard limit a little later: SIGKILL for a tool that ignores it.
  const cpu = `--cpu=${cpuSeconds}:${cpuSeconds + 5}`;
  const child = execa('prlimit', [cpu, '--', command, ...args], {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    timeout: remainingMs,
    ...(budget.signal ? { cancelSignal: budget.signal } : {}),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const timer = setInterval(budget.heartbeat, HEARTBEAT_MS);
  try {
    const [result] = await Promise.all([
      child,
      eachLine(child.stdout, (line) => (options.onStdoutLine ?? ((l) => stdout.push(l)))(line)),
      eachLine(child.stderr, (line) => {
        if (stderr.length < KEPT_STDERR_LINES) stderr.push(line);
        options.onStderrLine?.(line);
      }),
    ]);
    if (result.isCanceled) throw new CancelledFailure('intake stopped: its activity was cancelled');
    if (result.timedOut || result.signal === 'SIGXCPU')
      throw new BudgetExceededError(budget.seconds);
    const missing = result.exitCode === 127 && stderr.some((l) => l.includes('failed to execute'));
    if (
      result.code === 'ENOENT' ||
      missing ||
      (result.exitCode === undefined && result.signal === undefined)
    ) {
      throw new MissingDependencyError(
        `cannot run ${command} (${result.code ?? 'not found'}): is it installed and on PATH?`,
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
    budget.heartbeat();
  }
}

async function eachLine(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (stream === null) return;
  stream.setEncoding('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const lines = (rest + (chunk as string)).split('\n');
    // A tool's line without an end (a hostile header) is kept to its first MiB.
    rest = (lines.pop() ?? '').slice(0, MAX_TOOL_LINE);
    for (const line of lines) onLine(line.slice(0, MAX_TOOL_LINE));
  }
  if (rest !== '') onLine(rest);
}
