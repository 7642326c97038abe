/**
 * The health of the services behind harmonise, as `/healthz` and the dashboard report it:
 * whether Temporal answers, and whether a worker polls the task queue (Temporal's list of the
 * queue's pollers: a workflow whose worker is gone answers no query and makes no progress).
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Config } from './config.ts';
import { workerHealth, type PollerSeen, type WorkerHealth } from './domain/service-health.ts';
import { timestampMs } from './temporal-records.ts';

export interface ServiceHealth {
  /** Temporal answered within the deadline. */
  temporal: boolean;
  /** Null when Temporal did not answer, or would not list the task queue's pollers. */
  worker: WorkerHealth | null;
  checkedAt: string;
}

const TaskQueueType = proto.temporal.api.enums.v1.TaskQueueType;

/** A health check answers within this, whatever is down. */
const HEALTH_DEADLINE_MS = 2000;

export async function serviceHealth(ctx: {
  config: Config;
  temporal: Client;
}): Promise<ServiceHealth> {
  const { temporal, config } = ctx;
  const checkedAt = new Date().toISOString();
  const pollers = async (taskQueueType: number): Promise<PollerSeen[]> => {
    const answer = await temporal.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: config.temporal.taskQueue },
      taskQueueType,
    });
    return (answer.pollers ?? []).map((p) => ({
      identity: p.identity ?? '',
      lastAccessMs: timestampMs(p.lastAccessTime),
    }));
  };
  return temporal.withDeadline(Date.now() + HEALTH_DEADLINE_MS, async () => {
    const answers = await temporal.workflowService
      .getSystemInfo({})
      .then(() => true)
      .catch(() => false);
    if (!answers) return { temporal: false, worker: null, checkedAt };
    const worker = await Promise.all([
      pollers(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
      pollers(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ])
      .then(([workflow, activity]) =>
        workerHealth(config.temporal.taskQueue, { workflow, activity }, Date.now()),
      )
      .catch(() => null);
    return { temporal: true, worker, checkedAt };
  });
}
