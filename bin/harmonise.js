#!/usr/bin/env node
// The `harmonise` command. On a fresh clone it first installs the npm packages (infra/bootstrap.sh),
// then runs the TypeScript CLI through tsx: there is no separate build step to forget.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (!existsSync(path.join(root, 'node_modules', 'tsx'))) {
  const result = spawnSync(
    'sh',
    [path.join(root, 'infra', 'bootstrap.sh'), '--no-temporal', '--no-tools'],
    {
      stdio: ['ignore', 2, 2],
    },
  );
  if (result.status !== 0) {
    process.stderr.write('harmonise: could not install npm packages (see above)\n');
    process.exit(1);
  }
}

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
process.exitCode = code;
// Exit even if a library left a handle open; an idle process exits before this fires.
setTimeout(() => process.exit(code), 2000).unref();
