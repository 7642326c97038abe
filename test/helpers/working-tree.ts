/**
 * A copy of this checkout's working tree (tracked and new files, not ignored ones), so that
 * uncommitted changes are what a test runs; files keep their modes.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config.ts';

export async function copyWorkingTree(to: string): Promise<void> {
  const listed = await execa(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: PROJECT_ROOT },
  );
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const from = path.join(PROJECT_ROOT, file);
    // Deleted in the working tree, not yet in the index.
    const stat = await fs.lstat(from).catch(() => null);
    if (!stat?.isFile()) continue;
    await fs.mkdir(path.dirname(path.join(to, file)), { recursive: true });
    await fs.copyFile(from, path.join(to, file));
    await fs.chmod(path.join(to, file), stat.mode & 0o777);
  }
}
