/**
 * One route of the API, declared once: its method and path, who may call it, the zod schemas of
 * its parameters, body and answer, and its handler. The server validates with these schemas and
 * `/openapi.json` is generated from them, so the document cannot drift from what is enforced.
 */
import type { z } from 'zod';
import type { Caller, Role } from './auth.ts';

export type Method = 'GET' | 'POST';

/**
 * Who may call a route: read (operators and viewers), lookup (the frequency lookup and the
 * Beacon: operators, viewers and frequency readers), operator only, or a check of the parameters.
 */
export type Access =
  | 'read'
  | 'lookup'
  | 'operator'
  | { check: (role: Role, params: Record<string, string>) => boolean; says: string };

/** Whether a role may call a route with these (raw) path parameters. */
export function mayCall(access: Access, role: Role, params: Record<string, string>): boolean {
  if (access === 'read') return role === 'operator' || role === 'viewer';
  if (access === 'lookup')
    return role === 'operator' || role === 'viewer' || role === 'frequency-reader';
  if (access === 'operator') return role === 'operator';
  return access.check(role, params);
}

/** Who may call a route, in words (403 answers and the OpenAPI document). */
export function whoMayCall(access: Access): string {
  if (access === 'read') return 'an operator or a viewer';
  if (access === 'lookup') return 'an operator, a viewer or a frequency reader';
  if (access === 'operator') return 'an operator';
  return access.says;
}

/** Whom an answer is for: operators see every count, everyone else what the floor allows. */
export type Audience = 'operator' | 'reader';

export function audienceOf(role: Role): Audience {
  return role === 'operator' ? 'operator' : 'reader';
}

export interface RouteContext<P, B, Q> {
  params: P;
  body: B;
  query: Q;
  role: Role;
  /** Who called: role, and the token's name (the role for a development token). */
  caller: Caller;
  /** Who did it, for the audit log and workflow records: `api:<role>`, `api:<role>:<name>`. */
  requestedBy: string;
  /** The API's URL as the caller reached it (`http://host:port`), for answers that link to it. */
  baseUrl: string;
}

/** A failure as the server tells it: HTTP status, stable code, what was wrong. */
export interface Failure {
  status: number;
  code: string;
  message: string;
}

/**
 * A route family's own error answer, for clients that expect another shape than `{ code,
 * message }` (Beacon clients read Beacon error responses): the body of a failure, and its schema.
 */
export interface RouteErrors {
  body: (failure: Failure) => unknown;
  schema: z.ZodType;
}

export interface RouteSpec<P = unknown, B = unknown, R = unknown, Q = unknown> {
  method: Method;
  /** Fastify syntax: /api/v1/samples/:sampleId */
  url: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P>;
  body?: z.ZodType<B>;
  /** The query string's parameters. */
  query?: z.ZodType<Q>;
  /**
   * The answer on success (status `status`, default 200), for the OpenAPI document; the tests
   * check every answer they get against it.
   */
  response: z.ZodType;
  status?: number;
  /**
   * Whether a call changes something (and so is audited); default: every method but GET. A
   * Beacon query by POST changes nothing.
   */
  changes?: boolean;
  /** How this route answers a failure (any, from a 401 on); default `{ code, message }`. */
  errors?: RouteErrors;
  handler: (ctx: RouteContext<P, B, Q>) => Promise<R>;
}

/** Keeps the types of one route together while the table holds many. */
export function route<P, B, R, Q = unknown>(spec: RouteSpec<P, B, R, Q>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** A failure with an HTTP status and a stable code (the answer is `{ code, message }`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
