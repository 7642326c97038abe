/**
 * The workflow bundle of a long-running worker, made by a short-lived child process: webpack
 * needs a few hundred MB while it bundles, and a worker that bundled in-process keeps that
 * memory for its whole life. `node --import tsx src/workflow-bundle.ts <out>` writes the bundle.
 *
 * Bundling takes about 5 CPU-seconds, paid by every worker start; so a bundle is kept in
 * `node_modules/.cache/harmonise/`, named by a hash of everything it can depend on (the sources
 * and the locked dependency versions), and a worker started on the same code reuses it.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from './store/atomic.ts';
import { digestFiles, filesUnder } from './store/source-digest.ts';

const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const PROJECT = path.dirname(path.dirname(SELF));
const CACHE_DIR = path.join(PROJECT, 'node_modules', '.cache', 'harmonise');
/** Bundles of other code older than this are removed when a new one is written. */
const STALE_MS = 24 * 3600_000;

/** Bundles the workflows in a child process into `outFile` (atomically). */
export async function bundleInChild(outFile: string): Promise<string> {
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  await execa(process.execPath, ['--import', 'tsx', SELF, outFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outFile;
}

/**
 * What the bundle can depend on: all of src/, the lock file and tsconfig.json. Conservative: any
 * source change makes a new bundle.
 */
export async function bundleKey(project = PROJECT): Promise<string> {
  const files = [
    ...(await filesUnder(path.join(project, 'src'))),
    path.join(project, 'package-lock.json'),
    path.join(project, 'tsconfig.json'),
  ];
  return digestFiles('harmonise workflow bundle v1', project, files);
}

export interface WorkerBundle {
  path: string;
  /** Made for this worker alone (the cache could not be written): remove it once read. */
  temporary: boolean;
  reused: boolean;
}

/**
 * The bundle for the code as it is now: from the cache when it is there, else made and cached.
 * Where the install is read-only (a shared HPC software tree), it is made in `runDir` instead.
 */
export async function workerBundle(runDir: string, cacheDir = CACHE_DIR): Promise<WorkerBundle> {
  const cached = path.join(cacheDir, `workflow-bundle-${await bundleKey()}.js`);
  const found = await fs.stat(cached).catch(() => undefined);
  if (found && found.size > 0) return { path: cached, temporary: false, reused: true };
  const writable = await fs
    .mkdir(cacheDir, { recursive: true })
    .then(() => fs.access(cacheDir, fs.constants.W_OK))
    .then(
      () => true,
      () => false,
    );
  if (!writable) {
    const own = await bundleInChild(path.join(runDir, `workflow-bundle-${process.pid}.js`));
    return { path: own, temporary: true, reused: false };
  }
  await bundleInChild(cached);
  await removeStale(cacheDir, path.basename(cached));
  return { path: cached, temporary: false, reused: false };
}

/** Other code's bundles, once they are a day old: a worker still starting may be reading one. */
async function removeStale(cacheDir: string, keep: string): Promise<void> {
  for (const name of await fs.readdir(cacheDir)) {
    if (!name.startsWith('workflow-bundle-') || name === keep) continue;
    const file = path.join(cacheDir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > STALE_MS) await fs.rm(file, { force: true });
  }
}

async function main(outFile: string): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  await writeFileAtomic(outFile, code);
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`bundle: ${message}\n`),
  error: (message: string) => process.stderr.write(`bundle: ${message}\n`),
};

if (process.argv[1] === SELF) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: workflow-bundle.ts <out-file>');
  await main(out);
}
