/**
 * `token create|revoke|list`: named API tokens, one per clinical department (role
 * frequency-reader) or dashboard, made and revoked by an operator (HARMONISE_TOKEN) and audited.
 * The API honours a new or revoked token at once; neither command needs Temporal.
 */
import type { Command } from 'commander';
import { TokenAdmin } from '../client-tokens.ts';
import { context, operatorIdentity } from './context.ts';
import { printJson, printLine } from './output.ts';

export function addTokenCommands(program: Command): void {
  const token = program
    .command('token')
    .description('named API tokens for departments and dashboards (an operator decision)');
  token
    .command('create')
    .description(
      'make a named token and print it once (only its sha256 is kept); needs HARMONISE_TOKEN of an operator',
    )
    .requiredOption(
      '--role <role>',
      'frequency-reader (a clinical department), viewer, submitter:<region> or operator',
    )
    .requiredOption(
      '--name <name>',
      'who holds it, e.g. the department (lowercase, digits, dashes)',
    )
    .option(
      '--expires <date>',
      'the last day it works (YYYY-MM-DD, UTC) or an ISO time; default: one year from now',
    )
    .option('--json', 'print one JSON document: { token, name, role, expiresAt }')
    .action(async (opts: { role: string; name: string; expires?: string; json?: boolean }) => {
      const ctx = context();
      const requestedBy = await operatorIdentity(ctx, 'token create');
      const created = await TokenAdmin.ofDataRoot(ctx.config).create(
        { name: opts.name, role: opts.role, expires: opts.expires },
        requestedBy,
      );
      if (opts.json) printJson(created);
      else {
        printLine(`token ${created.name} (${created.role}), valid until ${created.expiresAt}:`);
        printLine(created.token);
      }
    });
  token
    .command('revoke <name>')
    .description('revoke the named token: the API refuses it from now on')
    .option('--json', 'print one JSON document: the revoked token, without its hash')
    .action(async (name: string, opts: { json?: boolean }) => {
      const ctx = context();
      const requestedBy = await operatorIdentity(ctx, 'token revoke');
      const revoked = await TokenAdmin.ofDataRoot(ctx.config).revoke(name, requestedBy);
      if (opts.json) printJson(revoked);
      else printLine(`token ${revoked.name} (${revoked.role}) revoked at ${revoked.revokedAt}`);
    });
  token
    .command('list')
    .description('the named tokens, live and revoked (never the tokens themselves)')
    .option('--json', 'print one JSON document: { tokens: [...] }')
    .action(async (opts: { json?: boolean }) => {
      const ctx = context();
      await operatorIdentity(ctx, 'token list');
      const tokens = await TokenAdmin.ofDataRoot(ctx.config).list();
      if (opts.json) printJson({ tokens });
      else
        for (const t of tokens)
          printLine(
            `${t.name}\t${t.role}\t${t.revokedAt === null ? `until ${t.expiresAt}` : `revoked ${t.revokedAt}`}`,
          );
    });
}
