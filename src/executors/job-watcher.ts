/**
 * The worker's job watcher: a step's workflow submits its job in a short activity and then waits
 * with no activity running; the watcher follows the job through the worker's one poller and, when
 * it ends, signals the workflow (one RPC per job). Thousands of jobs in flight therefore cost one
 * status call per poll interval and no activity slots.
 *
 * What it watches is also written to `<run>/job-watches/` (one small file per job), so that a
 * worker started after a crash or an upgrade takes the jobs up at once. Anything it still misses
 * (a signal that could not be delivered, a watch file lost) the workflow's own recheck finds: it
 * asks the current worker to watch the job again (run-step.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobEnded } from '../domain/job-state.ts';
import type { Logger } from '../logger.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import type { JobPoller, TerminalJobStatus } from './poller.ts';
import type { JobExecutor, JobRef } from './port.ts';

/** The workflow run waiting for a job. */
export interface WatchTarget {
  workflowId: string;
  runId: string;
}

/** Delivers a job's end to its workflow: `gone` when the workflow run no longer exists or has closed. */
export interface JobEndNotifier {
  notify(target: WatchTarget, ended: JobEnded): Promise<'delivered' | 'gone'>;
}

interface WatchRecord {
  ref: JobRef;
  target: WatchTarget;
}

export interface JobWatcherOptions {
  poller: JobPoller;
  /** Takes charge of jobs another worker submitted (restored or handed over watches). */
  executor: Pick<JobExecutor, 'adopt'>;
  notifier: JobEndNotifier;
  /** Where watches are kept across worker restarts. */
  dir: string;
  logger: Logger;
  /** Delivery attempts before a signal is left to the workflow's recheck. */
  deliveryAttempts?: number;
  /** First pause between delivery attempts (doubling). */
  deliveryBackoffMs?: number;
}

export class JobWatcher {
  private readonly watching = new Map<string, AbortController>();
  private readonly deliveryAttempts: number;
  private readonly deliveryBackoffMs: number;
  private closed = false;
  /** Ends delivered to workflows, and ends whose workflow had gone: for metrics and benchmarks. */
  delivered = 0;
  gone = 0;

  constructor(private readonly options: JobWatcherOptions) {
    this.deliveryAttempts = options.deliveryAttempts ?? 6;
    this.deliveryBackoffMs = options.deliveryBackoffMs ?? 500;
  }

  /** Jobs being followed now. */
  count(): number {
    return this.watching.size;
  }

  /**
   * Follows a job until it ends (idempotent by job key); the watch is on disk before this
   * returns. `adopt`: the job may have been submitted by another worker process.
   */
  async watch(ref: JobRef, target: WatchTarget, options: { adopt?: boolean } = {}): Promise<void> {
    if (this.watching.has(ref.key)) return;
    if (options.adopt) await this.options.executor.adopt(ref);
    await writeFileAtomic(this.file(ref.key), `${JSON.stringify({ ref, target })}\n`);
    this.follow({ ref, target });
  }

  /** Stops following a job (its step was cancelled): it is no longer taken up after a restart. */
  async forget(key: string): Promise<void> {
    this.watching.get(key)?.abort();
    this.watching.delete(key);
    await fs.rm(this.file(key), { force: true });
  }

  /** Takes up the watches a previous worker left; returns how many. */
  async restore(): Promise<number> {
    const names = await fs.readdir(this.options.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    let restored = 0;
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = path.join(this.options.dir, name);
      const record = await readRecord(file);
      if (!record) {
        this.options.logger.warn({ file }, 'job watch file unreadable; removed');
        await fs.rm(file, { force: true });
        continue;
      }
      if (this.watching.has(record.ref.key)) continue;
      await this.options.executor.adopt(record.ref);
      this.follow(record);
      restored += 1;
    }
    return restored;
  }

  /** Stops following everything; the watch files stay for the next worker. */
  close(): void {
    this.closed = true;
    for (const controller of this.watching.values()) controller.abort();
    this.watching.clear();
  }

  private file(key: string): string {
    const name = createHash('sha256').update(key).digest('hex').slice(0, 32);
    return path.join(this.options.dir, `${name}.json`);
  }

  private follow(record: WatchRecord): void {
    const controller = new AbortController();
    this.watching.set(record.ref.key, controller);
    this.options.poller.wait(record.ref, { signal: controller.signal }).then(
      (status) => this.deliver(record, status, controller),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        this.release(record.ref.key, controller);
        // The poller gave up (the executor was unreachable for its grace period): the watch
        // file stays, and the workflow's recheck asks again.
        this.options.logger.warn(
          { err: error, key: record.ref.key, jobId: record.ref.jobId },
          'stopped watching a job; its workflow will ask again',
        );
      },
    );
  }

  private async deliver(
    record: WatchRecord,
    status: TerminalJobStatus,
    controller: AbortController,
  ): Promise<void> {
    const { ref, target } = record;
    const ended = jobEnded(ref.key, status);
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const outcome = await this.options.notifier.notify(target, ended);
        if (outcome === 'delivered') this.delivered += 1;
        else this.gone += 1;
        await fs.rm(this.file(ref.key), { force: true });
        break;
      } catch (error) {
        if (attempt >= this.deliveryAttempts) {
          this.options.logger.warn(
            { err: error, key: ref.key, workflowId: target.workflowId },
            "could not tell a workflow its job ended; the workflow's recheck will find it",
          );
          break;
        }
        await new Promise((resolve) =>
          setTimeout(resolve, this.deliveryBackoffMs * 2 ** (attempt - 1)),
        );
      }
    }
    this.release(ref.key, controller);
  }

  private release(key: string, controller: AbortController): void {
    if (this.watching.get(key) === controller) this.watching.delete(key);
  }
}

/** A job's terminal status as its workflow is told it. */
export function jobEnded(key: string, status: TerminalJobStatus): JobEnded {
  return {
    key,
    state: status.state,
    exitCode: status.exitCode,
    ...(status.reason ? { reason: status.reason } : {}),
  };
}

async function readRecord(file: string): Promise<WatchRecord | null> {
  try {
    const record = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<WatchRecord>;
    const { ref, target } = record;
    if (typeof ref?.key !== 'string' || typeof ref.jobId !== 'string') return null;
    if (typeof target?.workflowId !== 'string' || typeof target.runId !== 'string') return null;
    return { ref, target };
  } catch {
    return null;
  }
}
