/**
 * Pid files for the background services harmonise starts (Temporal dev server, worker). A pid
 * is only trusted together with its process start time, so a reused pid is never signalled.
 */
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive, processStartTime } from '../src/executors/local-proc.ts';
import { readJsonIfExists, writeJsonAtomic } from '../src/store/atomic.ts';

export interface PidRecord {
  pid: number;
  startTime: string;
  command: string;
  startedAt: string;
  /** What else a later `up` needs to know about the process (a worker's executor, say). */
  meta?: Record<string, string>;
}

export async function writePidFile(
  file: string,
  pid: number,
  command: string,
  meta?: Record<string, string>,
): Promise<PidRecord> {
  const record: PidRecord = {
    pid,
    startTime: processStartTime(pid) ?? '',
    command,
    startedAt: new Date().toISOString(),
    ...(meta ? { meta } : {}),
  };
  await writeJsonAtomic(file, record);
  return record;
}

/** The recorded process, if it is still the same live process. */
export async function livePid(file: string): Promise<PidRecord | null> {
  const record = (await readJsonIfExists(file)) as PidRecord | undefined;
  if (!record || typeof record.pid !== 'number') return null;
  return isProcessAlive(record.pid, record.startTime) ? record : null;
}

/** Stops the recorded process (TERM, then KILL after `graceMs`) and removes the pid file. */
export async function stopByPidFile(file: string, graceMs = 15_000): Promise<PidRecord | null> {
  const record = await livePid(file);
  if (record) {
    process.kill(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && isProcessAlive(record.pid, record.startTime)) await sleep(100);
    if (isProcessAlive(record.pid, record.startTime)) process.kill(record.pid, 'SIGKILL');
    while (isProcessAlive(record.pid, record.startTime)) await sleep(50);
  }
  await fs.rm(file, { force: true });
  return record;
}

/** The last lines of a service's log, for error messages when it does not start. */
export async function logTail(file: string, lines = 20): Promise<string> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
