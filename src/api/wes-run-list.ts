/** The WES run list: harmonise's workflows, newest first, a page at a time (signed page tokens). */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { wesState } from '../domain/wes-state.ts';
import { loadSalt } from '../store/redaction.ts';
import { rawStage, statusName } from '../temporal-records.ts';
import { pageTokenCodec } from './page-tokens.ts';
import { ApiError, route, type RouteSpec } from './route.ts';
import { runStatus, WES_BASE } from './wes-schemas.ts';

export function runListRoutes(client: HarmoniseClient): RouteSpec[] {
  // Made on first use: the route table is also read without a data root (the OpenAPI document).
  let codec: ReturnType<typeof pageTokenCodec> | null = null;
  const pageTokens = () => (codec ??= pageTokenCodec(loadSalt(client.config.dataRoot)));
  return [
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
  ];
}
