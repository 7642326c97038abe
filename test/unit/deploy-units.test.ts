/**
 * The systemd units of infra/deploy/ are unit files systemd accepts: `systemd-analyze verify`
 * (Debian's systemd, which `infra/bootstrap.sh --systemd` installs) reads each one without an
 * error or a warning. verify needs no running systemd. It also checks that every Exec command
 * exists, and this machine has neither /usr/local/bin/temporal-server nor, necessarily, node
 * where systemd looks for it: each unit is verified as a copy whose commands are stubs of the
 * same name, and otherwise as shipped. verify only warns about an unknown directive and still
 * exits 0, so the check also fails on any warning; broken copies show that it does.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';

const DEPLOY = path.join(PROJECT_ROOT, 'infra', 'deploy');
const UNITS = ['harmonise-api.service', 'harmonise-worker@.service', 'temporal-server.service'];

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-deploy-units-'));
  await fs.mkdir(path.join(dir, 'bin'));
  for (const unit of UNITS) {
    const text = await fs.readFile(path.join(DEPLOY, unit), 'utf8');
    await fs.writeFile(path.join(dir, unit), await withStubCommands(text, path.join(dir, 'bin')));
  }
});
afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/**
 * The unit with each Exec command (`ExecStart=node …`, `ExecStart=/usr/local/bin/x …`) replaced
 * by an executable stub of the same name in `bin`; the arguments are kept.
 */
async function withStubCommands(text: string, bin: string): Promise<string> {
  const commands = new Set<string>();
  const rewritten = text.replace(
    /^(Exec[A-Za-z]+=[-@:+!]*)(\S+)/gm,
    (_line, key: string, command: string) => {
      commands.add(path.basename(command));
      return `${key}${path.join(bin, path.basename(command))}`;
    },
  );
  for (const command of commands) {
    await fs.writeFile(path.join(bin, command), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  return rewritten;
}

/** What `systemd-analyze verify` finds wrong with a unit: its errors and warnings, one a line. */
async function problems(file: string): Promise<string[]> {
  const result = await execa('systemd-analyze', ['verify', '--man=no', file], { reject: false });
  if (result.code === 'ENOENT') {
    throw new Error(
      "systemd-analyze is missing: run sh infra/bootstrap.sh --systemd (as root it installs Debian's systemd)",
    );
  }
  const lines = result.stderr.split('\n').filter(Boolean);
  if (result.exitCode !== 0) lines.push(`exit code ${result.exitCode}`);
  return lines;
}

/** A copy of a verified unit with one change, under a new name in the same folder. */
async function brokenCopy(unit: string, from: string, to: string): Promise<string> {
  const text = await fs.readFile(path.join(dir, unit), 'utf8');
  expect(text).toContain(from);
  const file = path.join(dir, `broken-${unit}`);
  await fs.writeFile(file, text.replace(from, to));
  return file;
}

describe('the systemd units of infra/deploy', () => {
  it('are the three units the docs describe', async () => {
    const files = (await fs.readdir(DEPLOY)).filter((name) => name.endsWith('.service'));
    expect(files.sort()).toEqual(UNITS);
  });

  it('verify without an error or a warning', async () => {
    for (const unit of UNITS) {
      expect({ unit, problems: await problems(path.join(dir, unit)) }).toEqual({
        unit,
        problems: [],
      });
    }
  });

  it('verify as the worker instances systemctl enables (harmonise-worker@1, @2)', async () => {
    for (const instance of ['harmonise-worker@1.service', 'harmonise-worker@2.service']) {
      expect(await problems(path.join(dir, instance))).toEqual([]);
    }
  });

  it('fail the check with a misspelt directive, which verify only warns about', async () => {
    for (const unit of UNITS) {
      const file = await brokenCopy(unit, '\nRestart=', '\nRestrat=');
      const found = await problems(file);
      expect(found.join('\n')).toMatch(/Unknown key 'Restrat' in section \[Service\]/);
    }
  });

  it('fail the check with a misspelt section', async () => {
    for (const unit of UNITS) {
      const file = await brokenCopy(unit, '[Service]', '[Servce]');
      const found = await problems(file);
      expect(found.join('\n')).toMatch(/Unknown section 'Servce'/);
      expect(found).toContainEqual(expect.stringMatching(/^exit code [1-9]/));
    }
  });

  it('fail the check with a command that does not exist', async () => {
    const file = await brokenCopy(
      'temporal-server.service',
      `ExecStart=${path.join(dir, 'bin', 'temporal-server')}`,
      'ExecStart=/nonexistent/temporal-server',
    );
    expect((await problems(file)).join('\n')).toMatch(
      /Command \/nonexistent\/temporal-server is not executable/,
    );
  });
});
