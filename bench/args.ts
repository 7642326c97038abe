/**
 * Number formatting shared by the benchmarks and the fault suite, and the fault suite's option
 * reader (test/chaos/run.ts); the benchmarks parse their command lines strictly in options.ts.
 */

/** `--name N`: a positive whole number, or `fallback` when the option is absent. */
export function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
