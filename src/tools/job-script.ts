/**
 * Renders a step's job script: the same bash file runs under the local executor and under
 * Slurm. It fails fast (`set -euo pipefail`), works inside its own directory, records the
 * versions of the tools it runs, and writes its exit code to the `exitcode` marker last,
 * whatever happens. The marker says 0 only when the script ran to its last line: a shell killed
 * by a signal can otherwise reach its EXIT trap with `$?` still 0 (seen under Slurm when a node
 * went down), and a 0 there would pass a killed job off as a finished one.
 */
import { rename, renderLine, run, shellQuote, tmpName, type ScriptLine } from './shell.ts';
import { measuredSteps } from './usage.ts';
import { versionProbeLines, type Tool } from './versions.ts';

export const EXIT_MARKER = 'exitcode';
export const SCRIPT_NAME = 'job.sh';
export const STDOUT_NAME = 'stdout.log';
export const STDERR_NAME = 'stderr.log';
export const TOOL_VERSIONS_NAME = 'tool-versions.tsv';
/** `sha256sum` of the outputs the job wrote: a step's fingerprint needs its inputs' checksums. */
export const OUTPUT_CHECKSUMS_NAME = 'outputs.sha256';
/** Written (with the file's manifest path) when a submitted input is not the file intake checked. */
export const INPUT_CHANGED_MARKER = 'input-changed';
/** The exit code of a job that refused to read a changed input. */
export const INPUT_CHANGED_EXIT = 97;

/** A submitted file the job reads: it must still be the file intake checked. */
export interface InputCheck {
  path: string;
  /** How the manifest names it (for the marker and the message). */
  label: string;
  ino: string;
  size: number;
  mtimeNs: string;
}

export interface JobScriptInput {
  key: string;
  workDir: string;
  tools: readonly Tool[];
  lines: readonly ScriptLine[];
  /** Checked before anything else runs; the device is not, as it differs between hosts. */
  inputChecks?: readonly InputCheck[];
  /** Record each command's CPU time and peak memory in `usage.tsv` (tools/usage.ts). */
  measureUsage?: boolean;
  /**
   * Output files (in the work folder) whose sha256 the job writes to `outputs.sha256` once its
   * steps are done: on the node that wrote them, while they are still in its page cache, rather
   * than by the one worker reading every genome's files back.
   */
  checksumOutputs?: readonly string[];
}

/** sha256sum of the outputs, in the job's measured steps: hashing is part of what the job costs. */
function checksumLines(names: readonly string[]): ScriptLine[] {
  if (names.length === 0) return [];
  const tmp = tmpName(OUTPUT_CHECKSUMS_NAME);
  return [run([['sha256sum', '--', ...names]], tmp), rename(tmp, OUTPUT_CHECKSUMS_NAME)];
}

/** Parses `outputs.sha256` (`sha256sum` lines: 64 hex digits, two spaces, the name). */
export function parseOutputChecksums(text: string): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match) sums[match[2]!] = match[1]!;
  }
  return sums;
}

/** `stat -c %.9Y` of a nanosecond mtime: seconds, a point, nine digits. */
export function statMtime(mtimeNs: string): string {
  const ns = BigInt(mtimeNs);
  const second = 1_000_000_000n;
  return `${ns / second}.${(ns % second).toString().padStart(9, '0')}`;
}

function inputCheckLines(checks: readonly InputCheck[]): string[] {
  if (checks.length === 0) return [];
  return [
    'harmonise_input_changed() {',
    `  printf '%s\\n' "$1" > ${INPUT_CHANGED_MARKER}`,
    '  echo "harmonise: $1 is not the file intake checked (replaced or changed since)" >&2',
    `  exit ${INPUT_CHANGED_EXIT}`,
    '}',
    ...checks.map(
      (check) =>
        `[ "$(stat -L -c '%i %s %.9Y' -- ${shellQuote(check.path)})" = ${shellQuote(`${check.ino} ${check.size} ${statMtime(check.mtimeNs)}`)} ] || harmonise_input_changed ${shellQuote(check.label)}`,
    ),
  ];
}

export function renderJobScript(input: JobScriptInput): string {
  if (/[\n\r]/.test(input.key)) throw new Error('a job key cannot contain line breaks');
  const lines = [...input.lines, ...checksumLines(input.checksumOutputs ?? [])];
  return [
    '#!/usr/bin/env bash',
    `# harmonise job ${input.key}`,
    'set -euo pipefail',
    'harmonise_finished=0',
    'write_exit_marker() {',
    '  local rc=$?',
    '  if [ "$rc" -eq 0 ] && [ "$harmonise_finished" != 1 ]; then rc=1; fi',
    `  printf '%d\\n' "$rc" > ${EXIT_MARKER}.tmp && mv -f ${EXIT_MARKER}.tmp ${EXIT_MARKER}`,
    '}',
    `cd -- ${shellQuote(input.workDir)}`,
    'trap write_exit_marker EXIT',
    "trap 'exit 129' HUP",
    "trap 'exit 130' INT",
    "trap 'exit 143' TERM",
    'umask 022',
    `export TMPDIR=${shellQuote(`${input.workDir}/tmp`)}`,
    'mkdir -p -- "$TMPDIR"',
    ...inputCheckLines(input.inputChecks ?? []),
    ...versionProbeLines(input.tools, TOOL_VERSIONS_NAME),
    ...(input.measureUsage ? measuredSteps(lines) : lines.map(renderLine)),
    'harmonise_finished=1',
    '',
  ].join('\n');
}

/** The shell lines of a script, for provenance: exactly what ran, nothing reconstructed. */
export function commandLines(lines: readonly ScriptLine[]): string[] {
  return lines.map(renderLine);
}
