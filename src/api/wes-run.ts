/**
 * One WES run: its details (request, log, task logs from a sample's job attempts, outputs), its
 * state, and cancelling it (a campaign by its own update, its samples and jobs with it).
 */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import type { StepStatus } from '../domain/status.ts';
import { ApiError, route, type RouteSpec } from './route.ts';
import { runParams, runState, runStatus, WES_BASE } from './wes-schemas.ts';

const iso = (date: Date | undefined | null) => (date ? date.toISOString() : null);

function taskLogs(steps: readonly StepStatus[]) {
  return steps.flatMap((step) =>
    step.attempts.map((a) => ({
      id: a.jobId ?? `${step.name}#${a.attempt}`,
      name: `${step.name}#${a.attempt}`,
      cmd: [],
      start_time: a.startedAt,
      end_time: a.endedAt,
      exit_code: null,
      system_logs: [`${a.state}${a.reason ? `: ${a.reason}` : ''}`],
    })),
  );
}

const noRun = (runId: string) => new ApiError(404, 'NOT_FOUND', `no run ${runId}`);

async function runLog(client: HarmoniseClient, runId: string) {
  const run = await client.wes.run(runId);
  if (run === null) throw noRun(runId);
  return {
    run_id: runId,
    state: run.state,
    request: {
      workflow_type: `harmonise/${run.type}`,
      workflow_type_version: run.pipelineVersion ?? '',
      workflow_params: {},
      tags: run.attributes,
    },
    run_log: {
      name: run.type,
      cmd: [],
      start_time: iso(run.startTime),
      end_time: iso(run.closeTime),
      exit_code: null,
      system_logs: [`Temporal status ${run.status}`],
    },
    task_logs: taskLogs(run.steps),
    outputs: run.outputs,
  };
}

async function cancelRun(client: HarmoniseClient, runId: string, requestedBy: string) {
  const cancel = await client.wes.cancel(runId, requestedBy);
  if (cancel === null) throw noRun(runId);
  if (!cancel.cancelled) {
    throw new ApiError(
      400,
      'BAD_REQUEST',
      `run ${runId} has ended (${cancel.status}) and cannot be cancelled`,
    );
  }
  return { run_id: runId };
}

export function runRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: `${WES_BASE}/runs/:runId`,
      summary: 'A run: its state, request, log, task logs (job attempts) and outputs',
      tag: 'wes',
      access: 'read',
      params: runParams,
      response: z.looseObject({
        run_id: z.string(),
        state: runState,
        request: z.looseObject({ workflow_type: z.string() }),
        run_log: z.looseObject({ name: z.string() }),
        task_logs: z.array(z.looseObject({ name: z.string() })),
        outputs: z.unknown(),
      }),
      handler: ({ params }) => runLog(client, params.runId),
    }),
    route({
      method: 'GET',
      url: `${WES_BASE}/runs/:runId/status`,
      summary: "A run's state",
      tag: 'wes',
      access: 'read',
      params: runParams,
      response: runStatus,
      handler: async ({ params }) => {
        const state = await client.wes.state(params.runId);
        if (state === null) throw noRun(params.runId);
        return { run_id: params.runId, state };
      },
    }),
    route({
      method: 'POST',
      url: `${WES_BASE}/runs/:runId/cancel`,
      summary: "Cancel a run (a campaign's running samples and their jobs with it)",
      tag: 'wes',
      access: 'operator',
      params: runParams,
      response: z.object({ run_id: z.string() }),
      handler: ({ params, requestedBy }) => cancelRun(client, params.runId, requestedBy),
    }),
  ];
}
