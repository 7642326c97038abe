/**
 * GA4GH WES 1.1 run states of harmonise's workflows (pure), from Temporal's execution status and
 * the workflow's Stage search attribute (its coarse stage), refined by its own query where one
 * run is asked about.
 */
export const WES_STATES = [
  'UNKNOWN',
  'QUEUED',
  'INITIALIZING',
  'RUNNING',
  'PAUSED',
  'COMPLETE',
  'EXECUTOR_ERROR',
  'SYSTEM_ERROR',
  'CANCELED',
  'CANCELING',
  'PREEMPTED',
] as const;
export type WesState = (typeof WES_STATES)[number];

/** Stages before any work runs: intake, planning, resolving a selection, a release's snapshot. */
const INITIALIZING_STAGES = new Set([
  'preparing',
  'planning',
  'validating',
  'resolving',
  'snapshot',
]);
/** Stages a workflow that completed normally can end in although its work did not succeed. */
const FAILED_STAGES = new Set(['failed', 'rejected']);

/**
 * `execution` is Temporal's status name (RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED,
 * CONTINUED_AS_NEW, TIMED_OUT); `stage` the Stage attribute, or a finer state from a query
 * (`preempted` when the current step's last job was preempted and waits for its retry).
 */
export function wesState(execution: string, stage: string | null): WesState {
  switch (execution) {
    case 'RUNNING':
    case 'CONTINUED_AS_NEW':
      if (stage === null || stage === 'received') return 'QUEUED';
      if (stage === 'paused') return 'PAUSED';
      if (stage === 'cancelling') return 'CANCELING';
      if (stage === 'preempted') return 'PREEMPTED';
      if (INITIALIZING_STAGES.has(stage)) return 'INITIALIZING';
      return 'RUNNING';
    case 'COMPLETED':
      if (stage !== null && FAILED_STAGES.has(stage)) return 'EXECUTOR_ERROR';
      if (stage === 'cancelled') return 'CANCELED';
      return 'COMPLETE';
    case 'FAILED':
    case 'TIMED_OUT':
      return 'SYSTEM_ERROR';
    case 'CANCELED':
    case 'CANCELLED':
    case 'TERMINATED':
      return 'CANCELED';
    default:
      return 'UNKNOWN';
  }
}
