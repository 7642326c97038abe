/** The WES run list: harmonise's workflows, newest first, a page at a time (signed page tokens). */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { ApiError, route, type RouteSpec } from './route.ts';
import { runStatus, WES_BASE } from './wes-schemas.ts';

export function runListRoutes(client: HarmoniseClient): RouteSpec[] {
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
        const page = await client.wes.page(query.page_size, query.page_token);
        if (page === null)
          throw new ApiError(
            400,
            'BAD_REQUEST',
            'query.page_token: not a page token this server gave',
          );
        return {
          runs: page.runs.map((run) => ({ run_id: run.runId, state: run.state })),
          next_page_token: page.nextPageToken,
        };
      },
    }),
  ];
}
