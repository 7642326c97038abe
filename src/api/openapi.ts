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

/** A route's path and query parameters, each with its schema. */
function parametersOf(spec: RouteSpec): unknown[] {
  const shapeOf = (schema: z.ZodType | undefined) => {
    const shape: Record<string, z.ZodType> = schema instanceof z.ZodObject ? schema.shape : {};
    return Object.entries(shape);
  };
  return [
    ...shapeOf(spec.params).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema: jsonSchema(schema, 'input'),
    })),
    ...shapeOf(spec.query).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema: jsonSchema(schema, 'input'),
    })),
  ];
}

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorBody } },
});

/** A table route's operation: who may call it, its parameters, body and answers. */
function operationOf(spec: RouteSpec): Record<string, unknown> {
  return {
    summary: spec.summary,
    tags: [spec.tag],
    description: `Who may call it: ${whoMayCall(spec.access)}.`,
    parameters: parametersOf(spec),
    ...(spec.body
      ? {
          requestBody: {
            required: false,
            content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(spec.status ?? 200)]: {
        description: 'success',
        content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } },
      },
      '400': error('bad request: what is wrong, by field'),
      '401': error('no token, an unknown one, or a named token that expired or was revoked'),
      '403': error('the token’s role may not do this'),
      '404': error('not found'),
      ...(spec.access === 'lookup'
        ? {
            '429': {
              ...error('a frequency reader’s token is over its rate limit'),
              headers: {
                'Retry-After': {
                  description: 'seconds until a request is allowed again',
                  schema: { type: 'integer', minimum: 1 },
                },
              },
            },
          }
        : {}),
      ...(spec.body
        ? {
            '413': error('the body is over 1 MiB'),
            '415': error('the body is not application/json'),
          }
        : {}),
      '503': error(
        spec.access === 'lookup'
          ? 'the lookup is not configured in this API process'
          : 'Temporal did not answer within 5 s (down or unreachable), or a workflow did not answer a query in time (its worker down or busy); ask again',
      ),
    },
  };
}

/** `/healthz`: no token, and a 503 with the same body while Temporal does not answer. */
function healthPath(): Record<string, unknown> {
  const answer = (description: string) => ({
    description,
    content: { 'application/json': { schema: jsonSchema(healthResponse, 'output') } },
  });
  return {
    get: {
      summary: 'Whether the API and Temporal answer and a worker polls the task queue',
      tags: ['health'],
      description: 'Who may call it: anyone (no token).',
      security: [],
      responses: {
        '200': answer('Temporal answers (see `worker` for whether a worker polls)'),
        '503': answer('Temporal does not answer'),
      },
    },
  };
}

export function openApiDocument(routes: readonly RouteSpec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const openApiPath = spec.url.replace(/:(\w+)/g, '{$1}');
    (paths[openApiPath] ??= {})[spec.method.toLowerCase()] = operationOf(spec);
  }
  paths['/healthz'] = healthPath();
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
