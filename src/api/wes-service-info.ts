/** WES service-info: the workflow types (pipeline versions), engine versions and run counts. */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { apiUrl } from '../config.ts';
import { route, type RouteSpec } from './route.ts';
import { WES_BASE } from './wes-schemas.ts';

const HARMONISE_VERSION = '0.1.0';

export function serviceInfoRoutes(client: HarmoniseClient): RouteSpec[] {
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
        const facts = await client.wes.serviceFacts();
        return {
          id: 'dk.ngc.harmonise',
          name: 'harmonise',
          type: { group: 'org.ga4gh', artifact: 'wes', version: '1.1.0' },
          description:
            "Harmonised re-processing of Denmark's national genome database on Temporal and Slurm",
          organization: { name: 'Danish National Genome Center', url: 'https://www.ngc.dk' },
          version: HARMONISE_VERSION,
          workflow_type_versions: { HARMONISE: { workflow_type_version: facts.pipelineVersions } },
          supported_wes_versions: ['1.1.0'],
          supported_filesystem_protocols: ['file'],
          workflow_engine_versions: {
            temporal: facts.serverVersion ?? 'unknown',
            harmonise: HARMONISE_VERSION,
          },
          default_workflow_engine_parameters: [],
          system_state_counts: facts.counts,
          // Tokens and roles are described with the routes.
          auth_instructions_url: `${apiUrl(client.config)}/openapi.json`,
          tags: { executor: client.config.executor.kind },
        };
      },
    }),
  ];
}
