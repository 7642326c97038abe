/** CLI output: with `--json`, stdout is exactly one JSON document; everything else goes to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Progress for people; never on stdout, so it cannot spoil JSON output. */
export function progress(text: string): void {
  process.stderr.write(`harmonise: ${text}\n`);
}

export const ExitCode = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;
