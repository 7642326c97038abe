/**
 * What a job cost, measured by the job itself: every command of every line runs under GNU time,
 * which appends `<line>\t<elapsed>\t<user>\t<system>\t<max RSS KiB>` to `usage.tsv`. The job's
 * CPU time is the sum over commands; its peak memory is the largest sum over the commands of one
 * line (a pipeline's commands run at once). Works the same under the local executor and Slurm,
 * with or without Slurm accounting.
 */
import type { ScriptLine } from './shell.ts';

export const USAGE_NAME = 'usage.tsv';
export const GNU_TIME = '/usr/bin/time';

export interface JobUsage {
  cpuSeconds: number;
  peakRssMiB: number;
}

export function measuredLines(lines: readonly ScriptLine[]): ScriptLine[] {
  return lines.map((line, index) =>
    line.kind === 'run'
      ? {
          ...line,
          pipeline: line.pipeline.map((argv) => [
            GNU_TIME,
            '-a',
            '-o',
            USAGE_NAME,
            '-f',
            `${index}\\t%e\\t%U\\t%S\\t%M`,
            ...argv,
          ]),
        }
      : line,
  );
}

/** Parses `usage.tsv`; null when the job measured nothing. */
export function parseUsage(text: string): JobUsage | null {
  let cpu = 0;
  const rssByLine = new Map<string, number>();
  let rows = 0;
  for (const row of text.split('\n')) {
    const fields = row.split('\t');
    if (fields.length !== 5) continue;
    const [line, , user, system, rssKiB] = fields as [string, string, string, string, string];
    const values = [Number(user), Number(system), Number(rssKiB)];
    if (values.some((v) => !Number.isFinite(v))) continue;
    rows++;
    cpu += values[0]! + values[1]!;
    rssByLine.set(line, (rssByLine.get(line) ?? 0) + values[2]!);
  }
  if (rows === 0) return null;
  return {
    cpuSeconds: Math.round(cpu * 100) / 100,
    peakRssMiB: Math.round(Math.max(...rssByLine.values()) / 1024),
  };
}
