/**
 * The slurm executor against the real single-node cluster (infra/slurm): submission exactly once
 * per key, states read from markers and from Slurm, ids checked against names, and one status
 * call for every job in flight, at most once per interval. (How many calls an interval makes
 * over time is measured by bench/slurm-overhead.ts, not asserted here.)
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SLURM_CONF } from '../../src/config.ts';
import { JobPoller } from '../../src/executors/poller.ts';
import type { JobRef, JobSpec } from '../../src/executors/port.ts';
import { SlurmExecutor, SLURM_JOB_FILE } from '../../src/executors/slurm/adapter.ts';
import { SlurmCommands } from '../../src/executors/slurm/commands.ts';
import { renderJobScript } from '../../src/tools/job-script.ts';
import { rename, run } from '../../src/tools/shell.ts';
import { testLogger } from '../helpers/logger.ts';
import { ensureTestSlurm, slurmCommand, slurmJobsNamed } from '../helpers/slurm.ts';
import { waitFor } from '../helpers/wait.ts';

let root: string;
let commands: SlurmCommands;
let executor: SlurmExecutor;
const runId = Date.now().toString(36);

beforeAll(async () => {
  await ensureTestSlurm();
  // Work directories must be visible to the Slurm node: on this machine, any local path.
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-slurm-'));
  commands = new SlurmCommands({ conf: LOCAL_SLURM_CONF, accounting: 'jobcomp' });
  executor = new SlurmExecutor({
    commands,
    site: { partition: null, account: null, qos: null, extraArgs: [] },
    submitRatePerSecond: 50,
    statusIntervalMs: 1000,
    logger: testLogger,
  });
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

function spec(
  name: string,
  body: string,
  resources = { cpus: 1, memMiB: 128, timeMinutes: 5 },
): JobSpec {
  const workDir = path.join(root, name);
  const key = `test-${runId}:${name}/step/1`;
  return {
    key,
    workDir,
    resources,
    script: renderJobScript({
      key,
      workDir,
      tools: [],
      lines: [run([['bash', '-c', body]], 'out.txt.tmp'), rename('out.txt.tmp', 'out.txt')],
    }),
  };
}

function poller(missingGraceMs = 20_000): JobPoller {
  return new JobPoller(executor, { intervalMs: 250, missingGraceMs, logger: testLogger });
}

async function waitForState(ref: JobRef, state: string): Promise<void> {
  await expect
    .poll(async () => (await commands.squeueByIds([ref.jobId]))[0]?.rawState, {
      timeout: 30_000,
      interval: 250,
    })
    .toBe(state);
}

describe('SlurmExecutor on a real cluster', () => {
  it('runs a job to COMPLETED and its output lands', async () => {
    const job = spec('ok', 'echo from-slurm');
    const ref = await executor.submit(job);
    expect(ref.jobId).toMatch(/^\d+$/);
    expect(await poller().wait(ref)).toMatchObject({ state: 'COMPLETED', exitCode: 0 });
    expect(await fs.readFile(path.join(job.workDir, 'out.txt'), 'utf8')).toBe('from-slurm\n');
  });

  it('submits each key once: a second submit, or one after a lost record, finds the same job', async () => {
    // It sleeps so that it is still in squeue when its record is lost and looked up by name.
    const job = spec('once', 'sleep 3; echo once');
    const before = commands.sbatchCalls;
    const ref = await executor.submit(job);
    expect((await executor.submit(job)).jobId).toBe(ref.jobId);
    // The worker died between sbatch and writing its record: the job is found by its name.
    await fs.rm(path.join(job.workDir, SLURM_JOB_FILE));
    const again = await executor.submit(job);
    expect(again.jobId).toBe(ref.jobId);
    const record = JSON.parse(
      await fs.readFile(path.join(job.workDir, SLURM_JOB_FILE), 'utf8'),
    ) as {
      source: string;
    };
    expect(record.source).toBe('found');
    expect(commands.sbatchCalls - before).toBe(1);
    expect(await poller().wait(again)).toMatchObject({ state: 'COMPLETED' });
    expect(await slurmJobsNamed(job.key)).toEqual([ref.jobId]);
  });

  it('reads a failing tool from its marker and Slurm, with the exit code', async () => {
    const ref = await executor.submit(spec('fail', 'echo bad >&2; exit 4'));
    const status = await poller().wait(ref);
    expect(status).toMatchObject({ state: 'FAILED', exitCode: 4 });
  });

  it('reports a job over its memory as OUT_OF_MEMORY', async () => {
    // It holds its memory (sleeping) long enough for Slurm's memory accounting to see it.
    const ref = await executor.submit(
      spec('oom', `perl -e '$x = "a" x (300 * 1024 * 1024); sleep 5'`, {
        cpus: 1,
        memMiB: 64,
        timeMinutes: 5,
      }),
    );
    expect((await poller().wait(ref)).state).toBe('OUT_OF_MEMORY');
  });

  it('reports a job cancelled from outside as CANCELLED', async () => {
    const ref = await executor.submit(spec('outside', 'sleep 120')); // running until cancelled
    await waitForState(ref, 'RUNNING');
    await slurmCommand('scancel', [ref.jobId]);
    expect((await poller().wait(ref)).state).toBe('CANCELLED');
  });

  it('cancels its own job only under the job name it expects', async () => {
    const ref = await executor.submit(spec('cancel', 'sleep 120')); // running until cancelled
    await waitForState(ref, 'RUNNING');
    await executor.cancel({ ...ref, key: 'someone-else' });
    // scancel returns once the controller has acted on the request: had it cancelled the job,
    // squeue would say so now (CANCELLED, or COMPLETING on its way there).
    expect((await commands.squeueByIds([ref.jobId]))[0]?.rawState).toBe('RUNNING');
    await executor.cancel(ref);
    expect(await poller().wait(ref)).toMatchObject({
      state: 'CANCELLED',
      reason: 'cancelled by harmonise',
    });
  });

  it('does not take a job id that Slurm gave to another job as its own', async () => {
    const other = await executor.submit(spec('other', 'sleep 1')); // a real job of another key
    // A record naming that id under a different key, as after a controller crash reused it.
    const job = spec('reused', 'true');
    await fs.mkdir(job.workDir, { recursive: true });
    await fs.writeFile(
      path.join(job.workDir, SLURM_JOB_FILE),
      JSON.stringify({
        key: job.key,
        jobId: other.jobId,
        submittedAt: new Date().toISOString(),
        source: 'sbatch',
      }),
    );
    const ref = await executor.submit(job);
    expect(ref.jobId).toBe(other.jobId);
    const status = await poller(2000).wait(ref);
    expect(status.state).toBe('NODE_FAIL');
    expect(status.reason).toMatch(/lost track/);
  });

  it('rides out a controller restart: a submission retried until it goes through, failed polls within grace', async () => {
    // It sleeps so that it is still running while the controller is down and back.
    const running = await executor.submit(spec('through-restart', 'sleep 8; echo survived'));
    await waitForState(running, 'RUNNING');
    const p = poller(60_000);
    const waitingForRunning = p.wait(running);
    const pidFile = path.join(path.dirname(LOCAL_SLURM_CONF), '..', 'run', 'slurmctld.pid');
    const pid = Number((await fs.readFile(pidFile, 'utf8')).trim());
    process.kill(pid, 'SIGTERM');
    await expect.poll(() => commands.ping(), { timeout: 15_000 }).toBe(false);
    const callsBefore = commands.sbatchCalls + commands.lookupCalls;
    const retrying = new SlurmExecutor({
      commands,
      site: { partition: null, account: null, qos: null, extraArgs: [] },
      submitRatePerSecond: 50,
      statusIntervalMs: 1000,
      logger: testLogger,
      sbatchBackoffMs: 500,
    });
    const job = spec('during-restart', 'echo submitted-while-down');
    const submitting = retrying.submit(job);
    // A Slurm client retries its connection for about 9 s before it fails: the controller
    // comes back only once one call has failed that way and the executor has made another.
    await waitFor(() => commands.sbatchCalls + commands.lookupCalls - callsBefore >= 2, {
      what: 'a Slurm call to fail while the controller is down, and the executor to retry it',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const restart = await slurmCommand('/usr/sbin/slurmctld', ['-f', LOCAL_SLURM_CONF]);
    expect(restart.exitCode, restart.stderr).toBe(0);
    const ref = await submitting;
    // At least one call failed and was retried before the one sbatch went through.
    expect(commands.sbatchCalls + commands.lookupCalls - callsBefore).toBeGreaterThanOrEqual(3);
    expect(await slurmJobsNamed(job.key)).toEqual([ref.jobId]);
    expect(await p.wait(ref)).toMatchObject({ state: 'COMPLETED' });
    expect(await waitingForRunning).toMatchObject({ state: 'COMPLETED' });
    expect(await fs.readFile(path.join(running.workDir, 'out.txt'), 'utf8')).toBe('survived\n');
  }, 120_000);

  it('asks Slurm about 100 jobs in flight in one call, at most once per status interval, and looks their keys up together', async () => {
    // They sleep to stay in flight until the test cancels them.
    const lookupsBefore = commands.lookupCalls;
    const jobs = Array.from({ length: 100 }, (_, i) => spec(`many-${i}`, 'sleep 600'));
    const refs = await Promise.all(jobs.map((job) => executor.submit(job)));
    try {
      // First attempts, in work directories made just then: nothing to look up.
      expect(commands.lookupCalls - lookupsBefore).toBe(0);
      // Their records lost (as if each worker died right after sbatch): every job is found again
      // by its name, and the look-ups made at the same time share a few squeues.
      await Promise.all(jobs.map((job) => fs.rm(path.join(job.workDir, SLURM_JOB_FILE))));
      const sbatchBefore = commands.sbatchCalls;
      const again = await Promise.all(jobs.map((job) => executor.submit(job)));
      expect(again.map((ref) => ref.jobId)).toEqual(refs.map((ref) => ref.jobId));
      expect(commands.sbatchCalls - sbatchBefore).toBe(0);
      expect(commands.lookupCalls - lookupsBefore).toBeGreaterThanOrEqual(1);
      expect(commands.lookupCalls - lookupsBefore).toBeLessThanOrEqual(10);

      // An interval longer than the test: only the first status call may ask Slurm.
      const throttled = new SlurmExecutor({
        commands,
        site: { partition: null, account: null, qos: null, extraArgs: [] },
        submitRatePerSecond: 50,
        statusIntervalMs: 3_600_000,
        logger: testLogger,
      });
      const before = commands.statusCalls;
      const first = await throttled.status(refs);
      expect(commands.statusCalls - before).toBe(1);
      expect(first.size).toBe(100);
      for (const status of first.values()) expect(['PENDING', 'RUNNING']).toContain(status.state);
      for (let i = 0; i < 5; i++) expect((await throttled.status(refs)).size).toBe(100);
      expect(commands.statusCalls - before).toBe(1);

      // The poller's rounds: never more than one Slurm call per round, whatever the number.
      const p = poller();
      const waits = refs.map((ref) => p.wait(ref));
      const callsBefore = commands.statusCalls;
      await waitFor(() => p.statusCalls >= 5, { what: 'five poller rounds', timeoutMs: 60_000 });
      const rounds = p.statusCalls;
      expect(commands.statusCalls - callsBefore).toBeGreaterThan(0);
      expect(commands.statusCalls - callsBefore).toBeLessThanOrEqual(rounds);
      await Promise.all(refs.map((ref) => executor.cancel(ref)));
      const ended = await Promise.all(waits);
      expect(ended.every((s) => s.state === 'CANCELLED')).toBe(true);
    } finally {
      await Promise.all(refs.map((ref) => executor.cancel(ref).catch(() => undefined)));
    }
  }, 120_000);
});
