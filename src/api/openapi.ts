/**
 * `/openapi.json`: the OpenAPI 3.1 document of the route table, from the same zod schemas the
 * server validates with (zod's own JSON Schema output).
 */
import { z } from 'zod';
import { healthResponse } from './health.ts';
import { whoMayCall, type RouteSpec } from './route.ts';

const VERSION = '1.0.0';

const errorBody = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  const generated: Record<string, unknown> = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  delete generated.$schema;
  return generated;
}

export function openApiDocument(routes: readonly RouteSpec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const openApiPath = spec.url.replace(/:(\w+)/g, '{$1}');
    const shape: Record<string, z.ZodType> =
      spec.params instanceof z.ZodObject ? spec.params.shape : {};
    const params = Object.entries(shape);
    const queryShape: Record<string, z.ZodType> =
      spec.query instanceof z.ZodObject ? spec.query.shape : {};
    const queryParams = Object.entries(queryShape);
    const status = String(spec.status ?? 200);
    const error = (description: string) => ({
      description,
      content: { 'application/json': { schema: errorBody } },
    });
    (paths[openApiPath] ??= {})[spec.method.toLowerCase()] = {
      summary: spec.summary,
      tags: [spec.tag],
      description: `Who may call it: ${whoMayCall(spec.access)}.`,
      parameters: [
        ...params.map(([name, schema]) => ({
          name,
          in: 'path',
          required: true,
          schema: jsonSchema(schema, 'input'),
        })),
        ...queryParams.map(([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          schema: jsonSchema(schema, 'input'),
        })),
      ],
      ...(spec.body
        ? {
            requestBody: {
              required: false,
              content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: 'success',
          content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } },
        },
        '400': error('bad request: what is wrong, by field'),
        '401': error('no token, or an unknown one'),
        '403': error('the token’s role may not do this'),
        '404': error('not found'),
        ...(spec.body
          ? {
              '413': error('the body is over 1 MiB'),
              '415': error('the body is not application/json'),
            }
          : {}),
        '503': error(
          'Temporal did not answer within 5 s (down or unreachable), or a workflow did not answer a query in time (its worker down or busy); ask again',
        ),
      },
    };
  }
  paths['/healthz'] = {
    get: {
      summary: 'Whether the API and Temporal answer and a worker polls the task queue',
      tags: ['health'],
      description: 'Who may call it: anyone (no token).',
      security: [],
      responses: {
        '200': {
          description: 'Temporal answers (see `worker` for whether a worker polls)',
          content: { 'application/json': { schema: jsonSchema(healthResponse, 'output') } },
        },
        '503': {
          description: 'Temporal does not answer',
          content: { 'application/json': { schema: jsonSchema(healthResponse, 'output') } },
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'harmonise',
      version: VERSION,
      description:
        "Harmonised re-processing of Denmark's national genome database: submissions, samples, " +
        'rerun campaigns and frequency releases. Bearer tokens carry a role: operator, ' +
        'submitter:<region> or viewer.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
