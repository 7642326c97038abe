/**
 * Number formatting shared by the benchmarks and the fault suite. Command lines are parsed
 * strictly in bench/options.ts and test/chaos/options.ts.
 */

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
