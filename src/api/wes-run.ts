/**
 * One WES run: its details (request, log, task logs from a sample's job attempts, outputs), its
 * state, and cancelling it (a campaign by its own update, its samples and jobs with it).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import type { StepStatus } from '../domain/status.ts';
import { wesState, type WesState } from '../domain/wes-state.ts';
import { SearchAttribute } from '../shared.ts';
import { campaignProgressQuery, sampleStatusQuery } from '../workflows/messages.ts';
import { ApiError, route, type RouteSpec } from './route.ts';
import { runParams, runState, runStatus, WES_BASE } from './wes-schemas.ts';

const iso = (date: Date | undefined | null) => (date ? date.toISOString() : null);

/** The current step's last attempt was preempted: the sample waits for that step's retry. */
function preempted(steps: readonly StepStatus[]): boolean {
  const current = steps.find((s) => s.status === 'running');
  return current?.attempts.at(-1)?.state === 'PREEMPTED';
}

async function describe(client: HarmoniseClient, runId: string) {
  const handle = client.temporal.workflow.getHandle(runId);
  try {
    return { handle, description: await handle.describe() };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw new ApiError(404, 'NOT_FOUND', `no run ${runId}`);
    throw error;
  }
}

/** The run's WES state, refined by the workflow's own query where it knows more. */
async function stateOf({
  handle,
  description,
}: Awaited<ReturnType<typeof describe>>): Promise<{ state: WesState; steps: StepStatus[] }> {
  const attribute = description.typedSearchAttributes.get(SearchAttribute.Stage);
  let stage: string | null = attribute ?? null;
  let steps: StepStatus[] = [];
  const running = description.status.name === 'RUNNING';
  try {
    if (description.type === 'sampleWorkflow') {
      const status = await handle.query(sampleStatusQuery);
      steps = status.steps;
      if (running && preempted(steps)) stage = 'preempted';
    } else if (description.type === 'campaignWorkflow' && running) {
      stage = (await handle.query(campaignProgressQuery)).state;
    }
  } catch {
    // No worker to answer: the attribute stands.
  }
  return { state: wesState(description.status.name, stage), steps };
}

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

async function runLog(client: HarmoniseClient, runId: string) {
  const run = await describe(client, runId);
  const { handle, description } = run;
  const { state, steps } = await stateOf(run);
  const outputs: unknown =
    description.status.name === 'COMPLETED'
      ? await (handle.result() as Promise<unknown>).catch(() => null)
      : null;
  const pipelineVersion = description.typedSearchAttributes.get(SearchAttribute.PipelineVersion);
  return {
    run_id: runId,
    state,
    request: {
      workflow_type: `harmonise/${description.type}`,
      workflow_type_version: pipelineVersion ?? '',
      workflow_params: {},
      tags: Object.fromEntries(
        description.typedSearchAttributes
          .getAll()
          .map((pair) => [pair.key.name, String(pair.value)]),
      ),
    },
    run_log: {
      name: description.type,
      cmd: [],
      start_time: iso(description.startTime),
      end_time: iso(description.closeTime),
      exit_code: null,
      system_logs: [`Temporal status ${description.status.name}`],
    },
    task_logs: taskLogs(steps),
    outputs,
  };
}

async function cancelRun(client: HarmoniseClient, runId: string, requestedBy: string) {
  const { handle, description } = await describe(client, runId);
  if (description.status.name !== 'RUNNING') {
    throw new ApiError(
      400,
      'BAD_REQUEST',
      `run ${runId} has ended (${description.status.name}) and cannot be cancelled`,
    );
  }
  if (description.type === 'campaignWorkflow') {
    await client.controlCampaign(runId.replace(/^campaign:/, ''), 'cancel', requestedBy);
  } else {
    await handle.cancel();
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
        const run = await describe(client, params.runId);
        return { run_id: params.runId, state: (await stateOf(run)).state };
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
