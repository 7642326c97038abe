/**
 * The REST routes (`/api/v1`, docs/interfaces.md), each a thin layer over HarmoniseClient, by
 * resource. Regional pipelines signal their own region's submissions; operators act; everyone
 * with a token reads.
 */
import type { HarmoniseClient } from '../client.ts';
import { campaignRoutes } from './rest-campaigns.ts';
import { releaseRoutes } from './rest-releases.ts';
import { sampleRoutes } from './rest-samples.ts';
import { submissionRoutes } from './rest-submissions.ts';
import { tokenRoutes } from './rest-tokens.ts';
import type { RouteSpec } from './route.ts';

export function restRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
    ...submissionRoutes(client),
    ...sampleRoutes(client),
    ...campaignRoutes(client),
    ...releaseRoutes(client),
    ...tokenRoutes(client),
  ];
}
