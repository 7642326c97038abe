/**
 * Starts a `harmonise <command>` service (worker, API) in the background: detached, its output
 * appended to its log, its pid and start time recorded in its pid file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writePidFile } from '../platform/process.ts';
import { PROJECT_ROOT } from '../config.ts';
import { HarmoniseError } from '../errors.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'harmonise.js');

export async function startInBackground(
  command: 'worker' | 'api',
  options: {
    logFile: string;
    pidFile: string;
    /** Added to this process's environment. */
    env: Record<string, string>;
    meta?: Record<string, string>;
  },
): Promise<number> {
  await fsp.mkdir(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [BIN, command], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...options.env },
  });
  fs.closeSync(log);
  if (child.pid === undefined) {
    throw new HarmoniseError(`${command.toUpperCase()}_START`, `the ${command} did not start`);
  }
  child.unref();
  await writePidFile(
    options.pidFile,
    child.pid,
    `${process.execPath} ${BIN} ${command}`,
    options.meta,
  );
  return child.pid;
}
