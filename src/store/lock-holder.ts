/**
 * What a `<target>.lock` left on disk says about its holder. The current lock is an empty folder
 * whose mtime its holder refreshes; two earlier hand-made formats may still be met during an
 * upgrade: a file made with O_EXCL (catalogue and claims, never refreshed, counted stale after
 * 60 s) and a folder holding `owner.json` (the demo cache: the maker's pid, start time and host).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive, type PidRecord } from '../platform/process.ts';
import { readJsonIfExists } from './atomic.ts';

/** How old an earlier-format lock file was when its holder was counted dead. */
const LEGACY_FILE_STALE_MS = 60_000;

export interface LockHolder {
  state: 'none' | 'alive' | 'dead';
  /** An earlier format, which proper-lockfile cannot judge or remove. */
  legacy: boolean;
}

export async function lockHolder(lock: string, staleMs: number): Promise<LockHolder> {
  const stat = await fs.lstat(lock).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (stat === null) return { state: 'none', legacy: false };
  const age = Date.now() - stat.mtimeMs;
  if (!stat.isDirectory())
    return { state: age > LEGACY_FILE_STALE_MS ? 'dead' : 'alive', legacy: true };
  const owner = (await readJsonIfExists(path.join(lock, 'owner.json'))) as PidRecord | undefined;
  if (owner === undefined) return { state: age > staleMs ? 'dead' : 'alive', legacy: false };
  // A maker on another host cannot be checked from here: it counts as alive, as it always did.
  const alive = owner.meta?.host !== os.hostname() || isProcessAlive(owner.pid, owner.startTime);
  return { state: alive ? 'alive' : 'dead', legacy: true };
}
