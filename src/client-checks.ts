/**
 * What the client checks before it asks Temporal anything (ids), and how it tells Temporal
 * not answering from Temporal refusing: shared by the CLI and the API.
 */
import { firstIdProblem, type IdKind } from './domain/id-rules.ts';
import { UsageError } from './errors.ts';

/** gRPC status codes that mean Temporal did not answer (not that it refused). */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * Why a failed call means Temporal cannot be reached (it is down, or did not answer within the
 * caller's deadline), or null when the error is another. Looks through the error's causes.
 */
export function temporalUnavailable(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) {
      return `Temporal did not answer (${code === GRPC_UNAVAILABLE ? 'unavailable' : 'deadline exceeded'}): is it running? ("harmonise up" starts it)`;
    }
    current = current.cause;
  }
  return null;
}

/** Refuses ids that break their rules, before anything is asked of Temporal (UsageError: 400, exit 2). */
export function checkIds(ids: Partial<Record<IdKind, string>>): void {
  const problem = firstIdProblem(ids);
  if (problem !== null) throw new UsageError(problem.problem);
}
