/**
 * Named tokens: kept as hashes only, one live token per name, an expiry that is enforced, a
 * revocation the API sees at once (without a restart); and the readers' rate limit.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDevTokens, tokenFiles, TokenRegistry } from '../../src/api/auth.ts';
import { RateLimiter } from '../../src/api/lookup-guard.ts';
import { appendAudit, readAudit } from '../../src/store/audit.ts';
import {
  createNamedToken,
  expiryOf,
  readNamedTokens,
  revokeNamedToken,
  settleTokenAudits,
  type TokenAuditEntry,
} from '../../src/store/named-tokens.ts';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-tokens-'));
  await ensureDevTokens(tokenFiles(root), ['hovedstaden']);
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

const registry = () => TokenRegistry.load(tokenFiles(root).hashesFile, tokenFiles(root).namedFile);

describe('named tokens', () => {
  it('keeps only the hash, names the caller, and refuses it once revoked', async () => {
    const files = tokenFiles(root);
    const api = await registry();
    const made = await createNamedToken(files.namedFile, {
      name: 'rigshospitalet-klinisk-genetik',
      role: 'frequency-reader',
      createdBy: 'operator:cli',
    });
    const stored = await fs.readFile(files.namedFile, 'utf8');
    expect(stored).not.toContain(made.token);
    expect((await fs.stat(files.namedFile)).mode & 0o777).toBe(0o600);
    // The registry loaded before the token existed still knows it: it re-reads a changed file.
    expect(await api.identify(`Bearer ${made.token}`)).toEqual({
      caller: { role: 'frequency-reader', name: made.name, expiresAt: made.expiresAt },
    });
    await expect(
      createNamedToken(files.namedFile, { name: made.name, role: 'viewer', createdBy: 'x' }),
    ).rejects.toThrow(/a token named rigshospitalet-klinisk-genetik exists: revoke it first/);
    await revokeNamedToken(files.namedFile, made.name, 'operator:cli');
    expect(await api.identify(`Bearer ${made.token}`)).toEqual({
      refused: expect.stringMatching(/^the token rigshospitalet-klinisk-genetik was revoked at /),
    });
    // A revoked name may have a new token.
    const again = await createNamedToken(files.namedFile, {
      name: made.name,
      role: 'frequency-reader',
      createdBy: 'operator:cli',
    });
    expect(await api.identify(`Bearer ${again.token}`)).toMatchObject({
      caller: { name: made.name },
    });
    await expect(revokeNamedToken(files.namedFile, 'nobody', 'x')).rejects.toThrow(
      /no token named nobody is live/,
    );
  });

  it('refuses a token past its expiry', async () => {
    const files = tokenFiles(root);
    const then = new Date('2026-01-01T00:00:00Z');
    const made = await createNamedToken(
      files.namedFile,
      {
        name: 'aarhus-molekylaer',
        role: 'frequency-reader',
        expires: '2026-01-31',
        createdBy: 'x',
      },
      then,
    );
    expect(made.expiresAt).toBe('2026-01-31T23:59:59.999Z');
    const api = await registry();
    expect(
      await api.identify(`Bearer ${made.token}`, new Date('2026-01-31T12:00:00Z')),
    ).toMatchObject({
      caller: { role: 'frequency-reader' },
    });
    expect(await api.identify(`Bearer ${made.token}`, new Date('2026-02-01T00:00:00Z'))).toEqual({
      refused: 'the token aarhus-molekylaer expired at 2026-01-31T23:59:59.999Z',
    });
  });

  it('names what is wrong in a name, a role or an expiry', async () => {
    const file = tokenFiles(root).namedFile;
    await expect(
      createNamedToken(file, { name: 'Rigs Hospitalet', role: 'frequency-reader', createdBy: 'x' }),
    ).rejects.toThrow(/use 2-63 lowercase letters, digits and dashes/);
    await expect(
      createNamedToken(file, { name: 'ok-name', role: 'reader', createdBy: 'x' }),
    ).rejects.toThrow(/role "reader": not frequency-reader/);
    expect(() => expiryOf('2020-01-01', new Date())).toThrow(/lies in the past/);
    expect(() => expiryOf('next week', new Date())).toThrow(/not a date/);
  });
});

describe('RateLimiter', () => {
  it('lets a burst through, then one request per 1/rate seconds, and says when to retry', () => {
    const limiter = new RateLimiter(2, 3);
    const t0 = 1_000_000;
    expect([0, 1, 2].map(() => limiter.take('a', t0))).toEqual([null, null, null]);
    expect(limiter.take('a', t0)).toBe(1);
    // Another token has its own bucket.
    expect(limiter.take('b', t0)).toBeNull();
    expect(limiter.take('a', t0 + 500)).toBeNull();
    expect(limiter.take('a', t0 + 600)).toBe(1);
  });
});

describe('a token change whose process died before its audit line', () => {
  it('is finished by the next token command, with one keyed line per change', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-token-audit-'));
    const file = path.join(dir, 'run', 'api-named-tokens.json');
    await fs.mkdir(path.dirname(file));
    const auditLog = path.join(dir, 'gdb', 'audit.jsonl');
    const append = (entry: TokenAuditEntry) => appendAudit(auditLog, entry);
    // The token file is written; the process dies before the audit line (nothing settles).
    await createNamedToken(file, {
      name: 'odense-klinisk-genetik',
      role: 'frequency-reader',
      createdBy: 'ops',
    });
    await revokeNamedToken(file, 'odense-klinisk-genetik', 'ops');
    expect(await readAudit(auditLog)).toEqual([]);
    // An append that fails (the disk full, the process killed) leaves the marks for later.
    await expect(
      settleTokenAudits(file, () => Promise.reject(new Error('audit log unwritable'))),
    ).rejects.toThrow('audit log unwritable');

    expect(await settleTokenAudits(file, append)).toBe(2);
    expect(await settleTokenAudits(file, append)).toBe(0);
    const lines = await readAudit(auditLog);
    expect(lines.map((l) => [l.action, l.requestedBy, l.name])).toEqual([
      ['token create', 'ops', 'odense-klinisk-genetik'],
      ['token revoke', 'ops', 'odense-klinisk-genetik'],
    ]);
    const [token] = await readNamedTokens(file);
    expect(lines.map((l) => l.key)).toEqual([
      `token:odense-klinisk-genetik:created:${token!.createdAt}`,
      `token:odense-klinisk-genetik:revoked:${token!.revokedAt}`,
    ]);
    expect(token!.unaudited).toBeUndefined();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
