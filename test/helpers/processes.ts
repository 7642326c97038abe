/** Is a process with this pid there (signal 0)? For test code that started it itself. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
