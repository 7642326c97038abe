/**
 * The worker's job watcher: a step's workflow submits its job in a short activity and then waits
 * with no activity running; the watcher follows the job through the worker's one poller and, when
 * it ends, signals the workflow (one RPC per job). Thousands of jobs in flight therefore cost one
 * status call per poll interval and no activity slots.
 *
 * Several workers may share one data root (on one host, or on several over a shared file system),
 * and each job is watched by one live worker. A worker keeps what it watches in its own folder
 * under `<run>/job-watches/` (one small file per job) beside a lease it renews every few seconds.
 * At start and every claim interval it takes over the watches of workers that are gone (stopped,
 * killed, or on a lost host) and of the previous release's layout (watch-folders.ts), takes
 * charge of their jobs (`executor.adopt`) and follows them. Anything still missed (a signal that
 * could not be delivered, a watch file lost) the workflow's own recheck finds: it asks a worker
 * to watch the job again (run-step.ts), which that worker does unless a live one already does.
 */
import fs from 'node:fs/promises';
import type { JobEnded } from '../domain/job-state.ts';
import type { Logger } from '../logger.ts';
import { processTableKey } from '../platform/process.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import type { JobPoller, TerminalJobStatus } from './poller.ts';
import type { JobExecutor, JobRef } from './port.ts';
import { WatchFolders, type WatchRecord, type WatchTarget } from './watch-folders.ts';
import { DEFAULT_WATCH_TIMINGS, workerIdentity, type WatchTimings } from './watch-lease.ts';

export type { WatchTarget } from './watch-folders.ts';
export type { WatchTimings } from './watch-lease.ts';

/** Delivers a job's end to its workflow: `gone` when the workflow run no longer exists or has closed. */
export interface JobEndNotifier {
  notify(target: WatchTarget, ended: JobEnded): Promise<'delivered' | 'gone'>;
}

export interface JobWatcherOptions {
  poller: JobPoller;
  /** Takes charge of jobs another worker submitted (watches taken over, or asked again about). */
  executor: Pick<JobExecutor, 'adopt'>;
  notifier: JobEndNotifier;
  /** Where the workers on the data root keep their watches: `<run>/job-watches`. */
  dir: string;
  logger: Logger;
  /** This worker's name among the workers on the data root; `<host>-<pid>-<random>` by default. */
  identity?: string;
  /** Whose pids this worker can check (`processTableKey()`); tests pretend to be other hosts. */
  processTable?: string;
  timings?: Partial<WatchTimings>;
  /** Delivery attempts before a signal waits for the next claim round. */
  deliveryAttempts?: number;
  /** First pause between delivery attempts (doubling). */
  deliveryBackoffMs?: number;
}

export class JobWatcher {
  private readonly watching = new Map<string, AbortController>();
  /**
   * Watches in this worker's folder that it does not follow now (the poller or every delivery
   * attempt gave up, or the executor could not take charge of the job): followed again at the
   * next claim round.
   */
  private readonly unfollowed = new Map<string, { record: WatchRecord; adopt: boolean }>();
  private readonly folders: WatchFolders;
  private readonly deliveryAttempts: number;
  private readonly deliveryBackoffMs: number;
  private readonly timings: WatchTimings;
  private readonly timers: NodeJS.Timeout[] = [];
  private round: Promise<number> | null = null;
  private closed = false;
  /** Ends delivered to workflows, ends whose workflow had gone: for metrics and benchmarks. */
  delivered = 0;
  gone = 0;
  /** Watches taken over from workers that were gone, or from the previous release's layout. */
  claimed = 0;

  constructor(private readonly options: JobWatcherOptions) {
    this.deliveryAttempts = options.deliveryAttempts ?? 6;
    this.deliveryBackoffMs = options.deliveryBackoffMs ?? 500;
    this.timings = { ...DEFAULT_WATCH_TIMINGS, ...options.timings };
    this.folders = new WatchFolders({
      dir: options.dir,
      identity: options.identity ?? workerIdentity(),
      processTable: options.processTable ?? processTableKey(),
      leaseGraceMs: this.timings.leaseGraceMs,
      logger: options.logger,
    });
  }

  get identity(): string {
    return this.folders.identity;
  }

  /** Jobs being followed now. */
  count(): number {
    return this.watching.size;
  }

  /**
   * Takes the lease and the watches that workers which are gone left (and those of the previous
   * release's layout); from now on renews the lease and looks for such watches every claim
   * interval. Returns how many watches it took over.
   */
  async start(): Promise<number> {
    await this.folders.lease.take();
    this.every(this.timings.leaseRenewMs, () => this.renewLease());
    const taken = await this.claimLeft();
    this.every(this.timings.claimIntervalMs, () => this.claimLeft());
    this.options.logger.info({ identity: this.identity, taken }, 'job watcher started');
    return taken;
  }

  /**
   * Follows a job until it ends (idempotent by job key); the watch is on disk before this
   * returns. `adopt`: the job may have been submitted by another worker process (the workflow's
   * recheck asks); a job whose watch a live worker holds is left to that worker.
   */
  async watch(ref: JobRef, target: WatchTarget, options: { adopt?: boolean } = {}): Promise<void> {
    if (this.watching.has(ref.key)) return;
    if (options.adopt) {
      const { may, moved } = await this.folders.mayWatch(ref.key);
      await this.takeUp(moved);
      if (!may || this.watching.has(ref.key)) return;
      await this.options.executor.adopt(ref);
    }
    const record = { ref, target };
    await writeFileAtomic(this.folders.file(ref.key), `${JSON.stringify(record)}\n`);
    this.unfollowed.delete(ref.key);
    this.follow(record);
  }

  /** Stops following a job (its step was cancelled): it is no longer taken up after a restart. */
  async forget(key: string): Promise<void> {
    this.watching.get(key)?.abort();
    this.watching.delete(key);
    this.unfollowed.delete(key);
    await fs.rm(this.folders.file(key), { force: true });
  }

  /**
   * One claim round: takes over the watches of every worker that is gone and of the previous
   * release's layout, and follows again what this worker stopped following. Returns how many
   * watches it took over.
   */
  claimLeft(): Promise<number> {
    this.round ??= this.claimRound().finally(() => (this.round = null));
    return this.round;
  }

  /**
   * Stops following everything; the watch files stay. `release` (the default) marks the lease
   * released, so that another worker takes them over at once; without it they wait for the
   * lease to be judged expired, as after a crash.
   */
  async close(options: { release?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const controller of this.watching.values()) controller.abort();
    this.watching.clear();
    this.unfollowed.clear();
    await this.round?.catch(() => undefined);
    if (options.release ?? true) await this.folders.lease.release();
  }

  private every(intervalMs: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      task().catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, identity: this.identity },
          'job watcher round failed',
        ),
      );
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private async claimRound(): Promise<number> {
    if (this.closed) return 0;
    const taken = await this.takeUp(await this.folders.claimLeft());
    for (const { record, adopt } of [...this.unfollowed.values()]) {
      this.unfollowed.delete(record.ref.key);
      await this.adoptAndFollow(record, adopt);
    }
    return taken;
  }

  private async renewLease(): Promise<void> {
    if (this.closed || (await this.folders.lease.renew())) return;
    // Another worker judged this one gone (its lease looked expired) and took its folder with
    // the watches in it: those jobs are the other worker's now.
    this.options.logger.warn(
      { identity: this.identity, jobs: this.watching.size },
      "another worker took over this worker's job watches; it follows them no longer",
    );
    for (const controller of this.watching.values()) controller.abort();
    this.watching.clear();
    this.unfollowed.clear();
    await this.folders.lease.take();
    // Watches written since then are in a folder made anew: this worker's still.
    await this.takeUp(await this.folders.own(), { claimed: false });
  }

  /** Follows the jobs of watches moved into this worker's folder; returns how many. */
  private async takeUp(records: WatchRecord[], options = { claimed: true }): Promise<number> {
    let taken = 0;
    for (const record of records) {
      if (this.watching.has(record.ref.key)) continue;
      taken += 1;
      await this.adoptAndFollow(record, true);
    }
    if (options.claimed) this.claimed += taken;
    return taken;
  }

  private async adoptAndFollow(record: WatchRecord, adopt: boolean): Promise<void> {
    if (adopt) {
      try {
        await this.options.executor.adopt(record.ref);
      } catch (error) {
        this.options.logger.warn(
          { err: error, key: record.ref.key, jobId: record.ref.jobId },
          'could not take charge of a job; trying again at the next round',
        );
        this.unfollowed.set(record.ref.key, { record, adopt });
        return;
      }
    }
    this.follow(record);
  }

  private follow(record: WatchRecord): void {
    // A closed watcher leaves the file to the worker that takes over its folder.
    if (this.closed || this.watching.has(record.ref.key)) return;
    const controller = new AbortController();
    this.watching.set(record.ref.key, controller);
    this.options.poller.wait(record.ref, { signal: controller.signal }).then(
      (status) => this.deliver(record, status, controller),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        this.release(record, controller);
        // The poller gave up (the executor was unreachable for its grace period): the watch
        // file stays, and the next round (or the workflow's recheck) follows the job again.
        this.options.logger.warn(
          { err: error, key: record.ref.key, jobId: record.ref.jobId },
          'stopped watching a job for now',
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
    for (let attempt = 1; !controller.signal.aborted; attempt++) {
      try {
        const outcome = await this.options.notifier.notify(target, ended);
        if (outcome === 'delivered') this.delivered += 1;
        else this.gone += 1;
        await fs.rm(this.folders.file(ref.key), { force: true });
        if (this.watching.get(ref.key) === controller) this.watching.delete(ref.key);
        return;
      } catch (error) {
        if (attempt >= this.deliveryAttempts) {
          this.options.logger.warn(
            { err: error, key: ref.key, workflowId: target.workflowId },
            'could not tell a workflow its job ended; trying again at the next round',
          );
          break;
        }
        await new Promise((resolve) =>
          setTimeout(resolve, this.deliveryBackoffMs * 2 ** (attempt - 1)),
        );
      }
    }
    this.release(record, controller);
  }

  /** The job is not followed now, but its watch stays this worker's: the next round retries. */
  private release(record: WatchRecord, controller: AbortController): void {
    if (this.watching.get(record.ref.key) !== controller) return;
    this.watching.delete(record.ref.key);
    if (!controller.signal.aborted) this.unfollowed.set(record.ref.key, { record, adopt: false });
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
