/**
 * Linux process facts for the local executor, read from /proc. A pid alone is not an identity
 * (pids are reused), so a process is recognised by its pid plus its start time.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { STDERR_NAME, STDOUT_NAME } from '../tools/job-script.ts';

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

function listPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Resident memory of every live process in a process group, in MiB. */
export function processGroupRssMiB(pgid: number): number {
  let pages = 0;
  for (const pid of listPids()) {
    const stat = readStat(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') pages += stat.rssPages;
  }
  return (pages * PAGE_BYTES) / 2 ** 20;
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
 * Starts `bash <script>` in its work directory as the leader of a new session and process group
 * (so it outlives this process and can be signalled as a whole), with stdout and stderr appended
 * to the job's logs. Returns the pid; `onExit` runs if this process sees the job end.
 */
export function spawnJobScript(
  workDir: string,
  script: string,
  env: Record<string, string>,
  onExit: () => void,
): number {
  const out = fs.openSync(path.join(workDir, STDOUT_NAME), 'a');
  const err = fs.openSync(path.join(workDir, STDERR_NAME), 'a');
  try {
    const child = spawn('bash', [script], {
      cwd: workDir,
      detached: true,
      stdio: ['ignore', out, err],
      env: { ...process.env, ...env },
    });
    if (child.pid === undefined) throw new Error('bash did not start');
    child.on('exit', onExit);
    child.on('error', onExit);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
}
