import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalExecutor, JOB_FILE } from '../../src/executors/local.ts';
import { JobLauncher } from '../../src/executors/local-launcher.ts';
import { processStartTime } from '../../src/platform/process.ts';
import { JobPoller } from '../../src/executors/poller.ts';
import type { JobRef, JobSpec } from '../../src/executors/port.ts';
import { renderJobScript } from '../../src/tools/job-script.ts';
import { rename, run } from '../../src/tools/shell.ts';
import { testLogger } from '../helpers/logger.ts';
import { processGroup, processInfo, stillAlive, type ProcessInfo } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';

let root: string;
const executors: LocalExecutor[] = [];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-local-'));
});
afterEach(async () => {
  for (const executor of executors.splice(0)) await executor.close();
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

function executor(
  options: Partial<ConstructorParameters<typeof LocalExecutor>[0]> = {},
): LocalExecutor {
  const created = new LocalExecutor({
    cpus: 2,
    memMiB: 4096,
    ledgerFile: path.join(root, 'ledger.jsonl'),
    logger: testLogger,
    watchIntervalMs: 100,
    killGraceMs: 500,
    ...options,
  });
  executors.push(created);
  return created;
}

/** A job whose script runs `bash -c <body>` and then publishes `out.txt`. */
function spec(
  name: string,
  body: string,
  resources = { cpus: 1, memMiB: 512, timeMinutes: 5 },
): JobSpec {
  const workDir = path.join(root, name);
  const key = `test:${name}/step/1`;
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

function poller(exec: LocalExecutor, missingGraceMs = 5000): JobPoller {
  return new JobPoller(exec, { intervalMs: 100, missingGraceMs, logger: testLogger });
}

async function starts(key: string): Promise<number> {
  const text = await fs.readFile(path.join(root, 'ledger.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .filter((line) => (JSON.parse(line) as { key: string }).key === key).length;
}

async function jobPid(ref: JobRef): Promise<{ pid: number; pidStartTime: string }> {
  return waitFor(
    async () => {
      const file = JSON.parse(await fs.readFile(path.join(ref.workDir, JOB_FILE), 'utf8')) as {
        pid?: number;
        pidStartTime?: string;
      };
      return file.pid && file.pidStartTime
        ? { pid: file.pid, pidStartTime: file.pidStartTime }
        : null;
    },
    { what: `job ${ref.key} to record its pid` },
  );
}

/** A job body that holds its job running until the test creates `release` in its folder. */
const UNTIL_RELEASED = 'until [ -e release ]; do sleep 0.05; done';
const release = (ref: JobRef) => fs.writeFile(path.join(ref.workDir, 'release'), '');

/**
 * A job body that starts two sleeping grandchildren of the job's shell, the first of which
 * ignores SIGTERM (so only SIGKILL ends it), and writes the pids of all three processes below
 * that shell to `pids`, one a line.
 */
const WITH_GRANDCHILDREN =
  "(trap '' TERM; exec sleep 60) & echo $! >> pids; sleep 60 & echo $! >> pids; echo $$ >> pids; wait";

/** The processes a WITH_GRANDCHILDREN job recorded, once all three have, while they live. */
async function recordedProcesses(ref: JobRef): Promise<ProcessInfo[]> {
  const pids = await waitFor(
    async () => {
      const text = await fs.readFile(path.join(ref.workDir, 'pids'), 'utf8').catch(() => '');
      const lines = text.split('\n').filter(Boolean);
      return lines.length === 3 && lines.map(Number);
    },
    { what: `job ${ref.key} to write the pids of its processes` },
  );
  return pids.map((pid) => {
    const info = processInfo(pid);
    if (info === null) throw new Error(`process ${pid} of job ${ref.key} ended before its kill`);
    return info;
  });
}

/** Waits until none of these processes lives and the job's process group is empty. */
async function allGone(jobPid: number, processes: ProcessInfo[], why: string): Promise<void> {
  await waitFor(() => stillAlive(processes).length === 0 && processGroup(jobPid).length === 0, {
    what: `every process of the job (group ${jobPid}: ${processes.map((p) => `${p.pid} ${p.command}`).join(', ')}) to be gone after ${why}`,
    timeoutMs: 10_000,
  });
}

describe('LocalExecutor', () => {
  it('runs a job to COMPLETED and leaves its output', async () => {
    const exec = executor();
    const job = spec('ok', 'echo done');
    const ref = await exec.submit(job);
    const status = await poller(exec).wait(ref);
    expect(status).toMatchObject({ state: 'COMPLETED', exitCode: 0 });
    expect(await fs.readFile(path.join(job.workDir, 'out.txt'), 'utf8')).toBe('done\n');
  });

  it('reports a failing tool as FAILED with its exit code', async () => {
    const exec = executor();
    const ref = await exec.submit(spec('fail', 'echo broken >&2; exit 7'));
    expect(await poller(exec).wait(ref)).toMatchObject({ state: 'FAILED', exitCode: 7 });
    expect(await fs.readFile(path.join(ref.workDir, 'stderr.log'), 'utf8')).toContain('broken');
  });

  it('keeps within its CPU budget: a second job waits PENDING while the first runs', async () => {
    const exec = executor({ cpus: 1 });
    const first = await exec.submit(spec('cpu-a', UNTIL_RELEASED));
    // The second job writes the first one's exit marker as it finds it when it starts.
    const marker = path.join(first.workDir, 'exitcode');
    const second = await exec.submit(spec('cpu-b', `cat ${marker} 2>/dev/null || echo none`));
    const early = await exec.status([first, second]);
    expect(early.get(first.jobId)?.state).toBe('RUNNING');
    expect(early.get(second.jobId)?.state).toBe('PENDING');
    await jobPid(first); // the first job's process runs: the second still waits
    expect((await exec.status([second])).get(second.jobId)?.state).toBe('PENDING');
    await release(first);
    const p = poller(exec);
    await Promise.all([p.wait(first), p.wait(second)]);
    expect(await fs.readFile(path.join(second.workDir, 'out.txt'), 'utf8')).toBe('0\n');
  });

  it('ends a job over its time limit as TIMEOUT and kills its process group', async () => {
    const exec = executor({ minuteMs: 300 });
    // Its processes sleep past the limit on purpose: the limit is what is under test.
    const ref = await exec.submit(
      spec('timeout', 'sleep 30 & echo $! >> pids; echo $$ >> pids; wait', {
        cpus: 1,
        memMiB: 512,
        timeMinutes: 1,
      }),
    );
    const { pid } = await jobPid(ref);
    expect(await poller(exec).wait(ref)).toMatchObject({ state: 'TIMEOUT' });
    const recorded = (await fs.readFile(path.join(ref.workDir, 'pids'), 'utf8'))
      .split('\n')
      .filter(Boolean);
    expect(recorded).toHaveLength(2);
    await waitFor(() => processGroup(pid).length === 0, {
      what: `the process group ${pid} of the timed-out job to be empty`,
      timeoutMs: 10_000,
    });
  });

  it('ends a job over its memory as OUT_OF_MEMORY', async () => {
    const exec = executor();
    // It holds its memory (sleeping) until the executor's memory watch sees it.
    const ref = await exec.submit(
      spec('oom', `perl -e '$x = "a" x (300 * 1024 * 1024); sleep 30'`, {
        cpus: 1,
        memMiB: 100,
        timeMinutes: 5,
      }),
    );
    const status = await poller(exec).wait(ref);
    expect(status.state).toBe('OUT_OF_MEMORY');
    expect(status.reason).toMatch(/over its 100 MiB/);
  });

  it('cancels a running job and every process it started, grandchildren included', async () => {
    const exec = executor();
    const ref = await exec.submit(spec('cancel', WITH_GRANDCHILDREN));
    const job = await jobPid(ref);
    const leader = processInfo(job.pid)!;
    const below = await recordedProcesses(ref);
    // The shell the job script runs, and the two sleeps that shell started: grandchildren.
    expect(below.map((p) => p.command).sort()).toEqual(['bash', 'sleep', 'sleep']);
    for (const p of below) expect(p.pgid).toBe(job.pid);
    await exec.cancel(ref);
    expect(await poller(exec).wait(ref)).toMatchObject({ state: 'CANCELLED' });
    await allGone(job.pid, [leader, ...below], 'its cancel');
  });

  it('cancels a job an earlier worker started, killing what ignores SIGTERM', async () => {
    const first = executor();
    const job = spec('cancel-left', WITH_GRANDCHILDREN);
    const ref = await first.submit(job);
    const started = await jobPid(ref);
    const leader = processInfo(started.pid)!;
    const below = await recordedProcesses(ref);
    await first.close(); // the worker is gone; the job keeps running
    const second = executor();
    await second.cancel(ref);
    await allGone(started.pid, [leader, ...below], 'a cancel by the next worker');
    expect(await poller(second).wait(ref)).toMatchObject({ state: 'CANCELLED' });
  });

  it('re-attaches to a job that outlived its worker instead of starting it again', async () => {
    const first = executor();
    const job = spec('reattach', `${UNTIL_RELEASED}; echo finished`);
    const ref = await first.submit(job);
    await jobPid(ref);
    await first.close(); // the worker is gone; the job keeps running
    const second = executor();
    const again = await second.submit(job);
    expect(again.jobId).toBe(ref.jobId);
    expect(await second.status([again])).toEqual(
      new Map([[ref.jobId, expect.objectContaining({ state: 'RUNNING' })]]),
    );
    await release(ref);
    expect(await poller(second).wait(again)).toMatchObject({ state: 'COMPLETED' });
    expect(await fs.readFile(path.join(job.workDir, 'out.txt'), 'utf8')).toBe('finished\n');
    expect(await starts(job.key)).toBe(1);
    // A third submission of a finished key starts nothing either.
    const third = executor();
    expect((await third.submit(job)).jobId).toBe(ref.jobId);
    expect(await starts(job.key)).toBe(1);
  });

  it('finds a job by its environment when the worker died before recording its pid', async () => {
    const first = executor();
    const job = spec('starting', `${UNTIL_RELEASED}; echo finished`);
    const ref = await first.submit(job);
    await jobPid(ref);
    await first.close();
    const file = path.join(job.workDir, JOB_FILE);
    const record = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(
      file,
      JSON.stringify({ ...record, phase: 'starting', pid: undefined, pidStartTime: undefined }),
    );
    const second = executor();
    await second.submit(job);
    // Still running (held until released): the second worker found the running process.
    expect((await second.status([ref])).get(ref.jobId)?.state).toBe('RUNNING');
    await release(ref);
    expect(await poller(second).wait(ref)).toMatchObject({ state: 'COMPLETED' });
    expect(await starts(job.key)).toBe(1);
  });

  it('reports a job killed from outside, without its marker, as NODE_FAIL', async () => {
    const exec = executor();
    const ref = await exec.submit(spec('vanish', 'sleep 30')); // running when it is killed
    const { pid } = await jobPid(ref);
    process.kill(-pid, 'SIGKILL');
    const status = await poller(exec).wait(ref);
    expect(status.state).toBe('NODE_FAIL');
    expect(status.reason).toMatch(/vanished/);
  });

  // A file system of its own to fill: a tmpfs, which only root may mount (CI runs as root).
  it.runIf(process.getuid?.() === 0)(
    'says a job on a full work disk could not write its end, and why',
    async () => {
      const disk = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-full-'));
      await execa('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', disk]);
      try {
        const exec = executor();
        const workDir = path.join(disk, 'job');
        const job = {
          ...spec('full', 'head -c 4000000 /dev/zero > big; echo done'),
          workDir,
        };
        job.script = job.script.replaceAll(path.join(root, 'full'), workDir);
        const status = await poller(exec).wait(await exec.submit(job));
        expect(status.state).toBe('NODE_FAIL');
        expect(status.reason).toContain(`work folder ${workDir} is full`);
      } finally {
        await execa('umount', ['-l', disk]);
        await fs.rm(disk, { recursive: true, force: true });
      }
    },
  );
});

describe('LocalExecutor with several workers on one data root', () => {
  it('makes one job of a key that two workers submit at once, and starts it once', async () => {
    const job = spec('both-submit', 'echo once');
    const [one, two] = await Promise.all([executor().submit(job), executor().submit(job)]);
    expect(two.jobId).toBe(one.jobId);
    await poller(executors[0]!).wait(one);
    await waitFor(async () => (await starts(job.key)) === 1, { what: 'the one start' });
    // The other worker, which never started it, reads its end from the job's folder.
    expect(await poller(executors[1]!).wait(two)).toMatchObject({ state: 'COMPLETED' });
    expect(await starts(job.key)).toBe(1);
  });

  it('does not start a job another worker that had it queued too has started', async () => {
    const first = executor({ cpus: 1 });
    const blocker = await first.submit(spec('queue-blocker', UNTIL_RELEASED));
    const job = spec('queued-twice', 'echo once');
    const queued = await first.submit(job); // waits in the first worker's queue
    expect(first.usage().queued).toBe(1);
    // Its watch is taken over by a second worker (the first looked gone), which starts it.
    const second = executor();
    await second.adopt(queued);
    expect(await poller(second).wait(queued)).toMatchObject({ state: 'COMPLETED' });
    await release(blocker);
    await waitFor(() => first.usage().running + first.usage().queued === 0, {
      what: 'the first worker to have tried its queue',
    });
    expect(await starts(job.key)).toBe(1);
    expect(await poller(first).wait(queued)).toMatchObject({ state: 'COMPLETED' });
  });

  it('never starts a queued job that was cancelled through another worker', async () => {
    const first = executor({ cpus: 1 });
    const blocker = await first.submit(spec('cancel-blocker', UNTIL_RELEASED));
    const job = spec('cancelled-elsewhere', 'echo ran');
    const queued = await first.submit(job);
    await executor().cancel(queued); // the cancelJob activity ran on another worker
    await release(blocker);
    await waitFor(() => first.usage().running + first.usage().queued === 0, {
      what: 'the first worker to have tried its queue',
    });
    expect(await poller(first).wait(queued)).toMatchObject({ state: 'CANCELLED' });
    expect(await starts(job.key)).toBe(0);
  });
});

describe('JobPoller', () => {
  it('asks the executor about every job in flight in one call, one call at a time', async () => {
    const exec = executor({ cpus: 16 });
    const waiting = new Set<string>();
    let calls = 0;
    let inCall = 0;
    const problems: string[] = [];
    const counting = {
      kind: exec.kind,
      submit: exec.submit.bind(exec),
      adopt: exec.adopt.bind(exec),
      cancel: exec.cancel.bind(exec),
      close: exec.close.bind(exec),
      status: async (jobs: readonly JobRef[]) => {
        calls += 1;
        inCall += 1;
        if (inCall > 1) problems.push(`call ${calls} overlapped another`);
        const asked = jobs.map((j) => j.jobId).sort();
        const expected = [...waiting].sort();
        if (asked.join() !== expected.join())
          problems.push(`call ${calls} asked ${asked.length} of ${expected.length} jobs waited on`);
        try {
          return await exec.status(jobs);
        } finally {
          inCall -= 1;
        }
      },
    };
    const p = new JobPoller(counting, {
      intervalMs: 200,
      missingGraceMs: 5000,
      logger: testLogger,
    });
    // Jobs that take a second, so that they stay in flight over several poller rounds.
    const refs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => exec.submit(spec(`many-${i}`, 'sleep 1'))),
    );
    for (const ref of refs) waiting.add(ref.jobId);
    const results = await Promise.all(
      refs.map((ref) =>
        p.wait(ref).then((status) => {
          waiting.delete(ref.jobId);
          return status;
        }),
      ),
    );
    expect(results.every((r) => r.state === 'COMPLETED')).toBe(true);
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(0);
    expect(p.statusCalls).toBe(calls);
  });

  // The poller's own clock is faked here: what is checked is its schedule, not any speed.
  it('asks once per interval, however many jobs wait', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const refs: JobRef[] = Array.from({ length: 50 }, (_, i) => ({
        executor: 'local',
        jobId: `job-${i}`,
        key: `k${i}`,
        workDir: root,
      }));
      const running = {
        kind: 'local' as const,
        submit: () => Promise.resolve(refs[0]!),
        adopt: () => Promise.resolve(),
        cancel: () => Promise.resolve(),
        close: () => Promise.resolve(),
        status: (jobs: readonly JobRef[]) => {
          calls += 1;
          return Promise.resolve(
            new Map(jobs.map((j) => [j.jobId, { state: 'RUNNING' as const, exitCode: null }])),
          );
        },
      };
      const p = new JobPoller(running, {
        intervalMs: 200,
        missingGraceMs: 5000,
        logger: testLogger,
      });
      for (const ref of refs) void p.wait(ref);
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(10 * 200);
      expect(calls).toBe(11);
      p.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('treats a job missing from polls as lost only after the grace period', async () => {
    vi.useFakeTimers();
    try {
      const ref: JobRef = { executor: 'local', jobId: 'ghost', key: 'k', workDir: root };
      const silent = {
        kind: 'local' as const,
        submit: () => Promise.resolve(ref),
        adopt: () => Promise.resolve(),
        cancel: () => Promise.resolve(),
        close: () => Promise.resolve(),
        status: () => Promise.resolve(new Map()),
      };
      const p = new JobPoller(silent, { intervalMs: 50, missingGraceMs: 600, logger: testLogger });
      let status: Awaited<ReturnType<JobPoller['wait']>> | undefined;
      void p.wait(ref).then((s) => (status = s));
      await vi.advanceTimersByTimeAsync(550);
      expect(status).toBeUndefined(); // missing from every poll so far, but within the grace
      await vi.advanceTimersByTimeAsync(200);
      expect(status).toMatchObject({
        state: 'NODE_FAIL',
        reason: expect.stringMatching(/lost track/),
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('survives failed polls within the grace period', async () => {
    const ref: JobRef = { executor: 'local', jobId: 'flaky', key: 'k', workDir: root };
    let calls = 0;
    const flaky = {
      kind: 'local' as const,
      submit: () => Promise.resolve(ref),
      adopt: () => Promise.resolve(),
      cancel: () => Promise.resolve(),
      close: () => Promise.resolve(),
      status: () => {
        calls += 1;
        if (calls < 4) return Promise.reject(new Error('controller busy'));
        return Promise.resolve(new Map([['flaky', { state: 'COMPLETED' as const, exitCode: 0 }]]));
      },
    };
    const p = new JobPoller(flaky, { intervalMs: 50, missingGraceMs: 2000, logger: testLogger });
    expect(await p.wait(ref)).toMatchObject({ state: 'COMPLETED' });
    expect(calls).toBe(4);
  });

  it('stops waiting when aborted', async () => {
    const exec = executor();
    const ref = await exec.submit(spec('abort', 'sleep 5')); // running when the wait is aborted
    const controller = new AbortController();
    const waiting = poller(exec).wait(ref, { signal: controller.signal });
    controller.abort(new Error('activity cancelled'));
    await expect(waiting).rejects.toThrow('activity cancelled');
    await exec.cancel(ref);
  });
});

describe('JobLauncher', () => {
  it('starts each job as its own session leader with its id, in order, and leaves no zombie', async () => {
    const launcher = new JobLauncher('HARMONISE_JOB_ID');
    try {
      const dirs = await Promise.all(
        Array.from({ length: 40 }, async (_, n) => {
          const dir = path.join(root, `launch-${n}`);
          await fs.mkdir(dir, { recursive: true });
          await fs.writeFile(
            path.join(dir, 'job.sh'),
            'echo "$$ $(ps -o sid= -p $$) $(ps -o pgid= -p $$) $HARMONISE_JOB_ID" > ids.txt\necho out; echo err >&2\n',
          );
          return dir;
        }),
      );
      const pids = await Promise.all(
        dirs.map((dir, n) => launcher.launch(dir, 'job.sh', `job-${n}`)),
      );
      await expect
        .poll(async () => {
          const texts = await Promise.all(
            dirs.map((dir) => fs.readFile(path.join(dir, 'ids.txt'), 'utf8').catch(() => '')),
          );
          return texts.filter((t) => t.endsWith('\n')).length;
        })
        .toBe(40);
      for (const [n, dir] of dirs.entries()) {
        const [pid, sid, pgid, jobId] = (await fs.readFile(path.join(dir, 'ids.txt'), 'utf8'))
          .trim()
          .split(/\s+/);
        expect([Number(pid), Number(sid), Number(pgid), jobId]).toEqual([
          pids[n],
          pids[n],
          pids[n],
          `job-${n}`,
        ]);
        expect(await fs.readFile(path.join(dir, 'stdout.log'), 'utf8')).toBe('out\n');
        expect(await fs.readFile(path.join(dir, 'stderr.log'), 'utf8')).toBe('err\n');
      }
      // The helper reaps the jobs it started.
      await expect.poll(() => pids.filter((pid) => processStartTime(pid) !== null).length).toBe(0);
    } finally {
      launcher.close();
    }
  });

  it('refuses a path it cannot pass on one line, and recovers when its helper is killed', async () => {
    const launcher = new JobLauncher('HARMONISE_JOB_ID');
    try {
      expect(() => launcher.launch(`${root}/a\nb`, 'job.sh', 'x')).toThrow(/work directory/);
      const dir = path.join(root, 'launch-again');
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'job.sh'), 'echo $HARMONISE_JOB_ID > ids.txt\n');
      await launcher.launch(dir, 'job.sh', 'first');
      const helper = (await fs.readdir('/proc'))
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .find((pid) => {
          try {
            return (
              readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('harmonise-job-launcher') &&
              readFileSync(`/proc/${pid}/status`, 'utf8').includes(`PPid:\t${process.pid}\n`)
            );
          } catch {
            return false;
          }
        });
      expect(helper).toBeDefined();
      process.kill(helper!, 'SIGKILL');
      await expect.poll(() => processStartTime(helper!)).toBeNull();
      await fs.rm(path.join(dir, 'ids.txt'));
      await launcher.launch(dir, 'job.sh', 'second');
      await expect
        .poll(() => fs.readFile(path.join(dir, 'ids.txt'), 'utf8').catch(() => ''))
        .toBe('second\n');
    } finally {
      launcher.close();
    }
  });
});
