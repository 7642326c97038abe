#!/usr/bin/env node
// The frequency engine a frequency job runs (partial, reduce): DuckDB in this process, limited
// to the job's CPUs and memory. A release runs one such job per batch and per shard, so the
// engine is not run through tsx (which costs a third of a second of CPU per start). With a
// current compiled build (npm run build) it is the build's dist/frequency/engine-cli.js. In a
// development checkout without one, its sources (src/frequency/, which imports nothing else of
// the project) are bundled with esbuild into
// node_modules/.cache/harmonise/engine-<digest of the sources>.mjs, once per version of them,
// by the first job that needs it (written under a temporary name and renamed into place).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBuild } from './current-build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = path.join(root, 'src', 'frequency');

function bundlePath() {
  const hash = createHash('sha256');
  for (const name of readdirSync(sources).sort()) {
    hash.update(`${name}\n`).update(readFileSync(path.join(sources, name)));
  }
  const digest = hash.digest('hex').slice(0, 16);
  return path.join(root, 'node_modules', '.cache', 'harmonise', `engine-${digest}.mjs`);
}

/** esbuild, or an error saying why there is neither a build nor esbuild. */
async function esbuild(problem) {
  try {
    return await import('esbuild');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${problem}, and this install cannot bundle the engine's sources (${why}): ` +
        'build it where the development dependencies are installed: npm ci && npm run build',
      { cause: error },
    );
  }
}

async function engine() {
  const compiled = await currentBuild(root);
  if (compiled.dir) {
    return import(pathToFileURL(path.join(compiled.dir, 'frequency', 'engine-cli.js')).href);
  }
  if (!existsSync(sources)) throw new Error(`${compiled.problem}, and there is no src/frequency/`);
  const bundle = bundlePath();
  if (!existsSync(bundle)) {
    const { build } = await esbuild(compiled.problem);
    mkdirSync(path.dirname(bundle), { recursive: true });
    const staging = `${bundle}.${process.pid}.tmp`;
    await build({
      entryPoints: [path.join(sources, 'engine-cli.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: staging,
      logLevel: 'error',
    });
    renameSync(staging, bundle);
  }
  return import(pathToFileURL(bundle).href);
}

try {
  const { main } = await engine();
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `harmonise-engine: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
