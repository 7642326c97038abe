/**
 * Bearer tokens and roles (docs/interfaces.md). The API reads only `run/api-token-hashes.json`,
 * which maps the sha256 of each token to its role: a token never rests on disk where the server
 * reads it.
 * `harmonise up` creates development tokens for every role once, in `api-tokens.json` under the
 * data root (mode 0600, role → token, the file named by `up --json`), and their hashes.
 *
 * Named tokens (`harmonise token create`, one per department, with an expiry) are read from
 * `run/api-named-tokens.json`, again as hashes, and re-read when that file changes, so a token
 * made or revoked works at once, without restarting the API.
 *
 * Roles (./roles.ts): `operator`, `viewer`, `submitter:<region>`, `frequency-reader`.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readJsonIfExists, writeFileAtomic } from '../store/atomic.ts';
import { namedTokensFile, readNamedTokens, type NamedToken } from '../store/named-tokens.ts';
import { hashToken, type Role } from './roles.ts';

export { hashToken, isRole, type Role } from './roles.ts';

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

/** The roles a deployment has: operator, viewer and one submitter per region. */
export function rolesFor(regions: readonly string[]): Role[] {
  return ['operator', 'viewer', ...regions.map((r) => `submitter:${r}` as const)];
}

export interface TokenFiles {
  /** Development tokens, role → token (mode 0600). */
  tokensFile: string;
  /** What the API reads: token hash → role. */
  hashesFile: string;
  /** Named tokens, as hashes (`harmonise token create`). */
  namedFile: string;
}

export function tokenFiles(dataRoot: string): TokenFiles {
  return {
    tokensFile: path.join(dataRoot, 'api-tokens.json'),
    hashesFile: path.join(dataRoot, 'run', 'api-token-hashes.json'),
    namedFile: namedTokensFile(dataRoot),
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

/** Who a request comes from. */
export interface Caller {
  role: Role;
  /** The token's name (a department), or the role for a development token. */
  name: string;
  /** A named token's end; null for a development token. */
  expiresAt: string | null;
}

/** What a bearer token says: who it is, or why it is refused. */
export type Identity = { caller: Caller } | { refused: string };

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/;

/** Who a bearer token belongs to. */
export class TokenRegistry {
  private named = new Map<string, NamedToken>();
  private namedStamp = '';

  private constructor(
    private readonly roles: ReadonlyMap<string, Role>,
    private readonly namedFile: string | null,
  ) {}

  static async load(hashesFile: string, namedFile: string | null = null): Promise<TokenRegistry> {
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
    const registry = new TokenRegistry(
      new Map(Object.entries(parsed.data.tokens) as [string, Role][]),
      namedFile,
    );
    await registry.refresh();
    return registry;
  }

  /** Re-reads the named tokens when their file has changed since the last look. */
  private async refresh(): Promise<void> {
    if (this.namedFile === null) return;
    const stat = await fs.stat(this.namedFile).catch(() => null);
    const stamp = stat === null ? '' : `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (stamp === this.namedStamp) return;
    const tokens = await readNamedTokens(this.namedFile);
    this.named = new Map(tokens.map((t) => [t.sha256, t]));
    this.namedStamp = stamp;
  }

  /** Who `Authorization: Bearer <token>` is; null for a missing or unknown token. */
  async identify(authorization: string | undefined, now = new Date()): Promise<Identity | null> {
    const match = BEARER.exec(authorization ?? '');
    if (!match) return null;
    const hash = hashToken(match[1]!);
    const role = this.roles.get(hash);
    if (role !== undefined) return { caller: { role, name: role, expiresAt: null } };
    await this.refresh();
    const named = this.named.get(hash);
    if (named === undefined) return null;
    if (named.revokedAt !== null)
      return { refused: `the token ${named.name} was revoked at ${named.revokedAt}` };
    if (Date.parse(named.expiresAt) <= now.getTime())
      return { refused: `the token ${named.name} expired at ${named.expiresAt}` };
    return { caller: { role: named.role, name: named.name, expiresAt: named.expiresAt } };
  }
}
