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

/** The largest RSS (MiB) the worker and the Temporal server have had, sampled every second. */
export function sampleRss(pids: { worker: number; server: number }) {
  const peak = { worker: 0, server: 0 };
  const timer = setInterval(() => {
    peak.worker = Math.max(peak.worker, memoryMiB(pids.worker, 'VmRSS') ?? 0);
    peak.server = Math.max(peak.server, memoryMiB(pids.server, 'VmRSS') ?? 0);
  }, 1000);
  return { peak, stop: () => clearInterval(timer) };
}
