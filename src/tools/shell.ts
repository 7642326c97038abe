/**
 * The one audited quoting function for job scripts, and the script-line model.
 * Job scripts are rendered from argv arrays; no value is ever interpolated unquoted.
 */

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for bash: single quotes, with embedded single quotes closed and escaped. */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a shell word cannot contain a NUL byte');
  if (word !== '' && SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export type Argv = readonly string[];

/**
 * One line of a job script: a pipeline of commands (joined with `|`, optionally redirecting the
 * last one's stdout to a file), or the rename that publishes a finished output under its name.
 */
export type ScriptLine =
  | { kind: 'run'; pipeline: readonly Argv[]; stdoutTo?: string }
  | { kind: 'rename'; from: string; to: string };

export function run(pipeline: readonly Argv[], stdoutTo?: string): ScriptLine {
  return stdoutTo === undefined ? { kind: 'run', pipeline } : { kind: 'run', pipeline, stdoutTo };
}

export function rename(from: string, to: string): ScriptLine {
  return { kind: 'rename', from, to };
}

export function renderLine(line: ScriptLine): string {
  if (line.kind === 'rename') return `mv -f -- ${shellQuote(line.from)} ${shellQuote(line.to)}`;
  if (line.pipeline.length === 0) throw new Error('empty pipeline');
  const commands = line.pipeline.map((argv) => {
    if (argv.length === 0) throw new Error('empty command in pipeline');
    return argv.map(shellQuote).join(' ');
  });
  const redirect = line.stdoutTo === undefined ? '' : ` > ${shellQuote(line.stdoutTo)}`;
  return commands.join(' \\\n  | ') + redirect;
}

/** The temporary name an output is written under before its rename into place. */
export function tmpName(output: string): string {
  return `${output}.tmp`;
}
