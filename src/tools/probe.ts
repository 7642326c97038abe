/** Command lines of a probe job (pure): hold memory, sleep, exit as told, then leave its output. */
import { PROBE_OUTPUT, type ProbeSpec } from '../domain/probe.ts';
import { rename, run, tmpName } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

export function probeCommands(probe: ProbeSpec): StepCommands {
  const { sleepSeconds, allocMiB, exitCode } = probe;
  // Integers only (zod-checked), so the perl program is made of digits and fixed text.
  for (const value of [sleepSeconds, allocMiB, exitCode]) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error('probe values must be non-negative integers');
  }
  const program = [
    // One MiB at a time: `"x" x N` would briefly need twice N.
    `my $held = ''; $held .= 'x' x 1048576 for 1 .. ${allocMiB};`,
    `sleep(${sleepSeconds});`,
    exitCode === 0 ? '' : `print STDERR "probe: exiting with ${exitCode} as asked\\n";`,
    `exit(${exitCode});`,
  ].join(' ');
  return {
    tools: [],
    lines: [
      run([['perl', '-e', program]]),
      run([['printf', '%s\\n', 'probe done']], tmpName(PROBE_OUTPUT)),
      rename(tmpName(PROBE_OUTPUT), PROBE_OUTPUT),
    ],
  };
}
