/**
 * Pipeline variants for the step-reuse tests, the replay recording and the reuse benchmark (no
 * vitest: bench/ imports it).
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A variant of the national pipeline with a higher prior in `bcftools call` (`-P 0.1`): every
 * step before the caller is the same. Non-numeric, so it is never the newest national version.
 */
export async function writeCallerVariant(dir: string, version: string): Promise<void> {
  const spec = JSON.parse(await fs.readFile(path.join(dir, '2.json'), 'utf8')) as {
    version: string;
    caller: { callArgs: string[] };
  };
  spec.version = version;
  spec.caller.callArgs = [...spec.caller.callArgs, '-P', '0.1'];
  await fs.writeFile(path.join(dir, `${version}.json`), `${JSON.stringify(spec, null, 2)}\n`);
}
