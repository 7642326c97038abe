import { describe, expect, it } from 'vitest';
import { SlurmUnavailableError } from '../../src/executors/slurm/commands.ts';
import { KeyLookup } from '../../src/executors/slurm/key-lookup.ts';
import type { SacctRow, SlurmJobRow } from '../../src/executors/slurm/parsers.ts';

/** Slurm's answers as the parsers give them, and every call the look-up made. */
function fakeSlurm(live: [string, string][], accounted: [string, string][] = []) {
  const calls: { command: 'squeue' | 'sacct'; names: string[] }[] = [];
  let failNext = false;
  let gate: Promise<void> = Promise.resolve();
  const commands = {
    async squeueByNames(names: readonly string[]): Promise<SlurmJobRow[]> {
      calls.push({ command: 'squeue', names: [...names] });
      await gate;
      if (failNext) {
        failNext = false;
        throw new SlurmUnavailableError('squeue: timed out after 30000 ms');
      }
      return live
        .filter(([name]) => names.includes(name))
        .map(([name, jobId]) => ({
          jobId,
          name,
          rawState: 'RUNNING',
          state: 'RUNNING',
          reason: 'None',
        }));
    },
    sacct(filter: { names: readonly string[] } | { jobIds: readonly string[] }) {
      const names = 'names' in filter ? [...filter.names] : [];
      if (names.length > 0) calls.push({ command: 'sacct', names });
      return Promise.resolve(
        accounted
          .filter(([name]) => names.includes(name))
          .map(([name, jobId]): SacctRow => ({
            jobId,
            name,
            rawState: 'COMPLETED',
            state: 'COMPLETED',
            exitCode: '0:0',
          })),
      );
    },
  };
  return {
    commands,
    calls,
    failOnce: () => {
      failNext = true;
    },
    /** Holds squeue's answers until the returned function is called. */
    hold: () => {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      return release;
    },
  };
}

describe('KeyLookup', () => {
  it('answers keys asked at the same time with one squeue', async () => {
    const slurm = fakeSlurm([
      ['k/1', '11'],
      ['k/3', '13'],
    ]);
    const lookup = new KeyLookup(slurm.commands);
    const answers = await Promise.all(['k/1', 'k/2', 'k/3'].map((key) => lookup.find(key, false)));
    expect(answers).toEqual(['11', null, '13']);
    expect(slurm.calls).toEqual([{ command: 'squeue', names: ['k/1', 'k/2', 'k/3'] }]);
  });

  it('searches accounting only for keys that asked for it and squeue did not know', async () => {
    const slurm = fakeSlurm(
      [['live', '5']],
      [
        ['intent', '4'],
        ['fresh', '3'],
      ],
    );
    const lookup = new KeyLookup(slurm.commands);
    const answers = await Promise.all([
      lookup.find('live', true),
      lookup.find('intent', true),
      lookup.find('fresh', false),
    ]);
    // `fresh` has a job in accounting, but no submission of it can have gone unrecorded.
    expect(answers).toEqual(['5', '4', null]);
    expect(slurm.calls).toEqual([
      { command: 'squeue', names: ['live', 'intent', 'fresh'] },
      { command: 'sacct', names: ['intent'] },
    ]);
  });

  it('takes the latest job when a name has several, whatever the row order', async () => {
    const slurm = fakeSlurm([
      ['twice', '120'],
      ['twice', '99'],
    ]);
    expect(await new KeyLookup(slurm.commands).find('twice', false)).toBe('120');
  });

  it('gathers keys asked while a look-up runs into the next one', async () => {
    const slurm = fakeSlurm([['c', '3']]);
    const lookup = new KeyLookup(slurm.commands);
    const release = slurm.hold();
    const first = lookup.find('a', false);
    await expect.poll(() => slurm.calls.length).toBe(1); // squeue for `a` is under way
    const later = ['b', 'c', 'd'].map((key) => lookup.find(key, false));
    release();
    expect(await Promise.all([first, ...later])).toEqual([null, null, '3', null]);
    expect(slurm.calls.map((c) => c.names)).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('splits many keys into calls of at most 100', async () => {
    const slurm = fakeSlurm([]);
    const lookup = new KeyLookup(slurm.commands);
    await Promise.all(Array.from({ length: 250 }, (_, i) => lookup.find(`key/${i}`, false)));
    expect(slurm.calls.map((c) => c.names.length)).toEqual([100, 100, 50]);
  });

  it('fails every key of a look-up the controller did not answer, and recovers', async () => {
    const slurm = fakeSlurm([['y', '7']]);
    slurm.failOnce();
    const lookup = new KeyLookup(slurm.commands);
    const failed = await Promise.allSettled([lookup.find('x', false), lookup.find('y', false)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toBeInstanceOf(SlurmUnavailableError);
    expect(await lookup.find('y', false)).toBe('7');
  });
});
