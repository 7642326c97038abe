/**
 * The job watcher on the real local executor: it tells a job's workflow when the job ended, keeps
 * its watches on disk for the next worker, retries a delivery that failed, and drops the watch of
 * a workflow that has gone. The notifier (the Temporal signal) is recorded instead of sent.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobEnded } from '../../src/domain/job-state.ts';
import {
  JobWatcher,
  type JobEndNotifier,
  type WatchTarget,
} from '../../src/executors/job-watcher.ts';
import { LocalExecutor } from '../../src/executors/local.ts';
import { JobPoller } from '../../src/executors/poller.ts';
import type { JobRef } from '../../src/executors/port.ts';
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
  return { executor, watcher };
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

const watchFiles = async () =>
  (await fs.readdir(watchDir()).catch(() => [])).filter((n) => n.endsWith('.json'));

describe('JobWatcher', () => {
  it("signals each job's end to its own workflow run, once, and forgets it", async () => {
    const notifier = new RecordingNotifier();
    const { executor, watcher } = stack(notifier);
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
    const running = await submit(
      one.executor,
      'handover',
      'until [ -e release ]; do sleep 0.05; done',
    );
    const queued = await submit(one.executor, 'queued', 'true');
    await one.watcher.watch(running, { workflowId: 'wf-handover', runId: 'r1' });
    await one.watcher.watch(queued, { workflowId: 'wf-queued', runId: 'r1' });
    one.watcher.close();
    await one.executor.close();
    await fs.writeFile(path.join(running.workDir, 'release'), '');
    // A watch file left half-written by a crash is removed, not trusted.
    await fs.writeFile(path.join(watchDir(), 'broken.json'), '{"ref":');

    const second = new RecordingNotifier();
    const two = stack(second);
    expect(await two.watcher.restore()).toBe(2);
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
    const { executor, watcher } = stack(notifier);
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
