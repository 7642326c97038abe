/**
 * Bounded inspection: every submitted file is read within limits (line length, decompressed
 * size, gzip ratio) and a time and CPU budget that grows with its size, and stops as soon as
 * its activity is cancelled (its workflow cancelled or terminated, or the attempt timed out).
 * A file that breaks a limit rejects its sample with the limit's code; nothing reads forever.
 */
import { CancelledFailure } from '@temporalio/common';

export interface IntakeLimits {
  /** A FASTQ or VCF line longer than this is refused (a line with no end is a bomb). */
  maxLineBytes: number;
  /** Decompressed bytes per compressed byte above which a gzip file is refused; 0: no limit. */
  maxGzipRatio: number;
  /** Decompressed bytes of one file above which it is refused. */
  maxDecompressedBytes: number;
  /** Every file inspection may take this long (and as much CPU), plus secondsPerGiB per GiB. */
  secondsPerFile: number;
  secondsPerGiB: number;
}

/** The ratio is judged only once this much was decompressed: small files have noisy ratios. */
export const RATIO_GRACE_BYTES = 16 * 2 ** 20;

/** What an inspection runs under: its activity's heartbeat and cancellation, and the limits. */
export interface Inspector {
  heartbeat: () => void;
  signal?: AbortSignal | undefined;
  limits: IntakeLimits;
}

/** One file's (or pair's) share: a deadline and as many CPU seconds for the tools it runs. */
export interface Budget extends Inspector {
  deadline: number;
  seconds: number;
}

export function budgetFor(inspector: Inspector, bytes: number): Budget {
  const { secondsPerFile, secondsPerGiB } = inspector.limits;
  const seconds = Math.ceil(secondsPerFile + (bytes / 2 ** 30) * secondsPerGiB);
  return { ...inspector, seconds, deadline: Date.now() + seconds * 1000 };
}

/** The inspection took longer (or more CPU) than its budget. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  constructor(readonly seconds: number) {
    super(`reading it took longer than its budget of ${seconds} s`);
  }
}

/** A line longer than the limit (no line end within it). */
export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
  constructor(
    readonly line: number,
    readonly limit: number,
  ) {
    super(`line ${line} is longer than ${limit} bytes`);
  }
}

/** More decompressed data than the limits allow. */
export class DecompressedTooLargeError extends Error {
  override readonly name = 'DecompressedTooLargeError';
}

/** Throws when the activity was cancelled. */
export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledFailure('intake stopped: its activity was cancelled');
}

/** Throws when the activity was cancelled or the budget is spent; call it between chunks. */
export function checkBudget(budget: Budget): void {
  checkCancelled(budget.signal);
  if (Date.now() > budget.deadline) throw new BudgetExceededError(budget.seconds);
}

/** Throws when `decompressed` bytes out of `compressed` break the size or ratio limit. */
export function checkDecompressed(budget: Budget, decompressed: number, compressed: number): void {
  const { maxDecompressedBytes, maxGzipRatio } = budget.limits;
  if (decompressed > maxDecompressedBytes) {
    throw new DecompressedTooLargeError(
      `it decompresses to more than ${formatBytes(maxDecompressedBytes)}, NGC's limit per file`,
    );
  }
  if (
    maxGzipRatio > 0 &&
    decompressed > RATIO_GRACE_BYTES &&
    decompressed > maxGzipRatio * Math.max(compressed, 1)
  ) {
    throw new DecompressedTooLargeError(
      `${formatBytes(compressed)} of it decompress to ${formatBytes(decompressed)}, more than ${maxGzipRatio} times their size: it is not sequence data (a decompression bomb?)`,
    );
  }
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
