/**
 * bin/harmonise-engine.js bundles src/frequency/ and names the bundle by a digest of that folder
 * alone: a file there importing another part of the project would let a change to it go
 * unnoticed by the cached bundle. So the engine's sources import only each other and packages.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';

describe('the frequency engine sources', () => {
  it('import nothing of the project outside src/frequency', async () => {
    const dir = path.join(PROJECT_ROOT, 'src', 'frequency');
    const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('engine-cli.ts');
    const outside: string[] = [];
    for (const file of files) {
      const text = await fs.readFile(path.join(dir, file), 'utf8');
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        if (spec!.startsWith('.') && !spec!.startsWith('./')) outside.push(`${file}: ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
