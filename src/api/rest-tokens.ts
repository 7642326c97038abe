/** Named API tokens (operators only): made for a department, listed, revoked; audited. */
import { z } from 'zod';
import type { HarmoniseClient } from '../client.ts';
import { ROLE_PATTERN } from './roles.ts';
import { route, type RouteSpec } from './route.ts';

const listing = z.object({
  name: z.string(),
  role: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
});

export function tokenRoutes(client: HarmoniseClient): RouteSpec[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/tokens',
      summary: 'Make a named token (shown once in the answer; only its sha256 is kept)',
      tag: 'tokens',
      access: 'operator',
      body: z.strictObject({
        name: z
          .string()
          .describe('who holds it, e.g. a department: lowercase letters, digits, dashes'),
        role: z
          .string()
          .regex(ROLE_PATTERN, 'frequency-reader, viewer, operator or submitter:<region>'),
        expires: z
          .string()
          .optional()
          .describe('the last day it works (YYYY-MM-DD, UTC) or an ISO time; default one year'),
      }),
      response: z.object({
        token: z.string(),
        name: z.string(),
        role: z.string(),
        expiresAt: z.string(),
      }),
      status: 201,
      handler: ({ body, requestedBy }) => client.tokens.create(body, requestedBy),
    }),
    route({
      method: 'GET',
      url: '/api/v1/tokens',
      summary: 'The named tokens, live and revoked (never the tokens themselves)',
      tag: 'tokens',
      access: 'operator',
      response: z.object({ tokens: z.array(listing) }),
      handler: async () => ({ tokens: await client.tokens.list() }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/tokens/:name/revoke',
      summary: 'Revoke a named token: the API refuses it from the next request on',
      tag: 'tokens',
      access: 'operator',
      params: z.strictObject({ name: z.string().max(100) }),
      response: listing,
      handler: ({ params, requestedBy }) => client.tokens.revoke(params.name, requestedBy),
    }),
  ];
}
