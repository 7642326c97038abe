/**
 * `npm run build`: compiles src/ with tsc (tsconfig.build.json) into a new folder beside src/,
 * copies the files the code reads beside its modules (the API's HTML pages), bundles the
 * workflows once from the compiled code, writes build.json (src/build-info.ts), and then points
 * `dist` at the new folder by renaming a symbolic link over it: a reader sees the old build or
 * the new, never half of one. The build before is kept (a service started from it may still load
 * its modules); older ones are removed.
 *
 * The folders are `.dist-<time>-<random>/` directly in the checkout, not below `dist/`: compiled
 * code finds the checkout as the parent of its own folder (src/config.ts `PROJECT_ROOT`), as the
 * sources do, and Node resolves the link to the folder's real path.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  BUILD_SCHEMA,
  BUILD_INFO,
  WORKFLOW_BUNDLE,
  sha256File,
  sourcesDigest,
  type BuildInfo,
} from '../src/build-info.ts';
import { PROJECT_ROOT } from '../src/config.ts';
import { switchSymlink, writeJsonAtomic } from '../src/store/atomic.ts';
import { withFileLock } from '../src/store/file-lock.ts';
import { filesUnder } from '../src/store/source-digest.ts';

const DIST = path.join(PROJECT_ROOT, 'dist');
const PREFIX = '.dist-';
/** A relative import that still names a .ts file: tsc did not rewrite it, and Node would fail. */
const TS_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*)["']\.\.?\/[^"']*\.ts["']/;

const say = (message: string) => process.stderr.write(`build: ${message}\n`);

async function readVersion(file: string): Promise<string> {
  return (JSON.parse(await fs.readFile(file, 'utf8')) as { version: string }).version;
}

/** Compiles, copies and bundles into `out`; returns the build's record (not yet written). */
async function compile(out: string, digest: string): Promise<BuildInfo> {
  say(`compiling src/ into ${path.basename(out)}/ (tsc -p tsconfig.build.json)`);
  await execa('tsc', ['-p', 'tsconfig.build.json', '--outDir', out], {
    cwd: PROJECT_ROOT,
    preferLocal: true,
    stdio: 'inherit',
  });
  const src = path.join(PROJECT_ROOT, 'src');
  for (const file of filesUnder(src)) {
    if (file.endsWith('.ts')) continue;
    const target = path.join(out, path.relative(src, file));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.copyFile(file, target);
    say(`copied ${path.relative(PROJECT_ROOT, file)}`);
  }
  const unrewritten: string[] = [];
  for (const file of filesUnder(out)) {
    if (file.endsWith('.js') && TS_SPECIFIER.test(await fs.readFile(file, 'utf8'))) {
      unrewritten.push(path.relative(out, file));
    }
  }
  if (unrewritten.length > 0) {
    throw new Error(`compiled files still import .ts files: ${unrewritten.join(', ')}`);
  }
  say('bundling the workflows from the compiled code');
  const bundle = path.join(out, WORKFLOW_BUNDLE);
  await execa(process.execPath, [path.join(out, 'workflow-bundle.js'), bundle], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return {
    schema: BUILD_SCHEMA,
    version: await readVersion(path.join(PROJECT_ROOT, 'package.json')),
    builtAt: new Date().toISOString(),
    sourcesDigest: digest,
    workflowBundle: { file: WORKFLOW_BUNDLE, sha256: sha256File(bundle) },
    node: process.version,
    typescript: await readVersion(path.join(PROJECT_ROOT, 'node_modules/typescript/package.json')),
  };
}

/** `dist` -> `folder`; returns the folder it pointed at before (kept), if any. */
async function publish(folder: string): Promise<string | undefined> {
  const stat = await fs.lstat(DIST).catch(() => undefined);
  let previous: string | undefined;
  if (stat?.isSymbolicLink()) previous = await fs.readlink(DIST);
  // A folder left by a tsc run by hand (tsc -p tsconfig.build.json): not a build.
  else if (stat) await fs.rm(DIST, { recursive: true, force: true });
  await switchSymlink(DIST, folder);
  return previous;
}

/** Removes the builds other than these two, and folders of builds that did not finish. */
async function removeOld(keep: (string | undefined)[]): Promise<void> {
  for (const name of await fs.readdir(PROJECT_ROOT)) {
    if (name.startsWith(PREFIX) && !keep.includes(name)) {
      await fs.rm(path.join(PROJECT_ROOT, name), { recursive: true, force: true });
      say(`removed the old build ${name}/`);
    }
  }
}

async function build(): Promise<void> {
  const started = Date.now();
  const digest = sourcesDigest(PROJECT_ROOT);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  const name = `${PREFIX}${stamp}-${randomBytes(3).toString('hex')}`;
  const out = path.join(PROJECT_ROOT, name);
  try {
    const info = await compile(out, digest);
    if (sourcesDigest(PROJECT_ROOT) !== digest) {
      throw new Error('the sources changed while they were being built: run npm run build again');
    }
    // Last: a folder with build.json is a complete build.
    await writeJsonAtomic(path.join(out, BUILD_INFO), info);
    const previous = await publish(name);
    await removeOld([name, previous]);
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stdout.write(
      `built dist -> ${name}/ in ${seconds} s: version ${info.version}, sources ${digest}, ` +
        `workflow bundle sha256 ${info.workflowBundle.sha256}\n`,
    );
  } catch (error) {
    await fs.rm(out, { recursive: true, force: true });
    throw error;
  }
}

await withFileLock(DIST, build, {
  waitMs: 10 * 60_000,
  onWait: (lock) => say(`waiting for another build (${lock})`),
});
