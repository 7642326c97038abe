/** CPU and memory of a running process, read from /proc (Linux), for the benchmarks' figures. */
import fs from 'node:fs';

/** A memory field of /proc/<pid>/status (VmRSS now, VmHWM the peak so far) in MiB, or null once the process is gone. */
export function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The largest RSS (MiB) any worker and the Temporal server have had, sampled every second. */
export function sampleRss(pids: { workers: number[]; server: number }) {
  const peak = { worker: 0, server: 0 };
  const timer = setInterval(() => {
    for (const pid of pids.workers)
      peak.worker = Math.max(peak.worker, memoryMiB(pid, 'VmRSS') ?? 0);
    peak.server = Math.max(peak.server, memoryMiB(pids.server, 'VmRSS') ?? 0);
  }, 1000);
  return { peak, stop: () => clearInterval(timer) };
}

/**
 * CPU seconds of a process and its children: its own, its reaped children's, and its live
 * children's (PostgreSQL's backends are children of the postmaster that live as long as their
 * connection).
 */
export function treeCpuSeconds(pid: number): number | null {
  const stat = (p: number | string) =>
    fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
  try {
    const own = stat(pid);
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const fields = stat(entry);
        if (Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // It ended meanwhile.
      }
    }
    return ticks / 100;
  } catch {
    return null;
  }
}
