import { isProcessAlive, processStartTime } from '../../src/executors/local-proc.ts';

/** Is this pid a live process (a zombie is not)? For test code that started it itself. */
export function isAlive(pid: number): boolean {
  const startTime = processStartTime(pid);
  return startTime !== null && isProcessAlive(pid, startTime);
}
