/**
 * Whether a worker polls harmonise's task queue, from the pollers Temporal lists for it. Temporal
 * keeps a poller listed for minutes after its worker died, so what counts is how recently it
 * polled: a live worker holds a long poll open for up to about a minute and then polls again
 * (seen: every 50–55 s when idle), so a poller silent for longer than POLL_FRESH_MS is gone.
 */

export const POLL_FRESH_MS = 75_000;

/** One poller as Temporal lists it: who, and when it last polled (epoch ms, null if unknown). */
export interface PollerSeen {
  identity: string;
  lastAccessMs: number | null;
}

export interface WorkerHealth {
  taskQueue: string;
  /** A worker polled the queue within the last POLL_FRESH_MS / 1000 seconds. */
  polling: boolean;
  /** Distinct workers that polled for workflow tasks (and queries) that recently. */
  workflowPollers: number;
  /** Distinct workers that polled for activity tasks that recently (a worker whose activity slots are all busy stops asking). */
  activityPollers: number;
  /** The last poll Temporal remembers, recent or not; null if none. */
  lastPollAt: string | null;
}

function fresh(pollers: readonly PollerSeen[], nowMs: number): number {
  const identities = new Set<string>();
  for (const p of pollers) {
    if (p.lastAccessMs !== null && nowMs - p.lastAccessMs <= POLL_FRESH_MS)
      identities.add(p.identity);
  }
  return identities.size;
}

export function workerHealth(
  taskQueue: string,
  pollers: { workflow: readonly PollerSeen[]; activity: readonly PollerSeen[] },
  nowMs: number,
): WorkerHealth {
  const workflowPollers = fresh(pollers.workflow, nowMs);
  const activityPollers = fresh(pollers.activity, nowMs);
  const times = [...pollers.workflow, ...pollers.activity]
    .map((p) => p.lastAccessMs)
    .filter((t) => t !== null);
  return {
    taskQueue,
    polling: workflowPollers + activityPollers > 0,
    workflowPollers,
    activityPollers,
    lastPollAt: times.length === 0 ? null : new Date(Math.max(...times)).toISOString(),
  };
}
