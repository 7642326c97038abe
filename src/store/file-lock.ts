/**
 * A lock file beside a record, so read-modify-write updates of one catalogue record from several
 * worker processes do not lose each other's changes. A lock older than `staleMs` is taken over
 * (its holder died).
 */
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export async function withFileLock<T>(
  target: string,
  fn: () => Promise<T>,
  staleMs = 60_000,
): Promise<T> {
  const lock = `${target}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await fs.open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stat = await fs.stat(lock).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > staleMs) await fs.rm(lock, { force: true });
      if (attempt > 600) throw new Error(`could not lock ${target}: ${lock} is held`);
      await sleep(50 + Math.floor(Math.random() * 50));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}
