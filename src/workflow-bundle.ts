/**
 * The workflow bundle of a long-running worker, made by a short-lived child process: webpack
 * needs a few hundred MB while it bundles, and a worker that bundled in-process keeps that
 * memory for its whole life. `node --import tsx src/workflow-bundle.ts <out>` writes the bundle.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from './store/atomic.ts';

const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** Bundles the workflows in a child process into `outFile` (atomically). */
export async function bundleInChild(outFile: string): Promise<string> {
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  await execa(process.execPath, ['--import', 'tsx', SELF, outFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outFile;
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
