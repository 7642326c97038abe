/**
 * Reading Temporal's raw records (list, describe and task-queue answers, before the SDK's
 * decoding): the execution status by name, the Stage attribute, and protobuf times.
 */
import proto from '@temporalio/proto';

type RawInfo = proto.temporal.api.workflow.v1.IWorkflowExecutionInfo;
type RawTimestamp = proto.google.protobuf.ITimestamp;

const STATUS_PREFIX = 'WORKFLOW_EXECUTION_STATUS_';

/** RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, CONTINUED_AS_NEW, TIMED_OUT… */
export const statusName = (value: number | null | undefined): string =>
  (proto.temporal.api.enums.v1.WorkflowExecutionStatus[value ?? 0] ?? 'UNSPECIFIED').replace(
    STATUS_PREFIX,
    '',
  );

/** The Stage attribute of a raw execution (a JSON-encoded keyword payload), or null. */
export function rawStage(info: RawInfo): string | null {
  const payload = info.searchAttributes?.indexedFields?.Stage;
  if (!payload?.data) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
    return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : null;
  } catch {
    return null;
  }
}

/** Epoch milliseconds of a protobuf timestamp, or null when there is none. */
export function timestampMs(ts: RawTimestamp | null | undefined): number | null {
  if (!ts || ts.seconds === null || ts.seconds === undefined) return null;
  return Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

export function timestampIso(ts: RawTimestamp | null | undefined): string | null {
  const ms = timestampMs(ts);
  return ms === null ? null : new Date(ms).toISOString();
}
