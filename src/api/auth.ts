/**
 * Bearer tokens and roles (docs/interfaces.md). The API reads only `run/api-token-hashes.json`,
 * which maps the sha256 of each token to its role: a token never rests on disk where the server
 * reads it.
 * `harmonise up` creates development tokens for every role once, in `api-tokens.json` under the
 * data root (mode 0600, role → token, the file named by `up --json`), and their hashes.
 *
 * Roles: `operator` (NGC staff), `submitter:<region>` (a regional pipeline), `viewer` (dashboards).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readJsonIfExists, writeFileAtomic } from '../store/atomic.ts';

export type Role = 'operator' | 'viewer' | `submitter:${string}`;

export const TOKEN_HASHES_SCHEMA = 'harmonise.api-token-hashes/v1';

/** `run/api-token-hashes.json`: what the API reads to know a token's role. */
export const tokenHashesSchema = z.strictObject({
  schema: z.literal(TOKEN_HASHES_SCHEMA),
  /** sha256 (hex) of a token → its role. */
  tokens: z.record(
    z.string().regex(/^[0-9a-f]{64}$/),
    z.string().regex(/^(operator|viewer|submitter:[a-z][a-z0-9-]*)$/),
  ),
});

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isRole(value: string): value is Role {
  return value === 'operator' || value === 'viewer' || /^submitter:[a-z][a-z0-9-]*$/.test(value);
}

/** The roles a deployment has: operator, viewer and one submitter per region. */
export function rolesFor(regions: readonly string[]): Role[] {
  return ['operator', 'viewer', ...regions.map((r) => `submitter:${r}` as const)];
}

export interface TokenFiles {
  /** Development tokens, role → token (mode 0600). */
  tokensFile: string;
  /** What the API reads: token hash → role. */
  hashesFile: string;
}

export function tokenFiles(dataRoot: string): TokenFiles {
  return {
    tokensFile: path.join(dataRoot, 'api-tokens.json'),
    hashesFile: path.join(dataRoot, 'run', 'api-token-hashes.json'),
  };
}

/**
 * Makes sure every role has a development token: keeps those already in the tokens file, adds
 * the missing ones, and writes the hashes of all of them. Returns the tokens by role.
 */
export async function ensureDevTokens(
  files: TokenFiles,
  regions: readonly string[],
): Promise<Record<string, string>> {
  const existing = ((await readJsonIfExists(files.tokensFile)) ?? {}) as Record<string, unknown>;
  const tokens: Record<string, string> = {};
  for (const role of rolesFor(regions)) {
    const kept = existing[role];
    tokens[role] =
      typeof kept === 'string' && kept.length >= 32
        ? kept
        : `hm_${randomBytes(32).toString('base64url')}`;
  }
  await writeFileAtomic(files.tokensFile, `${JSON.stringify(tokens, null, 2)}\n`, 0o600);
  const hashes = Object.fromEntries(
    Object.entries(tokens).map(([role, token]) => [hashToken(token), role]),
  );
  await writeFileAtomic(
    files.hashesFile,
    `${JSON.stringify({ schema: TOKEN_HASHES_SCHEMA, tokens: hashes }, null, 2)}\n`,
    0o600,
  );
  return tokens;
}

/** Who a bearer token belongs to. */
export class TokenRegistry {
  private constructor(private readonly roles: ReadonlyMap<string, Role>) {}

  static async load(hashesFile: string): Promise<TokenRegistry> {
    let text: string;
    try {
      text = await fs.readFile(hashesFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(
          `no API token hashes at ${hashesFile}: "harmonise up" creates development tokens`,
          { cause: error },
        );
      }
      throw error;
    }
    const parsed = tokenHashesSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(`${hashesFile} is not a token hash file: ${parsed.error.message}`);
    }
    return new TokenRegistry(new Map(Object.entries(parsed.data.tokens) as [string, Role][]));
  }

  /** The role of `Authorization: Bearer <token>`, or null for a missing or unknown token. */
  roleOf(authorization: string | undefined): Role | null {
    const match = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(authorization ?? '');
    if (!match) return null;
    return this.roles.get(hashToken(match[1]!)) ?? null;
  }
}
