/**
 * The submission routes: a regional pipeline signals its own region's submission complete and
 * reads its status; operators may also choose its mode; viewers read.
 */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { idSchemaOf } from '../domain/ids.ts';
import { harmonisationModeSchema } from '../domain/policy.ts';
import type { Role } from './auth.ts';
import { pendingActivity } from './pending-activity-schema.ts';
import { ApiError, route, type Access, type RouteSpec } from './route.ts';

// The same id rules as the CLI's, the workflows' and the layout's (domain/id-rules.ts).
const submissionParams = z.strictObject({
  region: idSchemaOf('region'),
  submissionId: idSchemaOf('submissionId'),
});

const issue = z.object({ code: z.string(), path: z.string(), message: z.string() });
const submissionStatus = z.looseObject({
  region: z.string(),
  submissionId: z.string(),
  workflowId: z.string(),
  status: z.string(),
  mode: harmonisationModeSchema.nullable(),
  errors: z.array(issue),
  samples: z.array(
    z.looseObject({
      sampleId: z.string(),
      status: z.string(),
      mode: z.string().nullable(),
      errors: z.array(issue),
    }),
  ),
  receivedAt: z.string().describe('when the workflow received the submission (its age)'),
  updatedAt: z.string(),
  pendingActivities: z
    .array(pendingActivity)
    .optional()
    .describe('while it runs: the activities it waits on, with attempts and last failure'),
});

/** The region's own submitter, or an operator; viewers read. */
const ownRegion = (alsoViewer: boolean): Access => ({
  check: (role: Role, params) =>
    role === 'operator' ||
    (alsoViewer && role === 'viewer') ||
    role === `submitter:${params.region}`,
  says: alsoViewer
    ? "an operator, a viewer or the region's own submitter"
    : "an operator or the region's own submitter",
});

export function submissionRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/submissions/:region/:submissionId/complete',
      summary: 'Signal that an in-place submission is complete (starts or joins its workflow)',
      tag: 'submissions',
      access: ownRegion(false),
      params: submissionParams,
      body: z.strictObject({ mode: harmonisationModeSchema.optional() }).default({}),
      response: z.object({
        workflowId: z.string(),
        outcome: z.enum(['signalled', 'already-finished']),
      }),
      status: 202,
      handler: async ({ params, body, role, requestedBy }) => {
        if (params.region && !client.config.regions.includes(params.region)) {
          throw new ApiError(404, 'NOT_FOUND', `no region ${params.region}`);
        }
        if (body.mode !== undefined && role !== 'operator') {
          throw new ApiError(403, 'FORBIDDEN', 'only an operator may override the mode');
        }
        return client.completeSubmission(params.region, params.submissionId, {
          requestedBy,
          ...(body.mode ? { mode: body.mode } : {}),
        });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/submissions/:region/:submissionId',
      summary: 'The status of a submission and of each of its samples',
      tag: 'submissions',
      access: ownRegion(true),
      params: submissionParams,
      response: submissionStatus,
      handler: async ({ params }) => {
        const status = await client.submissionStatus(params.region, params.submissionId);
        if (!status)
          throw new ApiError(
            404,
            'NOT_FOUND',
            `no submission ${params.region}/${params.submissionId}`,
          );
        return status;
      },
    }),
  ];
}
