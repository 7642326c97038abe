/**
 * Named API tokens through the typed client (`tokens`): an operator makes one per clinical
 * department (or dashboard), with an expiry, and revokes it; each change is in the audit log,
 * without the token. The CLI and the API both act through here; neither needs Temporal.
 */
import type { Config } from './config.ts';
import { appendAudit } from './store/audit.ts';
import { createLayout, type Layout } from './store/layout.ts';
import {
  createNamedToken,
  namedTokensFile,
  readNamedTokens,
  revokeNamedToken,
  type CreatedToken,
  type NamedToken,
} from './store/named-tokens.ts';

/** A named token as listed: everything but its hash. */
export type TokenListing = Omit<NamedToken, 'sha256'>;

export class TokenAdmin {
  constructor(private readonly ctx: { config: Config; layout: Layout }) {}

  static ofDataRoot(config: Config): TokenAdmin {
    return new TokenAdmin({ config, layout: createLayout(config.dataRoot) });
  }

  private get file(): string {
    return namedTokensFile(this.ctx.config.dataRoot);
  }

  async create(
    request: { name: string; role: string; expires?: string | undefined },
    requestedBy: string,
  ): Promise<CreatedToken> {
    const created = await createNamedToken(this.file, { ...request, createdBy: requestedBy });
    await appendAudit(this.ctx.layout.auditLog, {
      at: new Date().toISOString(),
      action: 'token create',
      requestedBy,
      name: created.name,
      role: created.role,
      expiresAt: created.expiresAt,
    });
    return created;
  }

  async revoke(name: string, requestedBy: string): Promise<TokenListing> {
    const revoked = await revokeNamedToken(this.file, name, requestedBy);
    await appendAudit(this.ctx.layout.auditLog, {
      at: new Date().toISOString(),
      action: 'token revoke',
      requestedBy,
      name,
      role: revoked.role,
    });
    return listing(revoked);
  }

  async list(): Promise<TokenListing[]> {
    return (await readNamedTokens(this.file)).map(listing);
  }
}

function listing({ sha256: _hash, ...rest }: NamedToken): TokenListing {
  return rest;
}
