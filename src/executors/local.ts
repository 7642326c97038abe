/**
 * The `local` executor (the embedded default): job scripts run as detached process groups on
 * this machine, admitted within a CPU and memory budget, with the same markers as on Slurm.
 *
 * A job outlives the worker that started it: its `job.json` records the pid and the pid's start
 * time, so a restarted worker re-attaches to it (or reads its markers) instead of starting it
 * again. The executor enforces the time limit and the memory request itself, writing an
 * `outcome.json` marker before it kills, so that a job that runs out of memory or time is
 * retried with more of it, as on Slurm.
 *
 * Workers on one host may share a data root: a key's `job.json` and a job's `start.claim` are
 * created exclusively, so a key makes one job and a job is started once, whichever workers
 * queued or re-attached to it; a job cancelled through another worker is not started.
 */
import type { JobResources } from '../domain/pipeline.ts';
import type { Logger } from '../logger.ts';
import { SCRIPT_NAME } from '../tools/job-script.ts';
import { ResourceBudget } from './local-budget.ts';
import {
  isProcessAlive,
  terminateProcessGroup,
  processGroupsRssMiB,
  processStartTime,
} from '../platform/process.ts';
import { JobLauncher } from './local-launcher.ts';
import { appendLedger, claimStart, JOB_ID_ENV, readJobFile, recordJob } from './local-job-file.ts';
import { writeJobFile, type JobFile } from './local-job-file.ts';
import { cancelLeftJob, findLeftJob, statusOfLeftJob } from './local-left-jobs.ts';
import { limitBreach } from './local-limits.ts';
import {
  fullDiskReason,
  readOutcome,
  statusFromMarkers,
  writeOutcome,
  type Outcome,
} from './markers.ts';
import type { JobExecutor, JobRef, JobSpec, JobStatus } from './port.ts';

export { JOB_FILE, JOB_ID_ENV } from './local-job-file.ts';

export interface LocalExecutorOptions {
  cpus: number;
  memMiB: number;
  /** Append-only record of every process start: one JSON line per start. */
  ledgerFile: string;
  logger: Logger;
  /** How often memory is sampled; also the granularity of the time limit. */
  watchIntervalMs?: number;
  /** Grace between TERM and KILL when the executor stops a job. */
  killGraceMs?: number;
  /** Length of a "minute" of a job's time limit; shorter only in tests of the time limit. */
  minuteMs?: number;
}

interface Running {
  ref: JobRef;
  pid: number;
  pidStartTime: string;
  resources: JobResources;
  deadline: number;
}

interface Queued {
  ref: JobRef;
  file: JobFile;
}

export class LocalExecutor implements JobExecutor {
  readonly kind = 'local' as const;
  private readonly queue: Queued[] = [];
  private readonly running = new Map<string, Running>();
  /** Ends this worker could not write to a job's folder (its file system full). */
  private readonly unwritten = new Map<string, Outcome>();
  private readonly watchTimer: NodeJS.Timeout;
  private readonly killGraceMs: number;
  private readonly minuteMs: number;
  private readonly budget: ResourceBudget;
  private readonly launcher = new JobLauncher(JOB_ID_ENV);

  constructor(private readonly options: LocalExecutorOptions) {
    this.killGraceMs = options.killGraceMs ?? 5000;
    this.minuteMs = options.minuteMs ?? 60_000;
    this.budget = new ResourceBudget(options.cpus, options.memMiB);
    this.watchTimer = setInterval(() => this.watch(), options.watchIntervalMs ?? 1000);
    this.watchTimer.unref();
  }

  async submit(spec: JobSpec): Promise<JobRef> {
    const { file, created } = await recordJob(spec);
    if (file.key !== spec.key) {
      throw new Error(`${spec.workDir} belongs to job key ${file.key}, not ${spec.key}`);
    }
    if (!created) return this.reattach(file, spec.workDir);
    const ref: JobRef = {
      executor: 'local',
      jobId: file.jobId,
      key: file.key,
      workDir: spec.workDir,
    };
    this.enqueue({ ref, file });
    return ref;
  }

  async status(jobs: readonly JobRef[]): Promise<Map<string, JobStatus>> {
    const result = new Map<string, JobStatus>();
    for (const job of jobs) {
      const status = await this.statusOf(job);
      if (status) result.set(job.jobId, status);
    }
    return result;
  }

  async adopt(job: JobRef): Promise<void> {
    const file = await readJobFile(job.workDir);
    if (file?.key === job.key && file.jobId === job.jobId) await this.reattach(file, job.workDir);
  }

  async cancel(job: JobRef): Promise<void> {
    const queuedAt = this.queue.findIndex((q) => q.ref.jobId === job.jobId);
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1);
      await writeOutcome(job.workDir, {
        state: 'CANCELLED',
        reason: 'cancelled before it started',
      });
      return;
    }
    const running = this.running.get(job.jobId);
    if (running) {
      await this.stop(running, { state: 'CANCELLED', reason: 'cancelled by harmonise' });
      return;
    }
    await cancelLeftJob(job, this.killGraceMs);
  }

  close(): Promise<void> {
    clearInterval(this.watchTimer);
    this.launcher.close();
    this.queue.length = 0;
    this.running.clear();
    return Promise.resolve();
  }

  /** The budget in use, for logs and tests. */
  usage(): { cpus: number; memMiB: number; running: number; queued: number } {
    const used = this.budget.used([...this.running.values()].map((job) => job.resources));
    return { ...used, running: this.running.size, queued: this.queue.length };
  }

  private async reattach(file: JobFile, workDir: string): Promise<JobRef> {
    const ref: JobRef = { executor: 'local', jobId: file.jobId, key: file.key, workDir };
    const known = this.running.has(ref.jobId) || this.queue.some((q) => q.ref.jobId === ref.jobId);
    if (known) return ref;
    const log = this.options.logger.child({ jobId: ref.jobId, key: ref.key });
    const left = await findLeftJob(file, workDir, log);
    if (left.found === 'running')
      this.adoptRunning(ref, left.pid, left.pidStartTime, file.resources, left.startedAt);
    else if (left.found === 'not-started')
      this.enqueue({ ref, file: { ...file, phase: 'queued' } });
    return ref;
  }

  private enqueue(job: Queued): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const running = [...this.running.values()].map((job) => job.resources);
      const fits = this.budget.fits(running, head.file.resources);
      if (!fits) return;
      this.queue.shift();
      this.start(head).catch(async (error: unknown) => {
        this.finished(head.ref.jobId);
        this.options.logger.error({ err: error, jobId: head.ref.jobId }, 'could not start job');
        const why =
          (await fullDiskReason(head.ref.workDir)) ??
          (error instanceof Error ? error.message : String(error));
        const outcome: Outcome = { state: 'NODE_FAIL', reason: `could not start: ${why}` };
        // On a full disk the outcome cannot be written either: this worker remembers it.
        this.unwritten.set(head.ref.jobId, outcome);
        await writeOutcome(head.ref.workDir, outcome).catch(() => undefined);
      });
    }
  }

  private async start(job: Queued): Promise<void> {
    const { ref, file } = job;
    // Reserve the budget before any await, so pump() cannot over-admit meanwhile.
    const placeholder: Running = {
      ref,
      pid: -1,
      pidStartTime: '',
      resources: file.resources,
      deadline: Date.now() + file.resources.timeMinutes * this.minuteMs,
    };
    this.running.set(ref.jobId, placeholder);
    // Not started here when another worker on the data root that had it queued too started it,
    // or when it was cancelled through another worker while it waited.
    if (!(await claimStart(ref.workDir, ref.jobId)) || (await readOutcome(ref.workDir)) !== null) {
      this.finished(ref.jobId);
      return;
    }
    await writeJobFile(ref.workDir, { ...file, phase: 'starting' });
    // The end of the job is seen by watch() (the process is gone) or by its markers.
    const pid = await this.launcher.launch(ref.workDir, SCRIPT_NAME, ref.jobId);
    const pidStartTime = processStartTime(pid) ?? '';
    const startedAt = new Date();
    placeholder.pid = pid;
    placeholder.pidStartTime = pidStartTime;
    const at = startedAt.toISOString();
    await writeJobFile(ref.workDir, {
      ...file,
      phase: 'started',
      pid,
      pidStartTime,
      startedAt: at,
    });
    await appendLedger(this.options.ledgerFile, { key: ref.key, jobId: ref.jobId, pid, at });
    this.options.logger.info({ jobId: ref.jobId, key: ref.key, pid }, 'job started');
    // Cancelled (here or through another worker) while it was being started: stopped now.
    if ((await readOutcome(ref.workDir)) !== null) {
      terminateProcessGroup(pid, pidStartTime, this.killGraceMs);
    }
  }

  private adoptRunning(
    ref: JobRef,
    pid: number,
    pidStartTime: string,
    resources: JobResources,
    startedAt: number,
  ): void {
    this.running.set(ref.jobId, {
      ref,
      pid,
      pidStartTime,
      resources,
      deadline: startedAt + resources.timeMinutes * this.minuteMs,
    });
  }

  private finished(jobId: string): void {
    if (this.running.delete(jobId)) this.pump();
  }

  /** Periodic check of every running job: gone, over its time limit, or over its memory. */
  private watch(): void {
    // One pass over /proc for every group's memory, taken only when a job is running.
    let rss: Map<number, number> | null = null;
    for (const job of [...this.running.values()]) {
      if (job.pid < 0) continue; // still starting
      if (!isProcessAlive(job.pid, job.pidStartTime)) {
        this.finished(job.ref.jobId);
        continue;
      }
      const breach = limitBreach(job.resources, job.deadline, () => {
        rss ??= processGroupsRssMiB();
        return rss.get(job.pid) ?? 0;
      });
      if (breach) {
        void this.stop(job, breach).catch((error: unknown) =>
          this.options.logger.error({ err: error }, 'stop failed'),
        );
      }
    }
  }

  private async stop(job: Running, outcome: Outcome): Promise<void> {
    if ((await readOutcome(job.ref.workDir)) !== null) return; // already being stopped
    await writeOutcome(job.ref.workDir, outcome);
    this.options.logger.warn(
      { jobId: job.ref.jobId, key: job.ref.key, ...outcome },
      'stopping job',
    );
    if (job.pid < 0) return;
    terminateProcessGroup(job.pid, job.pidStartTime, this.killGraceMs);
  }

  private async statusOf(job: JobRef): Promise<JobStatus | null> {
    const ended = await statusFromMarkers(job.workDir);
    if (ended) return ended;
    const unwritten = this.unwritten.get(job.jobId);
    if (unwritten) return { state: unwritten.state, exitCode: null, reason: unwritten.reason };
    if (this.queue.some((q) => q.ref.jobId === job.jobId)) {
      return { state: 'PENDING', exitCode: null };
    }
    const running = this.running.get(job.jobId);
    if (running && (running.pid < 0 || isProcessAlive(running.pid, running.pidStartTime))) {
      return { state: 'RUNNING', exitCode: null };
    }
    return statusOfLeftJob(job);
  }
}
