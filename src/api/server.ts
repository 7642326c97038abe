/**
 * The HTTP API (Fastify): every route of the table is authenticated (bearer token → role),
 * authorised (its access rule), validated (its zod schemas), and, when it changes something,
 * written to the audit log with its outcome. A refused request reaches no handler.
 * `/healthz` and `/openapi.json` need no token.
 */
import fs from 'node:fs/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { HarmoniseError, ServiceUnreachableError, UsageError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { temporalUnavailable } from '../client-checks.ts';
import type { FrequencyLookup } from '../lookup/service.ts';
import type { Caller, TokenRegistry } from './auth.ts';
import { DASHBOARD_HTML, dashboardRoutes } from './dashboard.ts';
import { healthAnswer } from './health.ts';
import type { AccessLog, RateLimiter } from './lookup-guard.ts';
import { LOOKUP_PAGE_HTML, lookupPage } from './lookup-page.ts';
import { beaconRoutes } from './beacon/routes.ts';
import { lookupRoutes } from './rest-lookup.ts';
import { createApiMetrics } from './metrics-route.ts';
import { openApiDocument } from './openapi.ts';
import { restRoutes } from './rest.ts';
import { ApiError, mayCall, whoMayCall, type Failure, type RouteSpec } from './route.ts';
import { wesRoutes } from './wes.ts';

export interface ApiDeps {
  client: HarmoniseClient;
  tokens: TokenRegistry;
  logger: Logger;
  /** The frequency lookup the lookup and Beacon routes answer from. */
  lookup: FrequencyLookup;
  /** Frequency readers' rate limit, per token. */
  limiter: RateLimiter;
  /** Every lookup, with the token's name. */
  accessLog: AccessLog;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value ?? undefined);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`,
  );
  throw new ApiError(400, 'BAD_REQUEST', problems.join('; '));
}

/** Fastify's own refusals of a request, by its error code: a 4xx with a stable code of ours. */
const FASTIFY_REFUSALS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
};

function failure(error: unknown): Failure {
  if (error instanceof ApiError) return error;
  if (error instanceof UsageError)
    return { status: 400, code: 'BAD_REQUEST', message: error.message };
  if (error instanceof ServiceUnreachableError)
    return { status: 503, code: error.code, message: error.message };
  if (error instanceof HarmoniseError && error.code === 'NOT_FOUND')
    return { status: 404, code: 'NOT_FOUND', message: error.message };
  const unavailable = temporalUnavailable(error);
  if (unavailable !== null)
    return { status: 503, code: 'SERVICE_UNREACHABLE', message: unavailable };
  const fastify = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (
    typeof fastify.statusCode === 'number' &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    const code = FASTIFY_REFUSALS[String(fastify.code)] ?? 'BAD_REQUEST';
    return { status: fastify.statusCode, code, message: String(fastify.message) };
  }
  return {
    status: 500,
    code: 'INTERNAL',
    message: 'internal error (see the API log)',
  };
}

/** Every request's calls to Temporal end within this: Temporal down is a 503 in seconds. */
const TEMPORAL_DEADLINE_MS = 5_000;

/**
 * Every route of the table (the OpenAPI document lists exactly these). Without a lookup (the
 * document alone), the lookup routes are listed and answer 503.
 */
export function apiRoutes(
  client: HarmoniseClient,
  lookup: FrequencyLookup | null = null,
): RouteSpec[] {
  return [
    ...restRoutes(client),
    ...lookupRoutes(lookup),
    ...beaconRoutes(lookup),
    ...dashboardRoutes(client),
    ...wesRoutes(client),
  ];
}

export async function buildApi(deps: ApiDeps) {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }),
    // Every body this API takes is a few hundred bytes.
    bodyLimit: 1 << 20,
  });
  const routes = apiRoutes(deps.client, deps.lookup);
  const dashboard = await fs.readFile(DASHBOARD_HTML, 'utf8');
  const lookupHtml = await fs.readFile(LOOKUP_PAGE_HTML, 'utf8');

  // JSON only: any other content type is a 415, not a string for the schemas to puzzle over.
  app.removeContentTypeParser('text/plain');
  // An empty body is no body (zod defaults apply), whatever its content type says.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string));
    } catch {
      done(new ApiError(400, 'BAD_REQUEST', 'the body is not JSON'), undefined);
    }
  });

  const answerFailure =
    (body: (failure: Failure) => unknown) =>
    (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const answer = failure(error);
      if (answer.status >= 500)
        request.log.error({ err: error, code: answer.code }, 'request failed');
      void reply.code(answer.status).send(body(answer));
    };
  app.setErrorHandler(answerFailure(({ code, message }) => ({ code, message })));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );

  // `pid` lets `harmonise up` tell its own API from another server on the port.
  app.get('/healthz', async (_request, reply) => {
    const { httpStatus, body } = await healthAnswer(deps.client);
    return reply.code(httpStatus).send(body);
  });

  const metrics = createApiMetrics(deps.client);
  app.get('/metrics', async (request, reply) => {
    const { role } = await authenticate(request, reply, deps);
    if (!mayCall('read', role, {}))
      throw new ApiError(403, 'FORBIDDEN', `GET /metrics needs ${whoMayCall('read')}`);
    const text = await deps.client.temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      metrics.render(),
    );
    return reply.header('content-type', metrics.contentType).send(text);
  });

  // The page holds no data: it reads /api/v1/dashboard with the token the user gives it.
  app.get('/', (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      )
      .send(dashboard),
  );
  // Likewise: it reads the lookup routes with a reader's token (docs/frequency-lookup.md).
  app.get('/frequency', (_request, reply) => lookupPage(reply, lookupHtml));

  const document = openApiDocument(routes);
  app.get('/openapi.json', () => Promise.resolve(document));

  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.url,
      handler: (request, reply) => handle(spec, request, reply, deps),
      // A route with its own error shape answers every failure in it, a 401 or a 415 too.
      ...(spec.errors ? { errorHandler: answerFailure(spec.errors.body) } : {}),
    });
  }
  return app;
}

/** Who calls; a missing, unknown, expired or revoked token is a 401. */
async function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
): Promise<Caller> {
  const identity = await deps.tokens.identify(request.headers.authorization);
  if (identity !== null && 'caller' in identity) return identity.caller;
  void reply.header('www-authenticate', 'Bearer');
  throw new ApiError(
    401,
    'UNAUTHENTICATED',
    identity !== null
      ? identity.refused
      : request.headers.authorization
        ? 'the token is not valid'
        : 'a bearer token is required',
  );
}

/** A frequency reader over its rate is a 429 that says when to come back. */
function limitRate(caller: Caller, reply: FastifyReply, deps: ApiDeps): void {
  if (caller.role !== 'frequency-reader') return;
  const wait = deps.limiter.take(caller.name);
  if (wait === null) return;
  void reply.header('retry-after', String(wait));
  throw new ApiError(
    429,
    'RATE_LIMITED',
    `token ${caller.name} is over its rate limit: retry in ${wait} s`,
  );
}

async function handle(
  spec: RouteSpec,
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
): Promise<unknown> {
  const started = performance.now();
  const caller = await authenticate(request, reply, deps);
  const { role } = caller;
  const rawParams = request.params as Record<string, string>;
  if (!mayCall(spec.access, role, rawParams)) {
    throw new ApiError(
      403,
      'FORBIDDEN',
      `${spec.method} ${spec.url} needs ${whoMayCall(spec.access)}`,
    );
  }
  const requestedBy = caller.expiresAt === null ? `api:${role}` : `api:${role}:${caller.name}`;
  const logged = (status: number) => {
    if (spec.access !== 'lookup') return;
    deps.accessLog.write({
      at: new Date().toISOString(),
      token: caller.name,
      role,
      route: `${spec.method} ${spec.url}`,
      params: rawParams,
      query: request.query as Record<string, string>,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
  const changes = spec.changes ?? spec.method !== 'GET';
  const audit = (outcome: string) =>
    deps.client.records.recordApiCall({
      action: `api ${spec.method} ${spec.url}`,
      requestedBy,
      // As asked: the client replaces a personal number by a salted hash.
      params: rawParams,
      outcome,
    });
  try {
    if (spec.access === 'lookup') limitRate(caller, reply, deps);
    const params = parse(spec.params, rawParams, 'params');
    const body = parse(spec.body, request.body, 'body');
    const query = parse(spec.query, request.query, 'query');
    const baseUrl = `${request.protocol}://${request.host}`;
    const context = { params, body, query, role, caller, requestedBy, baseUrl };
    // A lookup reads release files only: it does not wait on Temporal.
    const result =
      spec.access === 'lookup'
        ? await spec.handler(context)
        : await deps.client.temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
            spec.handler(context),
          );
    if (changes) await audit(String(spec.status ?? 200));
    logged(spec.status ?? 200);
    return await reply.code(spec.status ?? 200).send(result);
  } catch (error) {
    // A refusal changes nothing, not even the audit log; other failures are recorded.
    const { status, code } = failure(error);
    if (changes && status !== 403) await audit(`${status} ${code}`);
    logged(status);
    throw error;
  }
}
