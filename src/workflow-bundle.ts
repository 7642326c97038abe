/**
 * The workflow bundle of a long-running worker.
 *
 * Compiled (`npm run build`), the worker uses the bundle the build made once, checked against
 * the build's record (src/build-info.ts), and never bundles.
 *
 * From the sources, the bundle is made by a short-lived child process: webpack needs a few
 * hundred MB while it bundles, and a worker that bundled in-process keeps that memory for its
 * whole life. `node --import tsx src/workflow-bundle.ts <out>` writes the bundle (the build runs
 * the compiled `workflow-bundle.js <out>`, without tsx). Bundling takes about 5 CPU-seconds, paid
 * by every worker start; so a bundle is kept in `node_modules/.cache/harmonise/`, named by a hash
 * of everything it can depend on (the sources and the locked dependency versions), and a worker
 * started on the same code reuses it.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_DIR, COMPILED, WORKFLOW_BUNDLE, checkBuild, sourcesDigest } from './build-info.ts';
import { HarmoniseError } from './errors.ts';
import { writeFileAtomic } from './store/atomic.ts';

const SELF = fileURLToPath(import.meta.url);
/** `.ts` from the sources, `.js` compiled. */
const EXTENSION = path.extname(SELF);
const WORKFLOWS_PATH = fileURLToPath(new URL(`./workflows/index${EXTENSION}`, import.meta.url));
const PROJECT = path.dirname(path.dirname(SELF));
const CACHE_DIR = path.join(PROJECT, 'node_modules', '.cache', 'harmonise');
/** Bundles of other code older than this are removed when a new one is written. */
const STALE_MS = 24 * 3600_000;

/** Bundles the workflows in a child process into `outFile` (atomically). */
export async function bundleInChild(outFile: string): Promise<string> {
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  const loader = COMPILED ? [] : ['--import', 'tsx'];
  await execa(process.execPath, [...loader, SELF, outFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outFile;
}

/** The name of the bundle of the sources as they are (src/build-info.ts: `sourcesDigest`). */
export function bundleKey(project = PROJECT): string {
  return sourcesDigest(project);
}

export interface WorkerBundle {
  path: string;
  /** Made for this worker alone (the cache could not be written): remove it once read. */
  temporary: boolean;
  reused: boolean;
}

/**
 * The bundle for the code as it is now. Compiled: the build's. From the sources: from the cache
 * when it is there, else made and cached; where the install is read-only (a shared HPC software
 * tree), it is made in `runDir` instead.
 */
export async function workerBundle(runDir: string, cacheDir = CACHE_DIR): Promise<WorkerBundle> {
  if (COMPILED) return buildBundle();
  const cached = path.join(cacheDir, `workflow-bundle-${bundleKey()}.js`);
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

/** The build's bundle, when the build is of the sources beside it and its bundle is intact. */
function buildBundle(): WorkerBundle {
  const problem = checkBuild({ bundle: true });
  if (problem) throw new HarmoniseError('BUILD_STALE', `${problem}: run "npm run build"`);
  return { path: path.join(CODE_DIR, WORKFLOW_BUNDLE), temporary: false, reused: true };
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
