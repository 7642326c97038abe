import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLockTimeoutError, withFileLock } from '../../src/store/file-lock.ts';
import { waitFor } from '../helpers/wait.ts';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-file-lock-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs `holders` holders of one lock at once; answers the most that were ever inside at once. */
async function mostInsideAtOnce(target: string, holders: number, holdMs: number, staleMs?: number) {
  let inside = 0;
  let most = 0;
  const hold = () =>
    withFileLock(
      target,
      async () => {
        inside++;
        most = Math.max(most, inside);
        await sleep(holdMs);
        inside--;
      },
      { waitMs: 30_000, ...(staleMs === undefined ? {} : { staleMs }) },
    );
  await Promise.all(Array.from({ length: holders }, hold));
  return most;
}

describe('withFileLock', () => {
  it('lets one holder in at a time and removes the lock after', async () => {
    const target = path.join(dir, 'record.json');
    expect(await mostInsideAtOnce(target, 4, 100)).toBe(1);
    await expect(fs.access(`${target}.lock`)).rejects.toThrow();
  });

  it('keeps a holder that runs past the stale time, refreshing its lock', async () => {
    const target = path.join(dir, 'long.json');
    // Each holds 2.5 s with a 2 s stale time: only the refresh keeps the other out.
    expect(await mostInsideAtOnce(target, 2, 2500, 2000)).toBe(1);
  });

  it('excludes another process holding the same lock', async () => {
    const target = path.join(dir, 'shared.json');
    const marker = path.join(dir, 'child-inside');
    const script = `
      import { writeFile, rm } from 'node:fs/promises';
      import { setTimeout as sleep } from 'node:timers/promises';
      import { withFileLock } from ${JSON.stringify(path.resolve('src/store/file-lock.ts'))};
      await withFileLock(${JSON.stringify(target)}, async () => {
        await writeFile(${JSON.stringify(marker)}, '');
        await sleep(1000);
        await rm(${JSON.stringify(marker)});
      });`;
    const child = execa('node', ['--import', 'tsx', '--input-type=module', '-e', script]);
    await waitFor(
      () =>
        fs.access(marker).then(
          () => true,
          () => false,
        ),
      {
        what: 'the child process to hold the lock',
      },
    );
    const sawChild = await withFileLock(target, () =>
      fs.access(marker).then(
        () => true,
        () => false,
      ),
    );
    expect(sawChild).toBe(false);
    await child;
  });

  it('takes over a lock its holder stopped refreshing, and says so', async () => {
    const target = path.join(dir, 'orphaned.json');
    await fs.mkdir(`${target}.lock`);
    const long = new Date(Date.now() - 60_000);
    await fs.utimes(`${target}.lock`, long, long);
    const takenOver: string[] = [];
    expect(
      await withFileLock(target, () => Promise.resolve('mine'), {
        onTakeOver: (l) => takenOver.push(l),
      }),
    ).toBe('mine');
    expect(takenOver).toEqual([`${target}.lock`]);
  });

  it('takes over a lock of a process that was killed while holding it', async () => {
    const target = path.join(dir, 'killed.json');
    const script = `
      import { withFileLock } from ${JSON.stringify(path.resolve('src/store/file-lock.ts'))};
      await withFileLock(${JSON.stringify(target)}, async () => {
        process.stdout.write('held\\n');
        // A pending promise alone lets node exit: an interval keeps the holder running.
        await new Promise(() => setInterval(() => {}, 1000));
      });`;
    const child = execa('node', ['--import', 'tsx', '--input-type=module', '-e', script]);
    await waitFor(
      () =>
        fs.access(`${target}.lock`).then(
          () => true,
          () => false,
        ),
      {
        what: 'the child process to take the lock',
      },
    );
    child.kill('SIGKILL');
    await child.catch(() => {});
    // SIGKILL runs no exit handler: the folder stays, unrefreshed.
    await fs.access(`${target}.lock`);
    const started = Date.now();
    expect(await withFileLock(target, () => Promise.resolve('mine'), { staleMs: 2000 })).toBe(
      'mine',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('takes over an earlier-format lock file left long ago', async () => {
    const target = path.join(dir, 'legacy.json');
    await fs.writeFile(`${target}.lock`, '12345\n');
    const long = new Date(Date.now() - 120_000);
    await fs.utimes(`${target}.lock`, long, long);
    expect(await withFileLock(target, () => Promise.resolve('mine'))).toBe('mine');
    await expect(fs.access(`${target}.lock`)).rejects.toThrow();
  });

  it('waits a bounded time and then fails naming the target', async () => {
    const target = path.join(dir, 'busy.json');
    let release!: () => void;
    const holding = withFileLock(target, () => new Promise<void>((r) => (release = r)));
    await waitFor(() => release, { what: 'the first holder to hold the lock' });
    const waits: string[] = [];
    const second = withFileLock(target, async () => {}, {
      waitMs: 300,
      onWait: (l) => waits.push(l),
    });
    await expect(second).rejects.toBeInstanceOf(FileLockTimeoutError);
    await expect(second).rejects.toThrow(`could not lock ${target}`);
    expect(waits).toEqual([`${target}.lock`]);
    release();
    await holding;
  });

  it('fails as the file system does when the folder is missing', async () => {
    const target = path.join(dir, 'no-such-folder', 'x.json');
    await expect(withFileLock(target, async () => {})).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
