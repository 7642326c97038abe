#!/usr/bin/env node
// The `harmonise` command. It runs the compiled build (`npm run build`, in dist/) when that build
// was made from the sources the checkout holds. Otherwise, in a development checkout, it runs the
// TypeScript CLI through tsx, so that a fresh clone needs no build step (on one it first
// installs the npm packages, infra/bootstrap.sh). An install without tsx (a production install,
// `npm prune --omit=dev`) runs only a current build: it never runs a build of other sources, and
// never installs packages.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBuild } from './current-build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The CLI's `main` from the sources, through tsx; exits when this install cannot run them. */
async function sourcesMain(problem) {
  const modules = path.join(root, 'node_modules');
  // A fresh clone: no npm install has finished here (npm writes this file last).
  if (!existsSync(path.join(modules, '.package-lock.json'))) {
    const result = spawnSync(
      'sh',
      [path.join(root, 'infra', 'bootstrap.sh'), '--no-temporal', '--no-tools'],
      { stdio: ['ignore', 2, 2] },
    );
    if (result.status !== 0) {
      process.stderr.write('harmonise: could not install npm packages (see above)\n');
      process.exit(1);
    }
  }
  if (!existsSync(path.join(modules, 'tsx')) || !existsSync(path.join(root, 'src'))) {
    process.stderr.write(
      `harmonise: ${problem}, and this install cannot run the TypeScript sources ` +
        '(tsx, a development dependency, is not installed). Build it where the development ' +
        'dependencies are installed: npm ci && npm run build && npm prune --omit=dev\n',
    );
    process.exit(1);
  }
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/cli/main.ts')).main;
}

const build = await currentBuild(root);
const main = build.dir
  ? (await import(pathToFileURL(path.join(build.dir, 'cli', 'main.js')).href)).main
  : await sourcesMain(build.problem);
const code = await main(process.argv);
process.exitCode = code;
// Exit even if a library left a handle open; an idle process exits before this fires.
setTimeout(() => process.exit(code), 2000).unref();
