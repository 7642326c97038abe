import { describe, expect, it } from 'vitest';
import { Slots } from '../../src/executors/slurm/slots.ts';

/** A call that runs until released, recording when it started. */
function gatedCalls(count: number) {
  const started: number[] = [];
  const releases: (() => void)[] = [];
  const calls = Array.from({ length: count }, (_, i) => () => {
    started.push(i);
    return new Promise<number>((resolve) => releases.push(() => resolve(i)));
  });
  return { started, releases, calls };
}

describe('Slots', () => {
  it('runs at most its size at once and starts the others in the order they asked', async () => {
    const slots = new Slots(2);
    const { started, releases, calls } = gatedCalls(5);
    const results = calls.map((call) => slots.run(call));
    await expect.poll(() => started).toEqual([0, 1]);
    releases[1]!();
    await expect.poll(() => started).toEqual([0, 1, 2]);
    releases[0]!();
    await expect.poll(() => started).toEqual([0, 1, 2, 3]);
    releases[2]!();
    releases[3]!();
    await expect.poll(() => started).toEqual([0, 1, 2, 3, 4]);
    releases[4]!();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
  });

  it('frees the slot of a call that failed', async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error('sbatch: refused')))).rejects.toThrow(
      'refused',
    );
    expect(await slots.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
    expect(() => new Slots(1.5)).toThrow(RangeError);
  });
});
