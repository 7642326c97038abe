/**
 * The stack the campaign benchmark measures: a Temporal server (the dev server or a local
 * cluster) and N `harmonise worker` processes (local executor, noop jobs) on the benchmark's
 * data root, all on one task queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import { startBenchTemporal } from './temporal.ts';

export type BenchStack = Awaited<ReturnType<typeof startStack>>;

export async function startStack(
  root: string,
  options: {
    maxConcurrent: number;
    profileDir: string | null;
    temporal: 'dev' | 'cluster';
    workers: number;
  },
  logger: Logger,
) {
  const temporal = await startBenchTemporal(root, logger, { kind: options.temporal });
  const { address } = temporal;
  const env = {
    ...process.env,
    HARMONISE_DATA: root,
    ...temporal.env,
    HARMONISE_EXECUTOR: 'local',
    // noop jobs use no CPU: the budget only limits how many run at once.
    HARMONISE_LOCAL_CPUS: String(Math.max(64, options.maxConcurrent)),
    HARMONISE_LOG_LEVEL: 'warn',
  };
  const workers: ChildProcess[] = [];
  for (let n = 1; n <= options.workers; n++) {
    const workerLog = fs.openSync(path.join(root, n === 1 ? 'worker.log' : `worker-${n}.log`), 'a');
    // --profile <dir>: a V8 CPU profile of each worker, written when it exits.
    const nodeFlags = options.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`]
      : [];
    workers.push(
      spawn(
        process.execPath,
        [...nodeFlags, path.join(PROJECT_ROOT, 'bin/harmonise.js'), 'worker'],
        {
          env,
          stdio: ['ignore', workerLog, workerLog],
        },
      ),
    );
    fs.closeSync(workerLog);
  }
  return {
    temporal,
    address,
    env,
    workers,
    pids: {
      workers: workers.map((w) => w.pid!),
      server: temporal.pid!,
      database: temporal.databasePid,
    },
  };
}

export async function stopStack(stack: BenchStack): Promise<void> {
  await Promise.all(
    stack.workers.map(async (worker) => {
      if (worker.exitCode !== null || worker.signalCode !== null) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }),
  );
  await stack.temporal.stop();
}
