import { describe, expect, it } from 'vitest';
import {
  buildSbatchArgs,
  checkExtraArg,
  SbatchArgsError,
} from '../../src/executors/slurm/sbatch-args.ts';
import { RateLimiter } from '../../src/executors/slurm/rate-limit.ts';

const job = {
  key: 'sample:HOV001:1/align/2',
  workDir: '/data/work/sample:HOV001:1/align/2',
  scriptPath: '/data/work/sample:HOV001:1/align/2/job.sh',
  stdoutPath: '/data/work/sample:HOV001:1/align/2/stdout.log',
  stderrPath: '/data/work/sample:HOV001:1/align/2/stderr.log',
  resources: { cpus: 4, memMiB: 8192, timeMinutes: 120 },
};
const site = { partition: null, account: null, qos: null, extraArgs: [] };

describe('buildSbatchArgs', () => {
  it('names the job by its key and asks for exactly the step resources, without requeue', () => {
    expect(buildSbatchArgs(job, site)).toEqual([
      '--parsable',
      '--job-name=sample:HOV001:1/align/2',
      '--chdir=/data/work/sample:HOV001:1/align/2',
      '--output=/data/work/sample:HOV001:1/align/2/stdout.log',
      '--error=/data/work/sample:HOV001:1/align/2/stderr.log',
      '--nodes=1',
      '--ntasks=1',
      '--cpus-per-task=4',
      '--mem=8192M',
      '--time=120',
      '--no-requeue',
      '--export=ALL',
      '/data/work/sample:HOV001:1/align/2/job.sh',
    ]);
  });

  it('adds partition, account, QoS and allowed site options before the script', () => {
    const args = buildSbatchArgs(job, {
      partition: 'ngc-rerun',
      account: 'ngc',
      qos: 'low',
      extraArgs: ['--constraint=avx2', '--reservation=harmonise'],
    });
    expect(args.slice(-6)).toEqual([
      '--partition=ngc-rerun',
      '--account=ngc',
      '--qos=low',
      '--constraint=avx2',
      '--reservation=harmonise',
      job.scriptPath,
    ]);
  });

  it.each([
    ['a key with a space', { ...job, key: 'a b' }, site],
    ['a key with a newline', { ...job, key: 'a\nb' }, site],
    ['a relative work directory', { ...job, workDir: 'work/x' }, site],
    ['zero CPUs', { ...job, resources: { ...job.resources, cpus: 0 } }, site],
    ['fractional memory', { ...job, resources: { ...job.resources, memMiB: 1.5 } }, site],
    ['a partition with a space', job, { ...site, partition: 'a b' }],
    ['an account starting with a dash', job, { ...site, account: '--wrap=rm' }],
    ['a site option not on the allow-list', job, { ...site, extraArgs: ['--wrap=rm -rf /'] }],
    ['a site option with a shell value', job, { ...site, extraArgs: ['--comment=$(id)'] }],
  ])('refuses %s', (_name, badJob, badSite) => {
    expect(() => buildSbatchArgs(badJob, badSite)).toThrow(SbatchArgsError);
  });

  it('checks configured site options on their own', () => {
    expect(checkExtraArg('--gres=gpu:1')).toBe('--gres=gpu:1');
    expect(() => checkExtraArg('--constraint')).toThrow(/not allowed/);
  });
});

describe('RateLimiter', () => {
  it('lets a burst through, then paces callers at the configured rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter(
      2,
      2,
      () => now,
      (ms) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    );
    for (let i = 0; i < 5; i++) await limiter.take();
    expect(now).toBe(1500); // 2 at once, then one every 500 ms
    expect(waits.every((ms) => ms === 500)).toBe(true);
  });
});
