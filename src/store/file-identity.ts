/**
 * A file's identity (device, inode, size, mtime; the host that read it): recorded by intake,
 * compared by every job before it reads a submitted file; and what stands at a path instead of
 * a regular file, in words.
 */
import type { BigIntStats } from 'node:fs';
import os from 'node:os';
import type { FileIdentity } from '../domain/file-facts.ts';

export function identityOf(stat: BigIntStats): FileIdentity {
  return {
    dev: stat.dev.toString(),
    ino: stat.ino.toString(),
    size: Number(stat.size),
    mtimeNs: stat.mtimeNs.toString(),
    host: os.hostname(),
  };
}

/** Same inode, size and mtime (and device, when both were read on one host). */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  const device = a.host !== b.host || a.dev === b.dev;
  return device && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** What is at a path instead of a regular file, in words. */
export function kindOf(
  stat: Pick<
    BigIntStats,
    'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'
  >,
): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
