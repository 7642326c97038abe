import { readdirSync, readFileSync } from 'node:fs';
import { isProcessAlive, processStartTime } from '../../src/platform/process.ts';

/** Is this pid a live process (a zombie is not)? For test code that started it itself. */
export function isAlive(pid: number): boolean {
  const startTime = processStartTime(pid);
  return startTime !== null && isProcessAlive(pid, startTime);
}

export interface ProcessInfo {
  pid: number;
  /** The command name (`comm`), as ps shows it. */
  command: string;
  /** Its process group. */
  pgid: number;
  startTime: string;
}

/** A live process (not a zombie) as /proc shows it, or null. */
export function processInfo(pid: number): ProcessInfo | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const command = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 of stat(5) (state); field n is fields[n - 3].
  const [state, , pgrp] = fields;
  if (state === undefined || state === 'Z' || state === 'X') return null;
  return { pid, command, pgid: Number(pgrp), startTime: fields[19] ?? '' };
}

/**
 * The live processes of a process group: a job and everything it started, grandchildren
 * included, unless one of them made a group of its own.
 */
export function processGroup(pgid: number): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => processInfo(Number(name)))
    .filter((p): p is ProcessInfo => p !== null && p.pgid === pgid);
}

/** Those of these processes that are still alive (the same processes: pid reuse ruled out). */
export function stillAlive(processes: readonly ProcessInfo[]): ProcessInfo[] {
  return processes.filter((p) => isProcessAlive(p.pid, p.startTime));
}
