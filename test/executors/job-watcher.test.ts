/**
 * The job watcher. On the real local executor: it tells a job's workflow when the job ended,
 * leaves its watches on disk for the next worker, retries a delivery that failed, and drops the
 * watch of a workflow that has gone. With several workers on one data root (real files; the
 * cluster a fake executor, other hosts pretended by their process-table keys): one live worker
 * follows each job, a worker that is gone has its watches taken over by exactly one other, and
 * the previous release's watch files are taken over at start. The notifier (the Temporal signal)
 * is recorded instead of sent.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobEnded, JobState } from '../../src/domain/job-state.ts';
import {
  JobWatcher,
  type JobEndNotifier,
  type WatchTarget,
} from '../../src/executors/job-watcher.ts';
import { LocalExecutor } from '../../src/executors/local.ts';
import { JobPoller } from '../../src/executors/poller.ts';
import type { JobExecutor, JobRef, JobStatus } from '../../src/executors/port.ts';
import { processStartTime, processTableKey } from '../../src/platform/process.ts';
import { renderJobScript } from '../../src/tools/job-script.ts';
import { run } from '../../src/tools/shell.ts';
import { testLogger } from '../helpers/logger.ts';
import { waitFor } from '../helpers/wait.ts';

let root: string;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-watcher-'));
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

class RecordingNotifier implements JobEndNotifier {
  readonly sent: { target: WatchTarget; ended: JobEnded }[] = [];
  failuresLeft = 0;
  gone = new Set<string>();
  notify(target: WatchTarget, ended: JobEnded): Promise<'delivered' | 'gone'> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      return Promise.reject(new Error('frontend unavailable'));
    }
    if (this.gone.has(target.workflowId)) return Promise.resolve('gone');
    this.sent.push({ target, ended });
    return Promise.resolve('delivered');
  }
}

const watchDir = () => path.join(root, 'run', 'job-watches');

function stack(notifier: JobEndNotifier, cpus = 2) {
  const executor = new LocalExecutor({
    cpus,
    memMiB: 4096,
    ledgerFile: path.join(root, 'ledger.jsonl'),
    logger: testLogger,
    watchIntervalMs: 100,
    killGraceMs: 500,
  });
  const poller = new JobPoller(executor, {
    intervalMs: 100,
    missingGraceMs: 5000,
    logger: testLogger,
  });
  const watcher = new JobWatcher({
    poller,
    executor,
    notifier,
    dir: watchDir(),
    logger: testLogger,
    deliveryBackoffMs: 20,
  });
  closers.push(
    () => executor.close(),
    () => poller.close(),
    () => watcher.close(),
  );
  return { executor, watcher, started: watcher.start() };
}

async function submit(executor: LocalExecutor, name: string, body: string): Promise<JobRef> {
  const workDir = path.join(root, name);
  const key = `watch:${name}/run/step/1`;
  return executor.submit({
    key,
    workDir,
    resources: { cpus: 1, memMiB: 256, timeMinutes: 5 },
    script: renderJobScript({ key, workDir, tools: [], lines: [run([['bash', '-c', body]])] }),
  });
}

/** Every watch file under the watch folder, whoever's. */
const watchFiles = async () =>
  ((await fs.readdir(watchDir(), { recursive: true }).catch(() => [])) as string[]).filter((n) =>
    /(^|\/)[0-9a-f]{32}\.json$/.test(n),
  );

describe('JobWatcher', () => {
  it("signals each job's end to its own workflow run, once, and forgets it", async () => {
    const notifier = new RecordingNotifier();
    const { executor, watcher, started } = stack(notifier);
    await started;
    const ok = await submit(executor, 'ok', 'sleep 0.3');
    const bad = await submit(executor, 'bad', 'exit 3');
    await watcher.watch(ok, { workflowId: 'wf-ok', runId: 'r1' });
    await watcher.watch(bad, { workflowId: 'wf-bad', runId: 'r2' });
    await watcher.watch(ok, { workflowId: 'wf-ok', runId: 'r1' });
    expect(watcher.count()).toBe(2);
    expect(await watchFiles()).toHaveLength(2);

    await waitFor(() => (notifier.sent.length === 2 ? true : null), { what: 'both ends' });
    const byWorkflow = Object.fromEntries(notifier.sent.map((s) => [s.target.workflowId, s]));
    expect(byWorkflow['wf-ok']).toMatchObject({
      target: { runId: 'r1' },
      ended: { key: ok.key, state: 'COMPLETED', exitCode: 0 },
    });
    expect(byWorkflow['wf-bad']).toMatchObject({
      target: { runId: 'r2' },
      ended: { key: bad.key, state: 'FAILED', exitCode: 3 },
    });
    await waitFor(async () => ((await watchFiles()).length === 0 ? true : null), {
      what: 'the watch files to go',
    });
    expect(watcher.count()).toBe(0);
    expect(watcher.delivered).toBe(2);
  });

  it('leaves its watches to the next worker, which takes them up, starts what never started, and signals the ends', async () => {
    const first = new RecordingNotifier();
    // One CPU: the second job is still queued in this worker when it goes.
    const one = stack(first, 1);
    await one.started;
    const running = await submit(
      one.executor,
      'handover',
      'until [ -e release ]; do sleep 0.05; done',
    );
    const queued = await submit(one.executor, 'queued', 'true');
    await one.watcher.watch(running, { workflowId: 'wf-handover', runId: 'r1' });
    await one.watcher.watch(queued, { workflowId: 'wf-queued', runId: 'r1' });
    // A watch file left half-written by a crash is removed, not trusted.
    const broken = path.join(watchDir(), one.watcher.identity, `${'0'.repeat(32)}.json`);
    await fs.writeFile(broken, '{"ref":');
    await one.watcher.close();
    await one.executor.close();
    await fs.writeFile(path.join(running.workDir, 'release'), '');

    const second = new RecordingNotifier();
    const two = stack(second);
    expect(await two.started).toBe(2);
    await waitFor(() => (second.sent.length === 2 ? true : null), {
      what: 'both ends after restore',
    });
    const states = Object.fromEntries(second.sent.map((s) => [s.ended.key, s.ended.state]));
    expect(states).toEqual({ [running.key]: 'COMPLETED', [queued.key]: 'COMPLETED' });
    expect(first.sent).toEqual([]);
    await waitFor(async () => ((await watchFiles()).length === 0 ? true : null), {
      what: 'the watch files to go',
    });
  });

  it('retries a failed delivery, and drops the watch of a workflow that has gone', async () => {
    const notifier = new RecordingNotifier();
    notifier.failuresLeft = 2;
    notifier.gone.add('wf-gone');
    const { executor, watcher, started } = stack(notifier);
    await started;
    const retried = await submit(executor, 'retried', 'true');
    await watcher.watch(retried, { workflowId: 'wf-retried', runId: 'r1' });
    await waitFor(() => (notifier.sent.length === 1 ? true : null), { what: 'the retried end' });
    expect(notifier.failuresLeft).toBe(0);

    const orphan = await submit(executor, 'orphan', 'true');
    await watcher.watch(orphan, { workflowId: 'wf-gone', runId: 'r1' });
    await waitFor(() => (watcher.gone === 1 ? true : null), { what: 'the gone workflow' });
    expect(notifier.sent).toHaveLength(1);
    await waitFor(async () => ((await watchFiles()).length === 0 ? true : null), {
      what: 'the watch files to go',
    });
  });
});

/** The jobs as a cluster would tell them, to every worker alike. */
class FakeCluster {
  readonly states = new Map<string, JobState>();
  end(ref: JobRef): void {
    this.states.set(ref.jobId, 'COMPLETED');
  }
}

/** One worker's executor on the fake cluster: records which jobs it was asked to take charge of. */
class FakeExecutor implements JobExecutor {
  readonly kind = 'slurm' as const;
  readonly adopted: string[] = [];
  constructor(private readonly cluster: FakeCluster) {}
  submit(): Promise<JobRef> {
    return Promise.reject(new Error('not in these tests'));
  }
  status(jobs: readonly JobRef[]): Promise<Map<string, JobStatus>> {
    const result = new Map<string, JobStatus>();
    for (const job of jobs) {
      const state = this.cluster.states.get(job.jobId);
      if (state) result.set(job.jobId, { state, exitCode: state === 'COMPLETED' ? 0 : null });
    }
    return Promise.resolve(result);
  }
  adopt(job: JobRef): Promise<void> {
    this.adopted.push(job.jobId);
    return Promise.resolve();
  }
  cancel(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const SHORT = { leaseRenewMs: 20, leaseGraceMs: 300, claimIntervalMs: 50 };

describe('JobWatcher with several workers on one data root', () => {
  let dir: string;
  let cluster: FakeCluster;
  let notifier: RecordingNotifier;
  let jobs = 0;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(root, 'shared-'));
    cluster = new FakeCluster();
    notifier = new RecordingNotifier();
  });

  /** A worker on `host` (its process-table key): its poller, executor and started watcher. */
  function worker(host: string, identity: string) {
    const executor = new FakeExecutor(cluster);
    const poller = new JobPoller(executor, {
      intervalMs: 20,
      missingGraceMs: 60_000,
      logger: testLogger,
    });
    const watcher = new JobWatcher({
      poller,
      executor,
      notifier,
      dir,
      logger: testLogger,
      identity,
      processTable: host,
      timings: SHORT,
    });
    closers.push(
      () => poller.close(),
      () => watcher.close(),
    );
    return { executor, watcher };
  }

  function job(name: string): { ref: JobRef; target: WatchTarget } {
    jobs += 1;
    const ref: JobRef = {
      executor: 'slurm',
      jobId: String(1000 + jobs),
      key: `wf-${name}/r1/step/1`,
      workDir: path.join(dir, name),
    };
    cluster.states.set(ref.jobId, 'RUNNING');
    return { ref, target: { workflowId: `wf-${name}`, runId: 'r1' } };
  }

  const signalled = () => notifier.sent.map((s) => s.ended.key).sort();
  const entries = async () => (await fs.readdir(dir)).sort();

  it('leaves a job that a live worker watches to it when another is asked to watch it', async () => {
    const a = worker(processTableKey(), 'worker-a');
    const b = worker(processTableKey(), 'worker-b');
    await a.watcher.start();
    const one = job('one');
    await a.watcher.watch(one.ref, one.target);
    expect(await b.watcher.start()).toBe(0);
    // The workflow's recheck lands on the other worker.
    await b.watcher.watch(one.ref, one.target, { adopt: true });
    expect(await b.watcher.claimLeft()).toBe(0);
    expect(b.watcher.count()).toBe(0);
    expect(b.executor.adopted).toEqual([]);
    expect(await entries()).toEqual(['worker-a', 'worker-b']);

    cluster.end(one.ref);
    await waitFor(() => notifier.sent.length === 1, { what: 'the end signalled' });
    await waitFor(async () => (await watchFilesIn(dir)).length === 0, { what: 'the watch gone' });
    expect(signalled()).toEqual([one.ref.key]);
    expect([a.watcher.delivered, b.watcher.delivered]).toEqual([1, 0]);
  });

  it('takes over the watches of a worker on another host whose lease expired, and signals their ends', async () => {
    const a = worker('host-a', 'worker-a');
    const b = worker('host-b', 'worker-b');
    await a.watcher.start();
    await b.watcher.start();
    const jobsOfA = [job('x'), job('y')];
    for (const { ref, target } of jobsOfA) await a.watcher.watch(ref, target);
    // While its lease is renewed for longer than the grace, the worker on host-a keeps its jobs.
    await waitFor(async () => (await renewals(dir, 'worker-a')) >= 40, {
      what: 'the lease renewed for longer than the grace',
    });
    expect(b.watcher.claimed).toBe(0);
    expect(b.executor.adopted).toEqual([]);

    await a.watcher.close({ release: false }); // as a crash leaves it: the lease stops changing
    await waitFor(() => b.watcher.claimed === 2, { what: 'the watches taken over' });
    expect(b.executor.adopted.sort()).toEqual(jobsOfA.map((j) => j.ref.jobId).sort());
    expect(await entries()).toEqual(['worker-b']);
    for (const { ref } of jobsOfA) cluster.end(ref);
    await waitFor(() => notifier.sent.length === 2, { what: 'both ends signalled' });
    expect(signalled()).toEqual(jobsOfA.map((j) => j.ref.key).sort());
    expect(notifier.sent.map((s) => s.target.workflowId).sort()).toEqual(['wf-x', 'wf-y']);
  });

  it('takes over at once the watches of a worker on this host whose process is dead', async () => {
    const sleeper = execa('sleep', ['30'], { reject: false });
    const dead = sleeper.pid!;
    const deadStart = processStartTime(dead)!;
    sleeper.kill('SIGKILL');
    await sleeper;
    await waitFor(() => processStartTime(dead) === null, { what: 'the worker process to go' });
    const left = job('left');
    const folder = path.join(dir, 'worker-dead');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, recordName(left.ref.key)), JSON.stringify(left));
    const lease = { processTable: processTableKey(), pid: dead, pidStartTime: deadStart };
    await fs.writeFile(path.join(folder, 'lease'), JSON.stringify({ ...lease, renewals: 1 }));

    const b = worker(processTableKey(), 'worker-b');
    expect(await b.watcher.start()).toBe(1);
    expect(b.executor.adopted).toEqual([left.ref.jobId]);
    cluster.end(left.ref);
    await waitFor(() => notifier.sent.length === 1, { what: 'the end signalled' });
    expect(signalled()).toEqual([left.ref.key]);
  });

  it('gives the watches of a worker that is gone to exactly one of two workers claiming them', async () => {
    const a = worker('host-a', 'worker-a');
    await a.watcher.start();
    const many = Array.from({ length: 20 }, (_, i) => job(`many-${i}`));
    for (const { ref, target } of many) await a.watcher.watch(ref, target);
    await a.watcher.close(); // released: to be taken at once
    const b = worker('host-b', 'worker-b');
    const c = worker('host-c', 'worker-c');
    const [byB, byC] = await Promise.all([b.watcher.start(), c.watcher.start()]);
    expect(byB + byC).toBe(20);
    expect([byB, byC]).toContain(0);
    expect([...b.executor.adopted, ...c.executor.adopted].sort()).toEqual(
      many.map((j) => j.ref.jobId).sort(),
    );
    expect(b.watcher.count() + c.watcher.count()).toBe(20);
    for (const { ref } of many) cluster.end(ref);
    await waitFor(() => notifier.sent.length === 20, { what: 'every end signalled' });
    await waitFor(async () => (await watchFilesIn(dir)).length === 0, { what: 'the watches gone' });
    expect(signalled()).toEqual(many.map((j) => j.ref.key).sort());
  });

  it("takes over the previous release's watch files at start, each by one worker", async () => {
    const old = [job('old-1'), job('old-2'), job('old-3')];
    for (const record of old) {
      await fs.writeFile(path.join(dir, recordName(record.ref.key)), JSON.stringify(record));
    }
    const b = worker(processTableKey(), 'worker-b');
    const c = worker(processTableKey(), 'worker-c');
    const [byB, byC] = await Promise.all([b.watcher.start(), c.watcher.start()]);
    expect(byB + byC).toBe(3);
    expect(b.watcher.claimed + c.watcher.claimed).toBe(3);
    expect([...b.executor.adopted, ...c.executor.adopted].sort()).toEqual(
      old.map((j) => j.ref.jobId).sort(),
    );
    expect(await entries()).toEqual(['worker-b', 'worker-c']);
    for (const { ref } of old) cluster.end(ref);
    await waitFor(() => notifier.sent.length === 3, { what: 'every end signalled' });
    expect(signalled()).toEqual(old.map((j) => j.ref.key).sort());
  });

  it('stops following the jobs of a worker whose folder another took over', async () => {
    const a = worker('host-a', 'worker-a');
    const b = worker('host-b', 'worker-b');
    await a.watcher.start();
    await b.watcher.start();
    const one = job('taken');
    await a.watcher.watch(one.ref, one.target);
    // What worker-b does when it judges worker-a gone (worker-a stalled past the grace).
    await fs.rename(path.join(dir, 'worker-a'), path.join(dir, 'worker-b.claim-0a'));
    await waitFor(() => a.watcher.count() === 0, { what: 'worker-a to let the job go' });
    await waitFor(() => b.watcher.count() === 1, { what: 'worker-b to follow it' });
    const later = job('later');
    await a.watcher.watch(later.ref, later.target); // worker-a goes on with new work
    for (const { ref } of [one, later]) cluster.end(ref);
    await waitFor(() => notifier.sent.length === 2, { what: 'both ends signalled' });
    await waitFor(async () => (await watchFilesIn(dir)).length === 0, { what: 'the watches gone' });
    expect(signalled()).toEqual([later.ref.key, one.ref.key].sort());
    expect(a.watcher.delivered).toBe(1);
    expect(b.watcher.delivered).toBe(1);
  });
});

function recordName(key: string): string {
  return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`;
}

async function watchFilesIn(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir, { recursive: true });
  return names.filter((n) => /(^|\/)[0-9a-f]{32}\.json$/.test(n));
}

async function renewals(dir: string, identity: string): Promise<number> {
  const text = await fs.readFile(path.join(dir, identity, 'lease'), 'utf8').catch(() => '{}');
  try {
    return (JSON.parse(text) as { renewals?: number }).renewals ?? 0;
  } catch {
    return 0; // being rewritten
  }
}
