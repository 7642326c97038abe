/**
 * The project's one inter-process lock, `<target>.lock`: a folder made by proper-lockfile (mkdir
 * is atomic, on NFS too) whose mtime the holder refreshes while it holds the lock, so a lock left
 * unrefreshed for `staleMs` was left by a holder that died, however long a live holder runs.
 * Waiting is bounded; a lock still held at the end is a `FileLockTimeoutError` naming the target.
 * Used for read-modify-write updates of one record from several worker processes (catalogue,
 * claims, frequency batches) and for the demo cache's one maker of an entry.
 */
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock as takeLock } from 'proper-lockfile';
import { lockHolder } from './lock-holder.ts';

/** A lock unrefreshed this long was left by a holder that has ended. */
const STALE_MS = 30_000;
/** How often a holder refreshes its lock: tolerates event-loop stalls of about 25 s. */
const UPDATE_MS = 5_000;
const DEFAULT_WAIT_MS = 60_000;
const MAX_POLL_MS = 500;

export interface FileLockOptions {
  /** How long to wait for another holder before failing (default 60 s). */
  waitMs?: number;
  /** Staleness threshold of an unrefreshed lock (default 30 s; at least 2 s). */
  staleMs?: number;
  /** Told once, when the lock is found held by someone else and waiting begins. */
  onWait?: (lock: string) => void;
  /** Told when a lock left by a holder that has ended is taken over. */
  onTakeOver?: (lock: string) => void;
}

export class FileLockTimeoutError extends Error {
  override readonly name = 'FileLockTimeoutError';
  constructor(
    readonly target: string,
    readonly lock: string,
    waitedMs: number,
  ) {
    super(`could not lock ${target}: ${lock} is held (waited ${Math.round(waitedMs / 1000)} s)`);
  }
}

export class FileLockCompromisedError extends Error {
  override readonly name = 'FileLockCompromisedError';
  constructor(
    readonly target: string,
    cause: Error,
  ) {
    super(`the lock of ${target} was lost while held: ${cause.message}`, { cause });
  }
}

/** Runs `fn` holding `<target>.lock`; the folder holding `target` must exist. */
export async function withFileLock<T>(
  target: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  let lost: Error | undefined;
  const release = await acquire(target, options, (error) => (lost = error));
  let result: T;
  try {
    result = await fn();
  } finally {
    // A lost lock is already released (the library says ERELEASED): nothing to remove.
    await release().catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ERELEASED') throw error;
    });
  }
  if (lost) throw new FileLockCompromisedError(target, lost);
  return result;
}

async function acquire(
  target: string,
  options: FileLockOptions,
  onCompromised: (error: Error) => void,
): Promise<() => Promise<void>> {
  const lock = `${target}.lock`;
  const staleMs = options.staleMs ?? STALE_MS;
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const holder = await lockHolder(lock, staleMs);
    if (holder.state === 'dead') {
      options.onTakeOver?.(lock);
      // proper-lockfile removes its own stale folders; earlier formats are removed here.
      if (holder.legacy) await fs.rm(lock, { recursive: true, force: true });
    }
    if (!(holder.legacy && holder.state === 'alive')) {
      const release = await takeLock(target, {
        lockfilePath: lock,
        realpath: false,
        stale: staleMs,
        update: Math.min(UPDATE_MS, staleMs / 2),
        onCompromised,
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ELOCKED') return null;
        throw error;
      });
      if (release) return release;
    }
    const waited = Date.now() - started;
    if (waited >= waitMs) throw new FileLockTimeoutError(target, lock, waited);
    if (attempt === 0) options.onWait?.(lock);
    // 50-100 ms at first, doubling to at most MAX_POLL_MS, never past the deadline.
    const poll = Math.min(MAX_POLL_MS, 50 * 2 ** Math.min(attempt, 4)) * (1 + Math.random());
    await sleep(Math.max(1, Math.min(poll, waitMs - waited)));
  }
}
