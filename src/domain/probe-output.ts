/** The file a probe job leaves (apart from probe.ts, so workflow code never loads zod). */
export const PROBE_OUTPUT = 'probe.txt';
