import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheEntry, ensureCacheEntry } from '../../src/demo/cache.ts';
import { DEMO_SUBMISSIONS, type DemoSampleSpec } from '../../src/demo/model.ts';
import { writePidFile } from '../../src/platform/process.ts';
import { waitFor } from '../helpers/wait.ts';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-demo-cache-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/**
 * A stand-in for a full generation (layout.json last) that, given `until`, holds the entry's
 * lock until that holds.
 */
function maker(calls: string[], until?: { holds: () => boolean; what: string }) {
  return async (root: string) => {
    calls.push(root);
    if (until) await waitFor(until.holds, { what: until.what });
    await fs.mkdir(path.join(root, 'demo'), { recursive: true });
    await fs.writeFile(path.join(root, 'demo', 'layout.json'), '{}');
  };
}

describe('the demo data cache', () => {
  it('names an entry by seed and sample table', async () => {
    const a = await cacheEntry(dir, 1, DEMO_SUBMISSIONS);
    expect(await cacheEntry(dir, 1, DEMO_SUBMISSIONS)).toBe(a);
    expect(await cacheEntry(dir, 2, DEMO_SUBMISSIONS)).not.toBe(a);
    expect(await cacheEntry(dir, 1, DEMO_SUBMISSIONS.slice(1))).not.toBe(a);
    // A karyotype, stated or true, changes what is made: another entry.
    const [first, ...rest] = DEMO_SUBMISSIONS;
    const withSex = (sample: Partial<DemoSampleSpec>) => [
      { ...first!, samples: [{ ...first!.samples[0]!, ...sample }, ...first!.samples.slice(1)] },
      ...rest,
    ];
    const unstated = { ...first!.samples[0]! };
    delete unstated.statedKaryotype;
    const entries = await Promise.all([
      cacheEntry(dir, 1, withSex({ karyotype: 'XY' })),
      cacheEntry(dir, 1, [{ ...first!, samples: [unstated, ...first!.samples.slice(1)] }, ...rest]),
    ]);
    expect(new Set([a, ...entries]).size).toBe(3);
    expect(path.dirname(a)).toBe(dir);
  });

  it('makes an entry once when several processes ask for it at the same time', async () => {
    const entry = path.join(dir, 'together');
    const calls: string[] = [];
    const logs: string[] = [];
    const waiting = () => logs.filter((m) => m.startsWith('cache: waiting')).length;
    // Whoever makes the entry finishes only once the other two wait for it.
    const make = maker(calls, {
      holds: () => waiting() === 2,
      what: 'the two other callers to wait for the entry being made',
    });
    await Promise.all([1, 2, 3].map(() => ensureCacheEntry(entry, make, (m) => logs.push(m))));
    expect(calls).toEqual([entry]);
    expect(waiting()).toBe(2);
    await fs.access(path.join(entry, 'demo', 'layout.json'));
    await expect(fs.access(`${entry}.lock`)).rejects.toThrow();
    // Complete: nothing is made again.
    await ensureCacheEntry(entry, maker(calls), () => {});
    expect(calls).toHaveLength(1);
  });

  it('takes over a lock left by a process that has ended', async () => {
    const entry = path.join(dir, 'orphaned');
    const dead = await execa('sh', ['-c', 'echo $$']).then((r) => Number(r.stdout));
    await fs.mkdir(`${entry}.lock`, { recursive: true });
    await writePidFile(path.join(`${entry}.lock`, 'owner.json'), dead, 'demo generator', {
      host: os.hostname(),
    });
    const calls: string[] = [];
    const logs: string[] = [];
    await ensureCacheEntry(entry, maker(calls), (m) => logs.push(m));
    expect(calls).toEqual([entry]);
    expect(logs.some((m) => m.includes('left by a process that has ended'))).toBe(true);
  });

  it('leaves no lock when making the entry fails, so the next process tries again', async () => {
    const entry = path.join(dir, 'failing');
    const failing = () => Promise.reject(new Error('dwgsim failed'));
    await expect(ensureCacheEntry(entry, failing, () => {})).rejects.toThrow('dwgsim failed');
    await expect(fs.access(`${entry}.lock`)).rejects.toThrow();
    const calls: string[] = [];
    await ensureCacheEntry(entry, maker(calls), () => {});
    expect(calls).toEqual([entry]);
  });
});
