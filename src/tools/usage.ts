/**
 * What a job cost, measured by the job itself: its steps run in one inner bash under GNU time,
 * which writes `<elapsed>\t<user>\t<system>\t<max RSS KiB>` to `usage.tsv`. The kernel adds up
 * the CPU time of every process the steps ran, and the peak is that of the largest one, so
 * nothing is lost to rounding many short commands. Works the same under the local executor and
 * under Slurm, with or without Slurm accounting.
 */
import { renderLine, type ScriptLine } from './shell.ts';

export const USAGE_NAME = 'usage.tsv';
export const GNU_TIME = '/usr/bin/time';
// Lower case: nothing a step renders can be this line on its own.
const DELIMITER = 'harmonise-measured-steps-end';

export interface JobUsage {
  cpuSeconds: number;
  peakRssMiB: number;
}

/**
 * The script lines of the steps, run by an inner `bash` that reads them from file descriptor 3
 * (a here-document, not expanded), so the steps' own stdin stays theirs.
 */
export function measuredSteps(lines: readonly ScriptLine[]): string[] {
  const rendered = lines.map(renderLine);
  if (rendered.some((line) => line.split('\n').includes(DELIMITER)))
    throw new Error(`a job line cannot contain the line ${DELIMITER}`);
  return [
    `${GNU_TIME} -o ${USAGE_NAME} -f '%e\\t%U\\t%S\\t%M' bash -euo pipefail /dev/fd/3 3<<'${DELIMITER}'`,
    ...rendered,
    DELIMITER,
  ];
}

/** Parses `usage.tsv`; null when the job measured nothing. */
export function parseUsage(text: string): JobUsage | null {
  let cpu = 0;
  let peakKiB = 0;
  let rows = 0;
  for (const row of text.split('\n')) {
    const fields = row.split('\t');
    if (fields.length !== 4) continue;
    const [, user, system, rssKiB] = fields.map(Number) as [number, number, number, number];
    if (![user, system, rssKiB].every(Number.isFinite)) continue;
    rows++;
    cpu += user + system;
    peakKiB = Math.max(peakKiB, rssKiB);
  }
  if (rows === 0) return null;
  return { cpuSeconds: Math.round(cpu * 100) / 100, peakRssMiB: Math.round(peakKiB / 1024) };
}
