/**
 * Named API tokens (`run/api-named-tokens.json`): one per clinical department or dashboard, with
 * an expiry, created and revoked by an operator. Only each token's sha256 is kept; the token
 * itself is shown once, when it is made. Revoked tokens stay listed (who, when) for the record.
 * Every change happens under the file's lock and lands by atomic rename.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { readJsonIfExists, writeFileAtomic } from './atomic.ts';
import type { AuditEntry } from './audit.ts';
import { withFileLock } from './file-lock.ts';
import { hashToken, isRole, type Role } from '../api/roles.ts';

export const NAMED_TOKENS_SCHEMA = 'harmonise.api-named-tokens/v1';

/** A department's name: lowercase letters, digits and dashes (it is logged with every lookup). */
export const TOKEN_NAME = /^[a-z0-9][a-z0-9-]{1,62}$/;

const namedTokenSchema = z.strictObject({
  name: z.string().regex(TOKEN_NAME),
  role: z.string().refine(isRole, 'not a role'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  /** Changes written here whose audit line is not yet known to be written (settleTokenAudits). */
  unaudited: z.array(z.enum(['created', 'revoked'])).optional(),
});
export type NamedToken = Omit<z.infer<typeof namedTokenSchema>, 'role'> & { role: Role };

export const namedTokensFileSchema = z.strictObject({
  schema: z.literal(NAMED_TOKENS_SCHEMA),
  tokens: z.array(namedTokenSchema),
});

export function namedTokensFile(dataRoot: string): string {
  return path.join(dataRoot, 'run', 'api-named-tokens.json');
}

export async function readNamedTokens(file: string): Promise<NamedToken[]> {
  const raw = await readJsonIfExists(file);
  if (raw === undefined) return [];
  const parsed = namedTokensFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${file} is not a named token file: ${parsed.error.message}`);
  return parsed.data.tokens;
}

async function writeNamedTokens(file: string, tokens: NamedToken[]): Promise<void> {
  await writeFileAtomic(
    file,
    `${JSON.stringify({ schema: NAMED_TOKENS_SCHEMA, tokens }, null, 2)}\n`,
    0o600,
  );
}

/** How long a token lives when no expiry is given. */
export const DEFAULT_TOKEN_DAYS = 365;

/**
 * When a token given `--expires <when>` stops working: a date (YYYY-MM-DD) is valid through the
 * end of that day (UTC); a full ISO time is taken as it is. It must lie in the future.
 */
export function expiryOf(expires: string | undefined, now: Date): string {
  if (expires === undefined)
    return new Date(now.getTime() + DEFAULT_TOKEN_DAYS * 86_400_000).toISOString();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(expires);
  const at = new Date(day ? `${expires}T23:59:59.999Z` : expires);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(expires))
    throw new UsageError(`--expires ${expires}: not a date (YYYY-MM-DD) or an ISO time`);
  if (at.getTime() <= now.getTime()) throw new UsageError(`--expires ${expires}: lies in the past`);
  return at.toISOString();
}

export interface CreateTokenRequest {
  name: string;
  role: string;
  expires?: string | undefined;
  createdBy: string;
}

export interface CreatedToken {
  /** The token itself: shown once, never stored. */
  token: string;
  name: string;
  role: Role;
  expiresAt: string;
}

/** Makes a named token; a name may have one token that is not revoked. */
export async function createNamedToken(
  file: string,
  request: CreateTokenRequest,
  now = new Date(),
): Promise<CreatedToken> {
  if (!TOKEN_NAME.test(request.name))
    throw new UsageError(
      `token name ${JSON.stringify(request.name)}: use 2-63 lowercase letters, digits and dashes`,
    );
  if (!isRole(request.role))
    throw new UsageError(
      `role ${JSON.stringify(request.role)}: not frequency-reader, viewer, operator or submitter:<region>`,
    );
  const role = request.role;
  const expiresAt = expiryOf(request.expires, now);
  return withFileLock(file, async () => {
    const tokens = await readNamedTokens(file);
    if (tokens.some((t) => t.name === request.name && t.revokedAt === null))
      throw new UsageError(
        `a token named ${request.name} exists: revoke it first ("harmonise token revoke ${request.name}")`,
      );
    const token = `hm_${randomBytes(32).toString('base64url')}`;
    tokens.push({
      name: request.name,
      role,
      sha256: hashToken(token),
      createdAt: now.toISOString(),
      createdBy: request.createdBy,
      expiresAt,
      revokedAt: null,
      revokedBy: null,
      unaudited: ['created'],
    });
    await writeNamedTokens(file, tokens);
    return { token, name: request.name, role, expiresAt };
  });
}

/** Revokes the named token; a name without a live token is a usage error. */
export async function revokeNamedToken(
  file: string,
  name: string,
  revokedBy: string,
  now = new Date(),
): Promise<NamedToken> {
  return withFileLock(file, async () => {
    const tokens = await readNamedTokens(file);
    const live = tokens.find((t) => t.name === name && t.revokedAt === null);
    if (live === undefined) throw new UsageError(`no token named ${name} is live`);
    live.revokedAt = now.toISOString();
    live.revokedBy = revokedBy;
    live.unaudited = [...(live.unaudited ?? []), 'revoked'];
    await writeNamedTokens(file, tokens);
    return live;
  });
}

/** The audit line of one token change; its `key` names the change, so a repeat is recognised. */
export interface TokenAuditEntry extends AuditEntry {
  action: 'token create' | 'token revoke';
  key: string;
  name: string;
  role: Role;
  expiresAt?: string;
}

function auditEntryOf(token: NamedToken, change: 'created' | 'revoked'): TokenAuditEntry {
  if (change === 'created') {
    return {
      at: token.createdAt,
      action: 'token create',
      requestedBy: token.createdBy,
      key: `token:${token.name}:created:${token.createdAt}`,
      name: token.name,
      role: token.role,
      expiresAt: token.expiresAt,
    };
  }
  return {
    at: token.revokedAt ?? '',
    action: 'token revoke',
    requestedBy: token.revokedBy ?? '',
    key: `token:${token.name}:revoked:${token.revokedAt ?? ''}`,
    name: token.name,
    role: token.role,
  };
}

/**
 * Writes the audit line of every token change that does not yet have one, then clears the marks,
 * under the file's lock. A token change is two writes (this file, then the audit log); a process
 * that died between them left its mark here, and the next token command (or the API's start)
 * finishes the change. A process that died after the audit line but before clearing its mark
 * repeats the line, with the same `key`. Returns how many lines it wrote.
 */
export async function settleTokenAudits(
  file: string,
  append: (entry: TokenAuditEntry) => Promise<void>,
): Promise<number> {
  return withFileLock(file, async () => {
    const tokens = await readNamedTokens(file);
    let written = 0;
    for (const token of tokens) {
      for (const change of token.unaudited ?? []) {
        await append(auditEntryOf(token, change));
        written += 1;
      }
    }
    if (written > 0) {
      for (const token of tokens) delete token.unaudited;
      await writeNamedTokens(file, tokens);
    }
    return written;
  });
}
