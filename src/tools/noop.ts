/** Command lines of a benchmark (`noop`) job (pure): sleep, then nothing. */
import { run } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

export function noopCommands(sleepSeconds: number): StepCommands {
  if (!Number.isInteger(sleepSeconds) || sleepSeconds < 0)
    throw new Error('a noop job sleeps a non-negative whole number of seconds');
  return {
    tools: [],
    lines: sleepSeconds === 0 ? [run([['true']])] : [run([['sleep', String(sleepSeconds)]])],
  };
}
