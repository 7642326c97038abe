/**
 * Opening what a region submitted without trusting its names: a listed file is looked at with
 * stat first (a FIFO, a device or a folder is refused before it is opened, let alone read), then
 * opened non-blocking, and the opened descriptor itself is checked: it must be a regular file,
 * the same one stat saw, and lie inside the submission folder (its real path, read from
 * /proc/self/fd, not from the name). Its identity (device, inode, size, mtime) is what later
 * steps compare against, and jobs check it again before they read the file.
 */
import { constants, type BigIntStats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { FileIdentity } from '../../domain/file-facts.ts';
import { descriptorTarget } from '../../platform/process.ts';
import { identityOf, kindOf } from '../../store/file-identity.ts';

export type { FileIdentity };

export interface OpenedFile {
  handle: FileHandle;
  /** The opened file's real path (inside the submission folder). */
  real: string;
  identity: FileIdentity;
}

export type OpenResult =
  { ok: true; file: OpenedFile } | { ok: false; code: string; message: string };

/** A failed lstat/stat/open as the file's problem; an error that is not about the file is thrown. */
function refusedBy(error: unknown, relative: string, loop: string): OpenResult {
  const code = (error as NodeJS.ErrnoException).code;
  const refuse = (problem: string, message: string): OpenResult => ({
    ok: false,
    code: problem,
    message,
  });
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return refuse('FILE_MISSING', `${relative} does not exist in the submission`);
  if (code === 'ELOOP') {
    return loop === 'FILE_SYMLINK'
      ? refuse(loop, `${relative} is a symbolic link; it must be the file itself`)
      : refuse(loop, `${relative} is a loop of symbolic links`);
  }
  if (code === 'EACCES')
    return refuse('FILE_UNREADABLE', `${relative} cannot be read by NGC (permission denied)`);
  throw error;
}

function inFolder(real: string, folder: string): boolean {
  const relative = path.relative(folder, real);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The real path of an open descriptor (Linux: /proc/self/fd), or of the name elsewhere. */
async function realPathOf(handle: FileHandle, name: string): Promise<string> {
  try {
    return await descriptorTarget(handle.fd);
  } catch {
    return fs.realpath(name);
  }
}

/**
 * Opens `relative` (as listed in the manifest) inside the submission folder `realDir` (already
 * resolved). Symbolic links are followed only while they stay inside the folder; `noFollow`
 * refuses a link as the last component at all (the manifest itself).
 */
export async function openInside(
  realDir: string,
  relative: string,
  options: { noFollow?: boolean } = {},
): Promise<OpenResult> {
  const name = path.join(realDir, relative);
  const refuse = (code: string, message: string): OpenResult => ({ ok: false, code, message });
  let before: BigIntStats;
  try {
    const link = await fs.lstat(name, { bigint: true });
    if (link.isSymbolicLink() && options.noFollow) {
      return refuse('FILE_SYMLINK', `${relative} is a symbolic link; it must be the file itself`);
    }
    if (link.isSymbolicLink() && !inFolder(await fs.realpath(name), realDir)) {
      // Never even opened: a link out of the folder is refused by its target's name first.
      return refuse(
        'FILE_OUTSIDE_SUBMISSION',
        `${relative} is a symbolic link that leads outside the submission folder`,
      );
    }
    before = link.isSymbolicLink() ? await fs.stat(name, { bigint: true }) : link;
  } catch (error) {
    return refusedBy(error, relative, 'FILE_OUTSIDE_SUBMISSION');
  }
  if (!before.isFile()) {
    return refuse('FILE_NOT_REGULAR', `${relative} is ${kindOf(before)}, not a regular file`);
  }
  let handle: FileHandle;
  try {
    const flags =
      constants.O_RDONLY |
      constants.O_NONBLOCK |
      constants.O_NOCTTY |
      (options.noFollow ? constants.O_NOFOLLOW : 0);
    handle = await fs.open(name, flags);
  } catch (error) {
    // ELOOP here: O_NOFOLLOW met a link that appeared since lstat.
    return refusedBy(error, relative, 'FILE_SYMLINK');
  }
  try {
    const opened = await handle.stat({ bigint: true });
    if (!opened.isFile()) {
      await handle.close();
      return refuse('FILE_NOT_REGULAR', `${relative} is ${kindOf(opened)}, not a regular file`);
    }
    if (opened.ino !== before.ino || opened.dev !== before.dev) {
      await handle.close();
      return refuse(
        'FILE_CHANGED_DURING_INTAKE',
        `${relative} was replaced while NGC was opening it; signal the submission again once it is complete`,
      );
    }
    const real = await realPathOf(handle, name);
    if (!inFolder(real, realDir)) {
      await handle.close();
      return refuse(
        'FILE_OUTSIDE_SUBMISSION',
        `${relative} is a symbolic link that leads outside the submission folder`,
      );
    }
    return { ok: true, file: { handle, real, identity: identityOf(opened) } };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
