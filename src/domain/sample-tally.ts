/**
 * Genomes by stage, from the sampleWorkflow runs Temporal's visibility lists: each sample counts
 * once, in the state of its latest run (by start time), however often it was rerun (a campaign,
 * a benchmark, a new pipeline version). The runs themselves are counted beside it.
 *
 * Fed incrementally (the API lists only runs that closed since the last look, and the running
 * ones), so a closed run seen twice must count once: runs closed within `overlapMs` of the newest
 * close seen are remembered by run id, older ones are never listed again.
 */

/** The stages the dashboard counts, in its order (the sample workflow's Stage attribute). */
export const SAMPLE_TALLY_STAGES = [
  'preparing',
  'planning',
  'running',
  'done',
  'failed',
  'rejected',
  'cancelled',
] as const;
export type TallyStage = (typeof SAMPLE_TALLY_STAGES)[number];

const ENDED: readonly string[] = ['done', 'failed', 'rejected', 'cancelled'];

/** One run as visibility shows it. `closeMs` is null while it runs. */
export interface SampleRun {
  workflowId: string;
  runId: string;
  startMs: number;
  closeMs: number | null;
  /** The Stage search attribute, if set. */
  stage: string | null;
  /** Temporal's execution status name: RUNNING, COMPLETED, FAILED, TERMINATED… */
  execution: string;
}

/** `sample:<sampleId>:<pipelineVersion>` (ids hold no colon), else null. */
export function sampleIdOf(workflowId: string): string | null {
  const [kind, sampleId] = workflowId.split(':');
  return kind === 'sample' && sampleId ? sampleId : null;
}

/**
 * Where a run stands: its Stage attribute, except for a run that ended without reaching an end
 * stage (terminated, timed out, failed outside its own handling), which counts by how it ended.
 * Null for a run that continued as new: its successor is the run that counts.
 */
export function stageOfRun(
  run: Pick<SampleRun, 'stage' | 'execution' | 'closeMs'>,
): TallyStage | null {
  if (run.execution === 'CONTINUED_AS_NEW') return null;
  const stage = run.stage ?? 'preparing';
  if (run.closeMs === null || run.execution === 'RUNNING') {
    return (SAMPLE_TALLY_STAGES as readonly string[]).includes(stage)
      ? (stage as TallyStage)
      : 'running';
  }
  if (ENDED.includes(stage)) return stage as TallyStage;
  if (run.execution === 'CANCELLED' || run.execution === 'TERMINATED') return 'cancelled';
  return 'failed';
}

interface Latest {
  startMs: number;
  runId: string;
  stage: TallyStage;
}

export type StageCounts = Record<TallyStage, number>;

function zeroCounts(): StageCounts {
  return Object.fromEntries(SAMPLE_TALLY_STAGES.map((s) => [s, 0])) as StageCounts;
}

export class SampleTally {
  private readonly latest = new Map<string, Latest>();
  private readonly closedRuns = zeroCounts();
  /** Closed runs near the horizon, by run id (they may be listed again). */
  private readonly recentClosed = new Map<string, number>();
  private running: { runId: string; stage: TallyStage }[] = [];
  private newestCloseMs: number | null = null;

  constructor(private readonly overlapMs: number) {}

  /** List closed runs with CloseTime at or after this (null: all of them, the first time). */
  closedSince(): number | null {
    return this.newestCloseMs === null ? null : this.newestCloseMs - this.overlapMs;
  }

  /** A run that has ended; a run already counted changes nothing. */
  addClosed(run: SampleRun): void {
    const stage = stageOfRun(run);
    const sampleId = sampleIdOf(run.workflowId);
    if (run.closeMs === null || stage === null || sampleId === null) return;
    if (this.recentClosed.has(run.runId)) return;
    this.recentClosed.set(run.runId, run.closeMs);
    this.closedRuns[stage] += 1;
    this.offer(sampleId, { startMs: run.startMs, runId: run.runId, stage });
    if (this.newestCloseMs === null || run.closeMs > this.newestCloseMs)
      this.newestCloseMs = run.closeMs;
  }

  /**
   * Every run running now (replaces the previous list). A run listed here that a later listing
   * of closed runs already returned has ended: the closed record wins.
   */
  setRunning(runs: readonly SampleRun[]): void {
    this.running = [];
    for (const run of runs) {
      if (this.recentClosed.has(run.runId)) continue;
      const stage = stageOfRun({ ...run, closeMs: null, execution: 'RUNNING' });
      const sampleId = sampleIdOf(run.workflowId);
      if (stage === null || sampleId === null) continue;
      this.running.push({ runId: run.runId, stage });
      this.offer(sampleId, { startMs: run.startMs, runId: run.runId, stage });
    }
  }

  /** Forgets the ids of closed runs that no later listing can return. */
  prune(): void {
    const horizon = this.closedSince();
    if (horizon === null) return;
    for (const [runId, closeMs] of this.recentClosed) {
      if (closeMs < horizon) this.recentClosed.delete(runId);
    }
  }

  /** Each sample once, in its latest run's stage. */
  samplesByStage(): StageCounts {
    const counts = zeroCounts();
    for (const { stage } of this.latest.values()) counts[stage] += 1;
    return counts;
  }

  /** Every run counted: a sample run three times counts three times here. */
  runsByStage(): StageCounts {
    const counts = { ...this.closedRuns };
    for (const { stage } of this.running) counts[stage] += 1;
    return counts;
  }

  private offer(sampleId: string, run: Latest): void {
    const current = this.latest.get(sampleId);
    // The same run moves on (running → done); a later start supersedes; an earlier one is history.
    if (
      current === undefined ||
      current.runId === run.runId ||
      run.startMs > current.startMs ||
      (run.startMs === current.startMs && run.runId > current.runId)
    ) {
      this.latest.set(sampleId, run);
    }
  }
}
