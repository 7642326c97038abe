/** The fault suite's command line is parsed strictly, with the defaults its docs give. */
import { describe, expect, it } from 'vitest';
import { parseChaosOptions } from '../chaos/options.ts';

describe('the fault suite options', () => {
  it('default to the documented full run', () => {
    expect(parseChaosOptions([])).toEqual({
      samples: 50,
      workerKills: 20,
      faultConcurrency: 2,
      maxConcurrent: 8,
      timeoutMinutes: 90,
      temporal: 'dev',
      workers: 1,
      keep: false,
      json: false,
      help: false,
    });
  });

  it('run on a cluster with several workers when asked, and name a bad server', () => {
    expect(parseChaosOptions(['--temporal', 'cluster', '--workers', '2'])).toMatchObject({
      temporal: 'cluster',
      workers: 2,
    });
    expect(() => parseChaosOptions(['--temporal', 'sqlite'])).toThrow(/--temporal/);
    expect(() => parseChaosOptions(['--workers', '0'])).toThrow(/--workers/);
  });

  it('take every option, in both spellings of a value', () => {
    const options = parseChaosOptions(
      ['--samples', '6', '--worker-kills=1', '--fault-concurrency', '3'].concat([
        '--max-concurrent',
        '4',
        '--timeout-minutes',
        '30',
        '--keep',
        '--json',
      ]),
    );
    expect(options).toMatchObject({
      samples: 6,
      workerKills: 1,
      faultConcurrency: 3,
      maxConcurrent: 4,
      timeoutMinutes: 30,
      keep: true,
      json: true,
    });
  });

  it('refuse an unknown option by name', () => {
    expect(() => parseChaosOptions(['--worker-kill', '3'])).toThrow(/--worker-kill'/);
  });

  it('refuse a count that is not a positive whole number', () => {
    expect(() => parseChaosOptions(['--samples', 'ten'])).toThrow(/--samples needs .*"ten"/);
    expect(() => parseChaosOptions(['--samples', '0'])).toThrow(/--samples/);
    expect(() => parseChaosOptions(['--samples', '2.5'])).toThrow(/--samples/);
  });

  it('refuse an option without its value and a stray argument', () => {
    expect(() => parseChaosOptions(['--samples'])).toThrow(/--samples/);
    expect(() => parseChaosOptions(['fifty'])).toThrow(/fifty/);
  });
});
