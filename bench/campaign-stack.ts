/**
 * The stack the campaign benchmark measures: the embedded Temporal server and one `harmonise
 * worker` process (local executor, noop jobs) on the benchmark's data root.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import { startBenchTemporal } from './temporal.ts';

export type BenchStack = Awaited<ReturnType<typeof startStack>>;

/** The embedded Temporal server and one `harmonise worker` process on the data root. */
export async function startStack(
  root: string,
  maxConcurrent: number,
  profileDir: string | null,
  logger: Logger,
) {
  const temporal = await startBenchTemporal(root, logger);
  const { address } = temporal;
  const env = {
    ...process.env,
    HARMONISE_DATA: root,
    HARMONISE_TEMPORAL_ADDRESS: address,
    HARMONISE_EXECUTOR: 'local',
    // noop jobs use no CPU: the budget only limits how many run at once.
    HARMONISE_LOCAL_CPUS: String(Math.max(64, maxConcurrent)),
    HARMONISE_LOG_LEVEL: 'warn',
  };
  const workerLog = fs.openSync(path.join(root, 'worker.log'), 'a');
  // --profile <dir>: a V8 CPU profile of the worker, written when it exits.
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const worker = spawn(
    process.execPath,
    [...nodeFlags, path.join(PROJECT_ROOT, 'bin/harmonise.js'), 'worker'],
    {
      env,
      stdio: ['ignore', workerLog, workerLog],
    },
  );
  fs.closeSync(workerLog);
  return { temporal, address, env, worker, pids: { worker: worker.pid!, server: temporal.pid! } };
}

export async function stopStack(stack: BenchStack): Promise<void> {
  const { worker } = stack;
  if (worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await stack.temporal.stop();
}
