/**
 * A submission's bookkeeping: its workflow reads the intake list a page at a time, writes the
 * samples' outcomes in batches (releasing the claims of samples that were not registered), and
 * at the end writes the full outcome record, composed from those files. Each is idempotent: a
 * retry after a worker crash writes the same files again.
 */
import type { SubmissionProgress, SubmissionSampleStatus } from '../domain/status.ts';
import { writeJsonAtomic } from '../store/atomic.ts';
import { SampleClaims } from '../store/claims.ts';
import {
  composeSubmissionStatus,
  readIntakePage,
  writeOutcomes,
  type IntakePageEntry,
} from '../store/submissions.ts';
import { beating, currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';

export function createSubmissionActivities(deps: ActivityDeps) {
  const claims = new SampleClaims(deps.layout);
  return {
    async readSubmissionPage(input: {
      intakeFile: string;
      from: number;
      limit: number;
    }): Promise<{ entries: IntakePageEntry[]; next: number }> {
      return readIntakePage(input.intakeFile, input.from, input.limit);
    },

    async recordSubmissionOutcomes(input: {
      region: string;
      submissionId: string;
      runDir: string;
      seq: number;
      outcomes: SubmissionSampleStatus[];
    }): Promise<void> {
      await writeOutcomes(input.runDir, input.seq, input.outcomes);
      // A registered sample is the catalogue's now; one that was not may be submitted again.
      await claims.release(
        input,
        input.outcomes.map((o) => o.sampleId),
      );
    },

    async recordSubmission(progress: SubmissionProgress): Promise<void> {
      const status = await beating(currentActivity(), () =>
        composeSubmissionStatus(deps.layout, progress),
      );
      await writeJsonAtomic(
        deps.layout.submissionRecord(progress.region, progress.submissionId),
        status,
      );
    },
  };
}
