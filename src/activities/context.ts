/**
 * Activity-context helpers that also work when an activity function is called directly.
 *
 * Capture the context at the start of an activity and keep using that object: callbacks that
 * run from shared timers (the worker's one job poller) are not in the activity's async context,
 * so `Context.current()` there would find another activity, or none.
 */
import { Context } from '@temporalio/activity';

export interface ActivityHandle {
  heartbeat(details?: unknown): void;
  readonly cancellationSignal: AbortSignal | undefined;
  /**
   * True when the workflow asked for the cancellation (or no longer exists), as opposed to a
   * worker shutting down or a heartbeat timeout: only then should the job itself be stopped.
   */
  cancellationMeansStop(): boolean;
}

export function currentActivity(): ActivityHandle {
  let ctx: Context | null = null;
  try {
    ctx = Context.current();
  } catch {
    ctx = null;
  }
  return {
    heartbeat: (details) => ctx?.heartbeat(details),
    cancellationSignal: ctx?.cancellationSignal,
    cancellationMeansStop() {
      const details = ctx?.cancellationDetails;
      if (details === undefined) return true;
      return details.cancelRequested || details.notFound;
    },
  };
}

const BEAT_MS = 5_000;

/**
 * Runs `work` and heartbeats every 5 s meanwhile, for activities whose steps (a tool run, a copy,
 * a batch of status queries) report no progress of their own: with it, a heartbeat timeout means
 * a dead worker, never a slow step.
 */
export async function beating<T>(activity: ActivityHandle, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => activity.heartbeat(), BEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
