/**
 * One poller per worker process: every interval, one executor status call covers every job in
 * flight, whatever their number (never one call per job). A job missing from a poll, or a poll
 * that fails, is not a failure within a bounded grace period: one poll is never trusted.
 */
import { isTerminal, type TerminalJobState } from '../domain/job-state.ts';
import type { Logger } from '../logger.ts';
import type { JobExecutor, JobRef, JobStatus } from './port.ts';

export interface TerminalJobStatus extends JobStatus {
  state: TerminalJobState;
}

export class PollFailedError extends Error {
  override readonly name = 'PollFailedError';
}

interface Waiter {
  ref: JobRef;
  resolve: (status: TerminalJobStatus) => void;
  reject: (error: unknown) => void;
  onPoll: ((status: JobStatus | undefined) => void) | undefined;
  missingSince: number | null;
}

export interface PollerOptions {
  intervalMs: number;
  missingGraceMs: number;
  logger: Logger;
}

export class JobPoller {
  private readonly waiters = new Map<string, Waiter[]>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private lastSuccessfulPoll = Date.now();
  /** Executor status calls made, for metrics and the benchmark. */
  statusCalls = 0;

  constructor(
    private readonly executor: JobExecutor,
    private readonly options: PollerOptions,
  ) {}

  /** Resolves with the job's terminal status; rejects if aborted or the executor stays unreachable. */
  wait(
    ref: JobRef,
    options: { signal?: AbortSignal; onPoll?: (status: JobStatus | undefined) => void } = {},
  ): Promise<TerminalJobStatus> {
    return new Promise<TerminalJobStatus>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const waiter: Waiter = { ref, resolve, reject, onPoll: options.onPoll, missingSince: null };
      const list = this.waiters.get(ref.jobId) ?? [];
      list.push(waiter);
      this.waiters.set(ref.jobId, list);
      signal?.addEventListener(
        'abort',
        () => {
          this.remove(waiter);
          reject(abortReason(signal));
        },
        { once: true },
      );
      this.schedule(0);
    });
  }

  inFlight(): number {
    return this.waiters.size;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private remove(waiter: Waiter): void {
    const list = this.waiters.get(waiter.ref.jobId);
    if (!list) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length === 0) this.waiters.delete(waiter.ref.jobId);
    else this.waiters.set(waiter.ref.jobId, rest);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.polling) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, delayMs);
  }

  private async poll(): Promise<void> {
    if (this.waiters.size === 0) return;
    this.polling = true;
    try {
      const refs = [...this.waiters.values()].map((list) => list[0]!.ref);
      let statuses: Map<string, JobStatus>;
      try {
        this.statusCalls += 1;
        statuses = await this.executor.status(refs);
        this.lastSuccessfulPoll = Date.now();
      } catch (error) {
        const failingFor = Date.now() - this.lastSuccessfulPoll;
        this.options.logger.warn(
          { err: error, failingForMs: failingFor },
          'job status poll failed',
        );
        if (failingFor > this.options.missingGraceMs) {
          for (const list of [...this.waiters.values()]) {
            for (const waiter of list) {
              this.remove(waiter);
              waiter.reject(
                new PollFailedError(
                  `job status unavailable for ${Math.round(failingFor / 1000)} s`,
                ),
              );
            }
          }
        }
        return;
      }
      const now = Date.now();
      for (const [jobId, list] of [...this.waiters.entries()]) {
        const status = statuses.get(jobId);
        for (const waiter of list) {
          waiter.onPoll?.(status);
          if (status === undefined) {
            waiter.missingSince ??= now;
            if (now - waiter.missingSince > this.options.missingGraceMs) {
              this.remove(waiter);
              waiter.resolve({
                state: 'NODE_FAIL',
                exitCode: null,
                reason: `the executor lost track of the job for ${Math.round((now - waiter.missingSince) / 1000)} s`,
              });
            }
            continue;
          }
          waiter.missingSince = null;
          if (isTerminal(status.state)) {
            this.remove(waiter);
            waiter.resolve(status as TerminalJobStatus);
          }
        }
      }
    } finally {
      this.polling = false;
      if (this.waiters.size > 0) this.schedule(this.options.intervalMs);
    }
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
