/**
 * The dashboard's genomes by stage (domain/sample-tally.ts), kept up to date from Temporal's
 * visibility: each refresh lists the running sample workflows and the runs that closed since the
 * last refresh, never every run again. The first refresh of an API process reads every closed
 * run, a bounded slice per refresh, and says so (`complete: false`) until it is through.
 */
import type { HarmoniseClient } from '../client.ts';
import { SampleTally, type SampleRun, type StageCounts } from '../domain/sample-tally.ts';
import { rawStage, statusName, timestampMs } from '../temporal-records.ts';

/** Runs that closed this long before the newest close seen are listed again (visibility lag). */
const OVERLAP_MS = 2 * 60_000;
const PAGE_SIZE = 1000;
/** A refresh stops reading the backlog of closed runs after this, well within a request's 5 s. */
const BACKLOG_BUDGET_MS = 2_000;

const SAMPLES = 'WorkflowType="sampleWorkflow"';
const RUNNING = `${SAMPLES} AND ExecutionStatus="Running"`;
const CLOSED = `${SAMPLES} AND ExecutionStatus!="Running"`;

export interface SampleCounts {
  /** Each sample once, in the stage of its latest run. */
  samplesByStage: StageCounts;
  /** Every sampleWorkflow run (a rerun sample counts once per run). */
  runsByStage: StageCounts;
  /** False until this API process has read every closed run once. */
  complete: boolean;
}

type RawInfo = NonNullable<
  Awaited<
    ReturnType<HarmoniseClient['temporal']['workflowService']['listWorkflowExecutions']>
  >['executions']
>[number];

function runOf(info: RawInfo): SampleRun | null {
  const workflowId = info.execution?.workflowId;
  const runId = info.execution?.runId;
  const startMs = timestampMs(info.startTime);
  if (!workflowId || !runId || startMs === null) return null;
  return {
    workflowId,
    runId,
    startMs,
    closeMs: timestampMs(info.closeTime),
    stage: rawStage(info),
    execution: statusName(info.status),
  };
}

export function createSampleCounter(client: HarmoniseClient): () => Promise<SampleCounts> {
  const tally = new SampleTally(OVERLAP_MS);
  // The listing of closed runs under way: its query and the next page (null: not started).
  let listing: { query: string; token: Uint8Array | null } | null = null;
  let complete = false;
  let inFlight: Promise<SampleCounts> | null = null;

  const page = async (query: string, token: Uint8Array | null) => {
    const answer = await client.temporal.workflowService.listWorkflowExecutions({
      namespace: client.config.temporal.namespace,
      pageSize: PAGE_SIZE,
      query,
      ...(token ? { nextPageToken: token } : {}),
    });
    const runs = (answer.executions ?? []).map(runOf).filter((r) => r !== null);
    const next = answer.nextPageToken?.length ? answer.nextPageToken : null;
    return { runs, next };
  };

  const refresh = async (): Promise<SampleCounts> => {
    const started = Date.now();
    // Running runs first: one that closes meanwhile is then in the closed listing too, which wins.
    const running: SampleRun[] = [];
    let token: Uint8Array | null = null;
    do {
      const answer = await page(RUNNING, token);
      running.push(...answer.runs);
      token = answer.next;
    } while (token !== null);

    if (listing === null) {
      const since = tally.closedSince();
      listing = {
        query:
          since === null ? CLOSED : `${CLOSED} AND CloseTime >= "${new Date(since).toISOString()}"`,
        token: null,
      };
    }
    do {
      const answer = await page(listing.query, listing.token);
      for (const run of answer.runs) tally.addClosed(run);
      listing.token = answer.next;
    } while (listing.token !== null && Date.now() - started < BACKLOG_BUDGET_MS);
    if (listing.token === null) {
      listing = null;
      complete = true;
      tally.prune();
    }
    tally.setRunning(running);
    return {
      samplesByStage: tally.samplesByStage(),
      runsByStage: tally.runsByStage(),
      complete,
    };
  };

  // One refresh at a time: two at once would read the same page twice.
  return () => {
    inFlight ??= refresh().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}
