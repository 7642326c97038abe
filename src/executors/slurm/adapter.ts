/**
 * The `slurm` executor: the JobExecutor port on a real Slurm cluster.
 *
 * Exactly one sbatch per job key: the job id is recorded in `slurm-job.json` beside the script,
 * after an intent record written before sbatch. When the key's work directory already existed
 * (an earlier attempt at the key), the key is looked up as a job name in squeue, and in
 * accounting when an sbatch was under way (the worker may have died between sbatch and the
 * record); a work directory made just now has seen no sbatch and needs no look-up. Look-ups
 * are coalesced (key-lookup.ts): re-attaching many jobs at once costs a few squeues. Job ids
 * are only trusted together with their name: slurmctld can reuse ids after a crash. Status is
 * read from the job's markers first and from Slurm's own record second, in one squeue call for
 * every job in flight, at most once per status interval however often the poller asks.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal, type JobState } from '../../domain/job-state.ts';
import type { Logger } from '../../logger.ts';
import { writeFileAtomic } from '../../store/atomic.ts';
import { SCRIPT_NAME, STDERR_NAME, STDOUT_NAME } from '../../tools/job-script.ts';
import { statusFromMarkers, writeOutcome } from '../markers.ts';
import {
  JobRejectedError,
  type JobExecutor,
  type JobRef,
  type JobSpec,
  type JobStatus,
} from '../port.ts';
import { SlurmRejectedError, SlurmUnavailableError, type SlurmCommands } from './commands.ts';
import { readJobRecord, writeJobRecord } from './job-record.ts';
import { KeyLookup } from './key-lookup.ts';
import { RateLimiter } from './rate-limit.ts';
import { buildSbatchArgs, SbatchArgsError, type SlurmSiteOptions } from './sbatch-args.ts';
import { Slots } from './slots.ts';

export { SLURM_JOB_FILE } from './job-record.ts';

export interface SlurmExecutorOptions {
  commands: SlurmCommands;
  site: SlurmSiteOptions;
  /** sbatch calls per second at most, sustained (a busy controller is protected by this). */
  submitRatePerSecond: number;
  /**
   * sbatch calls that may go at once before the rate applies (default: one second's worth), so
   * that a batch of jobs started together does not queue behind the rate.
   */
  submitBurst?: number;
  /** Submissions (script, records, sbatch) under way at once at most; the others wait in order (default 8). */
  submitSlots?: number;
  /** Slurm is asked about jobs at most this often; markers are read on every poll. */
  statusIntervalMs: number;
  logger: Logger;
  /** Retries of sbatch when the controller is busy or unreachable. */
  sbatchAttempts?: number;
  sbatchBackoffMs?: number;
}

interface SlurmView {
  /** null: Slurm was asked and did not know the job (or knew another job by that id). */
  state: JobState | null;
  reason: string;
}

export class SlurmExecutor implements JobExecutor {
  readonly kind = 'slurm' as const;
  private readonly limiter: RateLimiter;
  private readonly lookup: KeyLookup;
  private readonly submitSlots: Slots;
  private readonly views = new Map<string, SlurmView>();
  private lastStatusCall = 0;

  constructor(private readonly options: SlurmExecutorOptions) {
    this.limiter = new RateLimiter(
      options.submitRatePerSecond,
      options.submitBurst ?? Math.max(1, Math.ceil(options.submitRatePerSecond)),
    );
    this.lookup = new KeyLookup(options.commands);
    this.submitSlots = new Slots(options.submitSlots ?? 8);
  }

  async submit(spec: JobSpec): Promise<JobRef> {
    try {
      return await this.submitOrReattach(spec);
    } catch (error) {
      // Refusals retrying cannot fix reach the activity as the port's error, message unchanged.
      if (error instanceof SlurmRejectedError || error instanceof SbatchArgsError) {
        throw new JobRejectedError(error.message, { cause: error });
      }
      throw error;
    }
  }

  private async submitOrReattach(spec: JobSpec): Promise<JobRef> {
    // Every sbatch of a key happens in its work directory, after its intent record: a work
    // directory that did not exist until now has had no sbatch, and needs no look-up.
    const fresh = (await fs.mkdir(spec.workDir, { recursive: true })) !== undefined;
    if (!fresh) {
      const existing = await this.reattach(spec);
      if (existing) return existing;
    }
    // The script, the intent record (each synced to disk) and sbatch: a few submissions at a
    // time, in order. A hundred at once would take turns on the disk and the thread pool step by
    // step and all reach Slurm at the end; in order, the first reach it first.
    const jobId = await this.submitSlots.run(() => this.sbatch(spec));
    await writeJobRecord(spec.workDir, { key: spec.key, jobId, source: 'sbatch' });
    this.options.logger.info(
      { key: spec.key, jobId, resources: spec.resources },
      'job submitted to Slurm',
    );
    return this.ref(spec, jobId);
  }

  /** Writes the script and the intent record, then submits; the job id. */
  private async sbatch(spec: JobSpec): Promise<string> {
    const scriptPath = path.join(spec.workDir, SCRIPT_NAME);
    const args = buildSbatchArgs(
      {
        key: spec.key,
        workDir: spec.workDir,
        scriptPath,
        stdoutPath: path.join(spec.workDir, STDOUT_NAME),
        stderrPath: path.join(spec.workDir, STDERR_NAME),
        resources: spec.resources,
      },
      this.options.site,
    );
    // Both must be on disk before sbatch; their order does not matter.
    await Promise.all([
      writeFileAtomic(scriptPath, spec.script, 0o755),
      writeJobRecord(spec.workDir, { key: spec.key, source: 'intent' }),
    ]);
    return this.sbatchOnce(spec.key, args);
  }

  /**
   * The job an earlier attempt at this key submitted: from its record, else (the worker may have
   * died between sbatch and the record) from Slurm by name, accounting included when an sbatch
   * was under way.
   */
  private async reattach(spec: JobSpec): Promise<JobRef | null> {
    const log = this.options.logger.child({ key: spec.key });
    const recorded = await readJobRecord(spec.workDir);
    if (recorded && recorded.key !== spec.key) {
      throw new Error(`${spec.workDir} belongs to job key ${recorded.key}, not ${spec.key}`);
    }
    if (recorded?.jobId) {
      log.info({ jobId: recorded.jobId, found: 'record' }, 're-attached to job');
      return this.ref(spec, recorded.jobId);
    }
    const searchAccounting = recorded?.source === 'intent';
    const existing = await this.retrying(spec.key, 'look-up', () =>
      this.lookup.find(spec.key, searchAccounting),
    );
    if (!existing) return null;
    await writeJobRecord(spec.workDir, { key: spec.key, jobId: existing, source: 'found' });
    log.info({ jobId: existing, found: 'slurm' }, 're-attached to job');
    return this.ref(spec, existing);
  }

  async status(jobs: readonly JobRef[]): Promise<Map<string, JobStatus>> {
    const result = new Map<string, JobStatus>();
    const undecided: { job: JobRef; marker: JobStatus | null }[] = [];
    for (const job of jobs) {
      const marker = await statusFromMarkers(job.workDir);
      // A clean exit, or an end harmonise caused itself, needs no word from Slurm.
      if (marker && marker.state !== 'FAILED') {
        result.set(job.jobId, marker);
        continue;
      }
      undecided.push({ job, marker });
    }
    if (undecided.length === 0) return result;
    if (Date.now() - this.lastStatusCall >= this.options.statusIntervalMs) {
      await this.refreshViews(undecided.map((u) => u.job));
    }
    for (const { job, marker } of undecided) {
      const status = this.decide(job, marker);
      if (status) result.set(job.jobId, status);
    }
    return result;
  }

  /** Slurm owns its jobs: any process can ask after one. */
  adopt(): Promise<void> {
    return Promise.resolve();
  }

  async cancel(job: JobRef): Promise<void> {
    if ((await statusFromMarkers(job.workDir)) === null) {
      await writeOutcome(job.workDir, { state: 'CANCELLED', reason: 'cancelled by harmonise' });
    }
    await this.options.commands.scancel(job.jobId, job.key);
  }

  /** Slurm status calls (squeue, sacct) made so far: one per status interval at most. */
  get slurmStatusCalls(): number {
    return this.options.commands.statusCalls;
  }

  /** Every Slurm call made so far, by purpose: status polls, key look-ups, sbatch. */
  get slurmCalls(): { status: number; lookup: number; sbatch: number } {
    const { statusCalls, lookupCalls, sbatchCalls } = this.options.commands;
    return { status: statusCalls, lookup: lookupCalls, sbatch: sbatchCalls };
  }

  close(): Promise<void> {
    this.views.clear();
    return Promise.resolve();
  }

  private ref(spec: JobSpec, jobId: string): JobRef {
    return { executor: 'slurm', jobId, key: spec.key, workDir: spec.workDir };
  }

  /**
   * sbatch, rate-limited. Before a retry the key is looked up: an sbatch that timed out may
   * still have submitted the job.
   */
  private sbatchOnce(key: string, args: string[]): Promise<string> {
    return this.retrying(key, 'sbatch', async (attempt) => {
      if (attempt > 1) {
        const submitted = await this.lookup.find(key, true);
        if (submitted) return submitted;
      }
      await this.limiter.take();
      return this.options.commands.sbatch(args);
    });
  }

  /** Retries a call with backoff while the controller is busy or unreachable. */
  private async retrying<T>(
    key: string,
    what: string,
    call: (attempt: number) => Promise<T>,
  ): Promise<T> {
    const attempts = this.options.sbatchAttempts ?? 6;
    let delay = this.options.sbatchBackoffMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(attempt);
      } catch (error) {
        if (!(error instanceof SlurmUnavailableError) || attempt >= attempts) throw error;
        this.options.logger.warn({ key, attempt, err: error }, `Slurm ${what} failed; retrying`);
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /** One squeue for all undecided jobs; accounting only for those squeue no longer knows. */
  private async refreshViews(jobs: readonly JobRef[]): Promise<void> {
    const byId = new Map(jobs.map((job) => [job.jobId, job]));
    const rows = await this.options.commands.squeueByIds([...byId.keys()]);
    this.lastStatusCall = Date.now();
    const seen = new Set<string>();
    for (const row of rows) {
      const job = byId.get(row.jobId);
      if (!job || row.name !== job.key) continue; // a reused id belongs to someone else
      seen.add(row.jobId);
      this.views.set(row.jobId, { state: row.state, reason: row.reason });
    }
    const gone = [...byId.keys()].filter((id) => !seen.has(id));
    const accounted = gone.length > 0 ? await this.options.commands.sacct({ jobIds: gone }) : [];
    for (const row of accounted) {
      const job = byId.get(row.jobId);
      if (!job || row.name !== job.key) continue;
      seen.add(row.jobId);
      this.views.set(row.jobId, { state: row.state, reason: `exit ${row.exitCode}` });
    }
    for (const id of gone) if (!seen.has(id)) this.views.set(id, { state: null, reason: '' });
  }

  /** Marker and Slurm's view together; undefined when neither knows yet (the poller's grace). */
  private decide(job: JobRef, marker: JobStatus | null): JobStatus | undefined {
    const view = this.views.get(job.jobId);
    if (view === undefined) return { state: 'PENDING', exitCode: null }; // not asked yet
    if (view.state !== null && isTerminal(view.state)) {
      this.views.delete(job.jobId);
      // A failing script's marker says FAILED; Slurm says why (memory, time, node, cancel).
      return {
        state: view.state,
        exitCode: marker?.exitCode ?? null,
        reason: view.reason || view.state,
      };
    }
    if (view.state !== null) return { state: view.state, exitCode: null };
    // Slurm does not know the job: a failure its marker recorded is still a failure.
    if (marker) return marker;
    return undefined;
  }
}
