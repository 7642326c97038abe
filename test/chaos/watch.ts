/**
 * What the fault suite watches while the campaign runs: the campaign's jobs among Slurm's records
 * (remembered across moments the controller does not answer) and the campaign's progress.
 */
import type { HarmoniseClient } from '../../src/client.ts';
import type { CampaignProgress } from '../../src/domain/campaign.ts';
import { slurmJobs, type SlurmJob } from './slurm-records.ts';
import { isCampaignJob } from './verify.ts';

export class Watch {
  readonly jobs = new Map<string, SlurmJob>();
  finished = 0;
  progress: CampaignProgress | null = null;

  constructor(
    private readonly client: HarmoniseClient,
    private readonly campaignId: string,
    private readonly version: string,
    /** Jobs up to this id were there before the campaign (the cluster outlives data roots). */
    private readonly firstJobId: number,
  ) {}

  /** Keeps the campaign's jobs among Slurm's records. */
  add(jobs: ReadonlyMap<string, SlurmJob> | null): void {
    for (const job of jobs?.values() ?? [])
      if (Number(job.jobId) >= this.firstJobId && isCampaignJob(this.version)(job.name))
        this.jobs.set(job.jobId, job);
  }

  /** Jobs seen plus samples finished: grows only when harmonise moves on. */
  async read(): Promise<number> {
    this.add(await slurmJobs().catch(() => null));
    const progress = await within(5000, this.client.campaignProgress(this.campaignId));
    if (progress) {
      this.progress = progress;
      const c = progress.counts;
      this.finished = c.done + c.failed + c.rejected + c.skipped + c.cancelled;
    }
    return this.jobs.size + this.finished;
  }

  get ended(): boolean {
    const state = this.progress?.state;
    return state === 'completed' || state === 'cancelled';
  }
}

/** The promise's value, or null when it fails or takes longer (a server being restarted). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
