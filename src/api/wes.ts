/**
 * GA4GH WES 1.1, read side plus cancel (`/ga4gh/wes/v1`): harmonise's workflows are the runs.
 * A run id is the workflow id (`sample:<id>:<version>`, `campaign:<id>`, …); its state is mapped
 * from Temporal's status and the workflow's stage (domain/wes-state.ts); its task logs are a
 * sample's job attempts. Runs are started through harmonise's own routes, not through WES.
 */
import type { HarmoniseClient } from '../client.ts';
import type { RouteSpec } from './route.ts';
import { runListRoutes } from './wes-run-list.ts';
import { runRoutes } from './wes-run.ts';
import { serviceInfoRoutes } from './wes-service-info.ts';

export function wesRoutes(client: HarmoniseClient): RouteSpec[] {
  return [...serviceInfoRoutes(client), ...runListRoutes(client), ...runRoutes(client)];
}
