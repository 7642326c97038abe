import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchSymlink, writeFileAtomic } from '../../src/store/atomic.ts';
import { publishDirectory } from '../../src/store/publish.ts';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-publish-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('publishDirectory', () => {
  it('makes the directory appear whole, and never overwrites a published one', async () => {
    const dest = path.join(root, 'samples', 'S01', '1');
    expect(
      await publishDirectory(dest, async (staging) => {
        await fs.writeFile(path.join(staging, 'a.txt'), 'first');
      }),
    ).toBe('published');
    expect(
      await publishDirectory(dest, async (staging) => {
        await fs.writeFile(path.join(staging, 'a.txt'), 'second');
      }),
    ).toBe('exists');
    expect(await fs.readFile(path.join(dest, 'a.txt'), 'utf8')).toBe('first');
    expect(await fs.readdir(path.dirname(dest))).toEqual(['1']);
  });

  it('leaves nothing behind when building fails, and clears a dead publisher’s staging', async () => {
    const dest = path.join(root, 'releases', 'r2');
    await fs.mkdir(path.join(root, 'releases', '.r2.staging-dead'), { recursive: true });
    await expect(
      publishDirectory(dest, () => Promise.reject(new Error('disk full'))),
    ).rejects.toThrow('disk full');
    expect(await fs.readdir(path.join(root, 'releases'))).toEqual([]);
  });
});

describe('atomic writes', () => {
  it('replaces a file and switches a symlink in one step each', async () => {
    const file = path.join(root, 'record.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(await fs.readFile(file, 'utf8')).toBe('two');
    const link = path.join(root, 'latest');
    await switchSymlink(link, 'releases/a');
    await switchSymlink(link, 'releases/b');
    expect(await fs.readlink(link)).toBe('releases/b');
    expect((await fs.readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
