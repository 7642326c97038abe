/**
 * The one place that reads /proc and keeps pid files: process facts for the local executor, the
 * background services (`harmonise up`), the lock helper (for demo-cache locks of the earlier
 * format), the job watchers' leases and the metrics. A pid alone is not an identity (pids are
 * reused), so a process is recognised by its pid plus its start time, and a pid file records
 * both: a reused pid is never signalled.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJsonIfExists, writeJsonAtomic } from '../store/atomic.ts';

interface ProcStat {
  state: string;
  pgrp: number;
  startTime: string;
  rssPages: number;
}

const PAGE_BYTES = 4096;

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field n is fields[n - 3].
  const state = fields[0];
  const pgrp = Number(fields[2]);
  const startTime = fields[19];
  const rssPages = Number(fields[21]);
  if (state === undefined || startTime === undefined) return null;
  return { state, pgrp, startTime, rssPages };
}

export function processStartTime(pid: number): string | null {
  return readStat(pid)?.startTime ?? null;
}

/** Alive, not a zombie, and the same process that was recorded (pid reuse is ruled out). */
export function isProcessAlive(pid: number, startTime: string): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTime === startTime;
}

/**
 * Names the process table this process's pids belong to: the host name, the kernel's boot id and
 * the pid namespace. Only a process with the same key can tell from a pid whether another lives
 * (two containers on one machine, or two machines sharing a file system, cannot).
 */
export function processTableKey(): string {
  const read = (what: () => string) => {
    try {
      return what().trim();
    } catch {
      return '';
    }
  };
  const bootId = read(() => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  const pidNamespace = read(() => fs.readlinkSync('/proc/self/ns/pid'));
  return `${os.hostname()}/${bootId}/${pidNamespace}`;
}

function listPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Resident memory of every live process group, in MiB, by group id (one pass over /proc). */
export function processGroupsRssMiB(): Map<number, number> {
  const pages = new Map<number, number>();
  for (const pid of listPids()) {
    const stat = readStat(pid);
    if (stat && stat.state !== 'Z')
      pages.set(stat.pgrp, (pages.get(stat.pgrp) ?? 0) + stat.rssPages);
  }
  return new Map([...pages].map(([pgid, n]) => [pgid, (n * PAGE_BYTES) / 2 ** 20]));
}

/** Finds a live process whose environment holds `name=value` (used to re-find a job's shell). */
export function findProcessByEnv(
  name: string,
  value: string,
): { pid: number; startTime: string } | null {
  const needle = `${name}=${value}`;
  for (const pid of listPids()) {
    let environ: string;
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.split('\0').includes(needle)) continue;
    const stat = readStat(pid);
    // The group leader is the job's own shell; its children inherit the variable too.
    if (stat && stat.state !== 'Z' && stat.pgrp === pid) return { pid, startTime: stat.startTime };
  }
  return null;
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * TERM to a job's process group, then KILL after `graceMs`. A process of the job that ignores
 * TERM outlives the leader, so the whole group is killed whether or not the leader still lives.
 * Linux never hands out a pid still in use as a process group id: while any member lives, the
 * group's id is the job's. Only another live process under the leader's pid means the group is
 * gone and its number taken.
 */
export function terminateProcessGroup(
  pgid: number,
  leaderStartTime: string,
  graceMs: number,
): void {
  killProcessGroup(pgid, 'SIGTERM');
  const timer = setTimeout(() => {
    const start = processStartTime(pgid);
    if (start === null || start === leaderStartTime) killProcessGroup(pgid, 'SIGKILL');
  }, graceMs);
  timer.unref();
}

/**
 * The name under which another process (a tool) reopens this process's descriptor `fd` (Linux:
 * /proc/<pid>/fd/<fd>, the same open file whatever its name leads to now); null elsewhere.
 */
export function descriptorPath(fd: number): string | null {
  return process.platform === 'linux' ? `/proc/${process.pid}/fd/${fd}` : null;
}

/** What this process's descriptor `fd` is open on (Linux: /proc/self/fd); throws elsewhere. */
export function descriptorTarget(fd: number): Promise<string> {
  return fsp.readlink(`/proc/self/fd/${fd}`);
}

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
  await fsp.rm(file, { force: true });
  return record;
}

/** The last lines of a service's log, for error messages when it does not start. */
export async function logTail(file: string, lines = 20): Promise<string> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
