/**
 * Named API tokens through the typed client (`tokens`): an operator makes one per clinical
 * department (or dashboard), with an expiry, and revokes it; each change is in the audit log,
 * without the token. The CLI and the API both act through here; neither needs Temporal, so that
 * an operator can make and revoke tokens while Temporal is down, and no token ever reaches a
 * workflow's history. A change is two writes (the token file, then the audit line): a change
 * whose process died between them is finished by the next token command or the API's start
 * (settleTokenAudits).
 */
import type { Config } from './config.ts';
import { appendAudit } from './store/audit.ts';
import { createLayout, type Layout } from './store/layout.ts';
import {
  createNamedToken,
  namedTokensFile,
  readNamedTokens,
  revokeNamedToken,
  settleTokenAudits,
  type CreatedToken,
  type NamedToken,
} from './store/named-tokens.ts';

/** A named token as listed: everything but its hash. */
export type TokenListing = Omit<NamedToken, 'sha256' | 'unaudited'>;

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
    await this.settleAudits();
    const created = await createNamedToken(this.file, { ...request, createdBy: requestedBy });
    await this.settleAudits();
    return created;
  }

  async revoke(name: string, requestedBy: string): Promise<TokenListing> {
    await this.settleAudits();
    const revoked = await revokeNamedToken(this.file, name, requestedBy);
    await this.settleAudits();
    return listing(revoked);
  }

  async list(): Promise<TokenListing[]> {
    await this.settleAudits();
    return (await readNamedTokens(this.file)).map(listing);
  }

  /** Writes the audit lines of token changes whose process died before it wrote them. */
  settleAudits(): Promise<number> {
    return settleTokenAudits(this.file, (entry) => appendAudit(this.ctx.layout.auditLog, entry));
  }
}

function listing({ sha256: _hash, unaudited: _marks, ...rest }: NamedToken): TokenListing {
  return rest;
}
