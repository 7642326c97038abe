export { FailureType } from './domain/failures.ts';

/** Base class for errors raised outside workflows; `code` is stable and machine-readable. */
export class HarmoniseError extends Error {
  override readonly name: string = 'HarmoniseError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad usage or input (CLI exit code 2). */
export class UsageError extends HarmoniseError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** The Temporal service (or another required service) cannot be reached (CLI exit code 3). */
export class ServiceUnreachableError extends HarmoniseError {
  override readonly name: string = 'ServiceUnreachableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVICE_UNREACHABLE', message, options);
  }
}

/**
 * A workflow did not answer a query in time: no worker took it within the deadline (the worker
 * is down, or busy with a long workflow task). Asking again later may succeed.
 */
export class WorkflowBusyError extends ServiceUnreachableError {
  override readonly name = 'WorkflowBusyError';
}

/** A tool or file the installation needs is missing. */
export class MissingDependencyError extends HarmoniseError {
  override readonly name = 'MissingDependencyError';
  constructor(message: string) {
    super('MISSING_DEPENDENCY', message);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An id (region, submission, sample, campaign, release, pipeline version) that breaks its rules,
 * or a path that would leave its folder. Bad input, never worth a retry: activities throw it and
 * the workflows' retry policies name it as non-retryable.
 */
export class InvalidIdError extends HarmoniseError {
  override readonly name = 'InvalidIdError';
  constructor(message: string) {
    super('INVALID_ID', message);
  }
}

/**
 * The provenance.json a published version names is missing, unreadable, or not a
 * harmonise.provenance/v1 document of that sample and version. Retrying cannot make it appear:
 * a rerun refuses the sample (`RERUN_PROVENANCE_MISSING`) instead of treating its inputs as
 * unchanged.
 */
export class ProvenanceMissingError extends HarmoniseError {
  override readonly name = 'ProvenanceMissingError';
  constructor(message: string) {
    super('RERUN_PROVENANCE_MISSING', message);
  }
}
