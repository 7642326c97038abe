/**
 * The docs keep up with the code: every error code the code can give is explained in
 * docs/intake.md, and every HARMONISE_* variable the configuration reads is in the configuration
 * reference (docs/configuration.md).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import { FailureType } from '../../src/domain/failures.ts';

/** Constants in the code that look like codes but are states, names or internal signals. */
const NOT_ERROR_CODES = new Set([
  'BOOT_FAIL',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'TIMED_OUT',
  'CONTINUED_AS_NEW',
  'EXECUTOR_ERROR',
  'SYSTEM_ERROR',
  // open.ts's own verdict, given to submitters as MANIFEST_SYMLINK.
  'FILE_SYMLINK',
  // A release's INFO field (the XX stratum), which the lookup looks for.
  'AC_XX',
]);

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(full)));
    else if (entry.name.endsWith('.ts')) out.push(await fs.readFile(full, 'utf8'));
  }
  return out;
}

describe('the docs', () => {
  it('explain every error code the code gives', async () => {
    const text = (await sources(path.join(PROJECT_ROOT, 'src'))).join('\n');
    const literal = [...text.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)].map((m) => m[1]!);
    // issues.ts makes these from a prefix and zod's issue kind.
    const schema = ['UNKNOWN_FIELD', 'MISSING_FIELD', 'INVALID_TYPE', 'INVALID_VALUE']
      .concat(['INVALID_FORMAT', 'OUT_OF_RANGE', 'INVALID'])
      .map((kind) => `MANIFEST_${kind}`);
    const codes = new Set(
      [...literal, ...schema, ...Object.values(FailureType)].filter(
        // HARMONISE_* are environment variables (docs/configuration.md, docs-generated.test.ts).
        (code) =>
          !NOT_ERROR_CODES.has(code) && !code.startsWith('HARMONISE_') && !code.endsWith('_'),
      ),
    );
    expect(codes.size).toBeGreaterThan(80);
    const docs = await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'intake.md'), 'utf8');
    const missing = [...codes].filter((code) => !docs.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('list every HARMONISE_* variable the configuration reads', async () => {
    const config = await fs.readFile(path.join(PROJECT_ROOT, 'src', 'config.ts'), 'utf8');
    const variables = new Set([...config.matchAll(/env\.(HARMONISE_[A-Z_]+)/g)].map((m) => m[1]!));
    expect(variables.size).toBeGreaterThan(20);
    const reference = await fs.readFile(
      path.join(PROJECT_ROOT, 'docs', 'configuration.md'),
      'utf8',
    );
    expect([...variables].filter((name) => !reference.includes(`\`${name}\``))).toEqual([]);
  });
});
