import { afterEach, describe, expect, it, vi } from 'vitest';
import { beating, type ActivityHandle } from '../../src/activities/context.ts';

function fakeActivity() {
  const beats: number[] = [];
  const activity: ActivityHandle = {
    heartbeat: () => beats.push(Date.now()),
    cancellationSignal: undefined,
    cancellationMeansStop: () => true,
  };
  return { activity, beats };
}

describe('beating', () => {
  afterEach(() => vi.useRealTimers());

  it('heartbeats every 5 s while the work runs, and stops when it ends', async () => {
    vi.useFakeTimers();
    const { activity, beats } = fakeActivity();
    let finish!: (value: string) => void;
    const result = beating(activity, () => new Promise<string>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(4_900);
    expect(beats).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10_200);
    expect(beats).toHaveLength(3);
    finish('done');
    await expect(result).resolves.toBe('done');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(beats).toHaveLength(3);
  });

  it('stops heartbeating when the work fails, and passes the failure on', async () => {
    vi.useFakeTimers();
    const { activity, beats } = fakeActivity();
    const failing = beating(activity, async () => {
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      throw new Error('copy failed');
    });
    const settled = expect(failing).rejects.toThrow('copy failed');
    await vi.advanceTimersByTimeAsync(6_000);
    await settled;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(beats).toHaveLength(1);
  });
});
