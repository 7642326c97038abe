/**
 * The benchmarks' command lines (bench/options.ts): an unknown or malformed option is refused by
 * name with the benchmark's usage line, and the defaults are those docs/benchmarks.md gives.
 */
import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COHORT_CACHE } from '../../bench/cohort/generate.ts';
import { DEFAULT_LOOKUP_CACHE } from '../../bench/lookup-model.ts';
import {
  BENCH_USAGE,
  BenchUsageError,
  GENERAL_USAGE,
  parseBenchCommand,
} from '../../bench/options.ts';
import { PROJECT_ROOT } from '../../src/config.ts';

function refusal(argv: string[]): BenchUsageError {
  try {
    parseBenchCommand(argv);
  } catch (error) {
    if (error instanceof BenchUsageError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('the benchmarks command line', () => {
  it.each([
    [['campaign', '--bogus'], '--bogus', 'campaign'],
    [['frequency', '--samples', '400', '--peers', '2'], '--peers', 'frequency'],
    [['slurm-overhead', '--quick', '--slow'], '--slow', 'slurm-overhead'],
    [['campaign', '-x'], '-x', 'campaign'],
    [['lookup', '--samples', '5'], '--samples', 'lookup'],
    [['reuse', '--samples', '5'], '--samples', 'reuse'],
  ] as const)('refuses an unknown option by name: %j', (argv, option, bench) => {
    const error = refusal([...argv]);
    expect(error.message).toContain(option);
    expect(error.usage).toBe(BENCH_USAGE[bench]);
  });

  it.each([
    [['campaign', '--samples', 'many'], '--samples'],
    [['campaign', '--samples', '0'], '--samples'],
    [['campaign', '--samples', '1.5'], '--samples'],
    [['campaign', '--max-concurrent', ''], '--max-concurrent'],
    [['campaign', '--temporal', 'cloud'], '--temporal'],
    [['campaign', '--workers', '0'], '--workers'],
    [['campaign', '--setups', 'cluster:two'], '--setups'],
    [['campaign', '--setups', 'sqlite:1'], '--temporal'],
    [['frequency', '--peer-max', 'x'], '--peer-max'],
    [['frequency', '--shard-bases', '1e-3'], '--shard-bases'],
    [['frequency', '--seed=-1'], '--seed'],
    [['frequency', '--seed', 'one'], '--seed'],
    [['frequency', '--samples', '400,lots'], '--samples'],
    [['frequency', '--samples', '1'], '--samples'],
    [['lookup', '--sites', '2.5'], '--sites'],
    [['lookup', '--lookups', '0'], '--lookups'],
    [['lookup', '--concurrency', 'eight'], '--concurrency'],
    [['lookup', '--peer-lookups', '-1'], '--peer-lookups'],
    [['lookup', '--seed', '-1'], '--seed'],
    [['reuse', '--seed', 'x'], '--seed'],
  ] as const)('refuses a number option that is not one: %j', (argv, option) => {
    expect(refusal([...argv]).message).toContain(option);
  });

  it.each([
    [['campaign', '--samples'], '--samples'],
    [['campaign', '--resume', '--keep'], '--resume'],
    [['campaign', '--keep=yes'], '--keep'],
    [['frequency', '--cohort', 'copies'], '--cohort'],
  ] as const)('refuses a missing or wrong value: %j', (argv, option) => {
    expect(refusal([...argv]).message).toContain(option);
  });

  it('refuses an unknown benchmark and positional arguments', () => {
    expect(refusal(['campain']).usage).toBe(GENERAL_USAGE);
    expect(refusal([]).usage).toBe(GENERAL_USAGE);
    expect(refusal(['campaign', 'extra']).message).toContain('extra');
  });

  it('gives the documented defaults', () => {
    expect(parseBenchCommand(['campaign'])).toEqual({
      name: 'campaign',
      json: false,
      help: false,
      options: {
        samples: 1000,
        maxConcurrent: 200,
        setups: [{ temporal: 'dev', workers: 1 }],
        resume: null,
        profile: null,
        keep: false,
      },
    });
    expect(parseBenchCommand(['frequency'])).toEqual({
      name: 'frequency',
      json: false,
      help: false,
      options: {
        cohort: 'distinct',
        samples: [400],
        peerMax: 800,
        seed: 1,
        dir: DEFAULT_COHORT_CACHE,
        shardBases: null,
        clean: false,
      },
    });
    expect(parseBenchCommand(['slurm-overhead'])).toEqual({
      name: 'slurm-overhead',
      json: false,
      help: false,
      options: { quick: false },
    });
    expect(parseBenchCommand(['lookup'])).toEqual({
      name: 'lookup',
      json: false,
      help: false,
      options: {
        sites: 100_000,
        lookups: 10_000,
        concurrency: 8,
        peerLookups: 1000,
        seed: 1,
        dir: DEFAULT_LOOKUP_CACHE,
        keep: false,
      },
    });
    expect(parseBenchCommand(['reuse', '--keep'])).toEqual({
      name: 'reuse',
      json: false,
      help: false,
      options: { seed: 1, keep: true },
    });
  });

  it('reads an explicit list of setups, in its order', () => {
    const parsed = parseBenchCommand(['campaign', '--setups', 'cluster:2,cluster:1,dev:1']);
    expect(parsed.name === 'campaign' && parsed.options.setups).toEqual([
      { temporal: 'cluster', workers: 2 },
      { temporal: 'cluster', workers: 1 },
      { temporal: 'dev', workers: 1 },
    ]);
  });

  it('reads every documented option', () => {
    expect(
      parseBenchCommand([
        'campaign',
        '--samples',
        '50',
        '--max-concurrent=8',
        '--temporal',
        'cluster,dev',
        '--workers',
        '2,1',
        '--resume',
        'some/dir',
        '--profile',
        'prof',
        '--keep',
        '--json',
      ]),
    ).toEqual({
      name: 'campaign',
      json: true,
      help: false,
      options: {
        samples: 50,
        maxConcurrent: 8,
        setups: [
          { temporal: 'cluster', workers: 2 },
          { temporal: 'cluster', workers: 1 },
          { temporal: 'dev', workers: 2 },
          { temporal: 'dev', workers: 1 },
        ],
        resume: path.resolve('some/dir'),
        profile: path.resolve('prof'),
        keep: true,
      },
    });
    const frequency = parseBenchCommand([
      'frequency',
      '--samples',
      '800,400,800',
      '--peer-max',
      '400',
      '--seed',
      '0',
      '--dir',
      'cohorts',
      '--shard-bases',
      '1000',
      '--clean',
    ]);
    expect(frequency.options).toEqual({
      cohort: 'distinct',
      samples: [400, 800],
      peerMax: 400,
      seed: 0,
      dir: path.resolve('cohorts'),
      shardBases: 1000,
      clean: true,
    });
    expect(
      parseBenchCommand([
        'lookup',
        '--sites=2000',
        '--lookups',
        '300',
        '--concurrency',
        '2',
        '--peer-lookups',
        '50',
        '--seed',
        '0',
        '--dir',
        'releases',
        '--keep',
        '--json',
      ]),
    ).toEqual({
      name: 'lookup',
      json: true,
      help: false,
      options: {
        sites: 2000,
        lookups: 300,
        concurrency: 2,
        peerLookups: 50,
        seed: 0,
        dir: path.resolve('releases'),
        keep: true,
      },
    });
    expect(parseBenchCommand(['slurm-overhead', '--quick', '--help'])).toMatchObject({
      help: true,
      options: { quick: true },
    });
  });

  it('exits 2 with the usage line before any benchmark starts', async () => {
    const result = await execa(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', 'campaign', '--samples', '10', '--bogus'],
      { cwd: PROJECT_ROOT, reject: false },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`bench: Unknown option '--bogus'\n${BENCH_USAGE.campaign}`);
  });
});
