import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleKey, workerBundle } from '../../src/workflow-bundle.ts';

let project: string;

beforeAll(async () => {
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-bundle-key-'));
  await fs.mkdir(path.join(project, 'src/workflows'), { recursive: true });
  await fs.writeFile(path.join(project, 'src/workflows/index.ts'), 'export const a = 1;\n');
  await fs.writeFile(path.join(project, 'src/shared.ts'), 'export const b = 2;\n');
  await fs.writeFile(path.join(project, 'package-lock.json'), '{"lockfileVersion":3}\n');
  await fs.writeFile(path.join(project, 'tsconfig.json'), '{}\n');
});

afterAll(async () => {
  await fs.rm(project, { recursive: true, force: true });
});

describe('bundleKey', () => {
  it('is the same for the same code and changes with any source, the lock file or a rename', async () => {
    const first = bundleKey(project);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(bundleKey(project)).toBe(first);

    const edits: [string, () => Promise<void>, () => Promise<void>][] = [
      [
        'a workflow source',
        () => fs.appendFile(path.join(project, 'src/workflows/index.ts'), '// changed\n'),
        () => fs.writeFile(path.join(project, 'src/workflows/index.ts'), 'export const a = 1;\n'),
      ],
      [
        'a shared module',
        () => fs.writeFile(path.join(project, 'src/shared.ts'), 'export const b = 3;\n'),
        () => fs.writeFile(path.join(project, 'src/shared.ts'), 'export const b = 2;\n'),
      ],
      [
        'the lock file',
        () => fs.writeFile(path.join(project, 'package-lock.json'), '{"lockfileVersion":2}\n'),
        () => fs.writeFile(path.join(project, 'package-lock.json'), '{"lockfileVersion":3}\n'),
      ],
      [
        'a renamed file',
        () => fs.rename(path.join(project, 'src/shared.ts'), path.join(project, 'src/other.ts')),
        () => fs.rename(path.join(project, 'src/other.ts'), path.join(project, 'src/shared.ts')),
      ],
    ];
    for (const [what, change, undo] of edits) {
      await change();
      expect(bundleKey(project), what).not.toBe(first);
      await undo();
      expect(bundleKey(project), `${what} undone`).toBe(first);
    }
  });

  it('makes a private bundle in the run folder when the cache folder cannot be made', async () => {
    const blocker = path.join(project, 'not-a-folder');
    await fs.writeFile(blocker, '');
    const runDir = path.join(project, 'run');
    const bundle = await workerBundle(runDir, path.join(blocker, 'cache'));
    expect(bundle).toMatchObject({ temporary: true, reused: false });
    expect(path.dirname(bundle.path)).toBe(runDir);
    expect((await fs.stat(bundle.path)).size).toBeGreaterThan(100_000);
  }, 120_000);
});
