/**
 * GA4GH WES 1.1, read side plus cancel (`/ga4gh/wes/v1`): harmonise's workflows are the runs.
 * A run id is the workflow id (`sample:<id>:<version>`, `campaign:<id>`, …); its state is mapped
 * from Temporal's status and the workflow's stage (domain/wes-state.ts); its task logs are a
 * sample's job attempts. Runs are started through harmonise's own routes, not through WES.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { apiUrl } from '../config.ts';
import type { StepStatus } from '../domain/status.ts';
import { WES_STATES, wesState, type WesState } from '../domain/wes-state.ts';
import { SearchAttribute } from '../shared.ts';
import { PipelineRegistry } from '../store/pipelines.ts';
import { loadSalt } from '../store/redaction.ts';
import { pageTokenCodec } from './page-tokens.ts';
import { campaignProgressQuery, sampleStatusQuery } from '../workflows/messages.ts';
import { ApiError, route, type RouteSpec } from './route.ts';
import { rawStage, statusName } from '../temporal-records.ts';

export const WES_BASE = '/ga4gh/wes/v1';
const HARMONISE_VERSION = '0.1.0';

const runParams = z.strictObject({
  runId: z
    .string()
    .regex(
      /^(submission|sample|campaign|frequency|probe):[A-Za-z0-9._:-]{1,200}$/,
      'not a harmonise run id',
    ),
});
const state = z.enum(WES_STATES);
const runStatus = z.object({ run_id: z.string(), state });

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

export function wesRoutes(client: HarmoniseClient): RouteSpec[] {
  // Made on first use: the route table is also read without a data root (the OpenAPI document).
  let codec: ReturnType<typeof pageTokenCodec> | null = null;
  const pageTokens = () => (codec ??= pageTokenCodec(loadSalt(client.config.dataRoot)));
  return [
    route({
      method: 'GET',
      url: `${WES_BASE}/service-info`,
      summary: 'GA4GH service-info: the workflow types, engine versions and run counts',
      tag: 'wes',
      access: 'read',
      response: z.looseObject({
        id: z.string(),
        type: z.object({ group: z.string(), artifact: z.literal('wes'), version: z.string() }),
        supported_wes_versions: z.array(z.string()),
        workflow_engine_versions: z.record(z.string(), z.string()),
        system_state_counts: z.record(z.string(), z.number()),
      }),
      handler: async () => {
        const info = await client.temporal.connection.workflowService.getSystemInfo({});
        const versions = await new PipelineRegistry(
          client.config.pipelinesDir,
          client.config.dataRoot,
        ).versions();
        const counts: Partial<Record<WesState, number>> = {};
        for (const [status, wes] of [
          ['Running', 'RUNNING'],
          ['Completed', 'COMPLETE'],
          ['Failed', 'SYSTEM_ERROR'],
          ['TimedOut', 'SYSTEM_ERROR'],
          ['Canceled', 'CANCELED'],
          ['Terminated', 'CANCELED'],
        ] as const) {
          const { count } = await client.temporal.workflow.count(`ExecutionStatus="${status}"`);
          counts[wes] = (counts[wes] ?? 0) + count;
        }
        return {
          id: 'dk.ngc.harmonise',
          name: 'harmonise',
          type: { group: 'org.ga4gh', artifact: 'wes', version: '1.1.0' },
          description:
            "Harmonised re-processing of Denmark's national genome database on Temporal and Slurm",
          organization: { name: 'Danish National Genome Center', url: 'https://www.ngc.dk' },
          version: HARMONISE_VERSION,
          workflow_type_versions: { HARMONISE: { workflow_type_version: versions } },
          supported_wes_versions: ['1.1.0'],
          supported_filesystem_protocols: ['file'],
          workflow_engine_versions: {
            temporal: info.serverVersion ?? 'unknown',
            harmonise: HARMONISE_VERSION,
          },
          default_workflow_engine_parameters: [],
          system_state_counts: counts,
          // Tokens and roles are described with the routes.
          auth_instructions_url: `${apiUrl(client.config)}/openapi.json`,
          tags: { executor: client.config.executor.kind },
        };
      },
    }),
    route({
      method: 'GET',
      url: `${WES_BASE}/runs`,
      summary: 'Runs (harmonise workflows), newest first, a page at a time',
      tag: 'wes',
      access: 'read',
      query: z.strictObject({
        page_size: z.coerce.number().int().min(1).max(1000).default(100),
        page_token: z.string().max(4000).optional(),
      }),
      response: z.object({ runs: z.array(runStatus), next_page_token: z.string() }),
      handler: async ({ query }) => {
        // Only tokens this server signed reach Temporal (which spends 20 s on a bad one).
        const token = query.page_token ? pageTokens().decode(query.page_token) : null;
        if (query.page_token && token === null)
          throw new ApiError(
            400,
            'BAD_REQUEST',
            'query.page_token: not a page token this server gave',
          );
        const page = await client.temporal.workflowService.listWorkflowExecutions({
          namespace: client.config.temporal.namespace,
          pageSize: query.page_size,
          nextPageToken: token,
          query: '',
        });
        return {
          runs: (page.executions ?? []).map((info) => ({
            run_id: info.execution?.workflowId ?? '',
            state: wesState(statusName(info.status), rawStage(info)),
          })),
          next_page_token: page.nextPageToken?.length
            ? pageTokens().encode(Buffer.from(page.nextPageToken))
            : '',
        };
      },
    }),
    route({
      method: 'GET',
      url: `${WES_BASE}/runs/:runId`,
      summary: 'A run: its state, request, log, task logs (job attempts) and outputs',
      tag: 'wes',
      access: 'read',
      params: runParams,
      response: z.looseObject({
        run_id: z.string(),
        state,
        request: z.looseObject({ workflow_type: z.string() }),
        run_log: z.looseObject({ name: z.string() }),
        task_logs: z.array(z.looseObject({ name: z.string() })),
        outputs: z.unknown(),
      }),
      handler: async ({ params }) => {
        const run = await describe(client, params.runId);
        const { handle, description } = run;
        const { state: runState, steps } = await stateOf(run);
        const outputs: unknown =
          description.status.name === 'COMPLETED'
            ? await (handle.result() as Promise<unknown>).catch(() => null)
            : null;
        const pipelineVersion = description.typedSearchAttributes.get(
          SearchAttribute.PipelineVersion,
        );
        return {
          run_id: params.runId,
          state: runState,
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
      },
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
      handler: async ({ params, requestedBy }) => {
        const { handle, description } = await describe(client, params.runId);
        if (description.status.name !== 'RUNNING') {
          throw new ApiError(
            400,
            'BAD_REQUEST',
            `run ${params.runId} has ended (${description.status.name}) and cannot be cancelled`,
          );
        }
        if (description.type === 'campaignWorkflow') {
          await client.controlCampaign(
            params.runId.replace(/^campaign:/, ''),
            'cancel',
            requestedBy,
          );
        } else {
          await handle.cancel();
        }
        return { run_id: params.runId };
      },
    }),
  ];
}
