import { describe, expect, it } from 'vitest';
import { ResourceBudget } from '../../src/executors/local-budget.ts';

const job = (cpus: number, memMiB: number) => ({ cpus, memMiB, timeMinutes: 10 });

describe('ResourceBudget', () => {
  const budget = new ResourceBudget(4, 8192);
  const table: [string, ReturnType<typeof job>[], ReturnType<typeof job>, boolean][] = [
    ['admits anything when nothing runs', [], job(64, 100_000), true],
    ['admits within both limits', [job(2, 2048)], job(2, 4096), true],
    ['refuses over the CPUs', [job(3, 1024)], job(2, 1024), false],
    ['refuses over the memory', [job(1, 6000)], job(1, 3000), false],
    ['counts an oversized running job as the whole budget', [job(16, 1024)], job(1, 1024), false],
  ];
  it.each(table)('%s', (_name, running, next, expected) => {
    expect(budget.fits(running, next)).toBe(expected);
  });

  it('sums what running jobs count against it', () => {
    expect(budget.used([job(1, 1000), job(8, 100)])).toEqual({ cpus: 5, memMiB: 1100 });
  });
});
