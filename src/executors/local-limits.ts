/**
 * The local executor's enforcement of a job's requests, as Slurm enforces them: a job past its
 * time limit or over its memory is stopped with the outcome that makes it retry with more.
 */
import type { JobResources } from '../domain/pipeline.ts';
import type { Outcome } from './markers.ts';

/** The outcome to stop a running job with, or null within its limits; memory is read last. */
export function limitBreach(
  resources: JobResources,
  deadline: number,
  rssMiB: () => number,
): Outcome | null {
  if (Date.now() > deadline) {
    return { state: 'TIMEOUT', reason: `over its time limit of ${resources.timeMinutes} min` };
  }
  const used = rssMiB();
  if (used <= resources.memMiB) return null;
  return {
    state: 'OUT_OF_MEMORY',
    reason: `used ${Math.round(used)} MiB, over its ${resources.memMiB} MiB`,
  };
}
