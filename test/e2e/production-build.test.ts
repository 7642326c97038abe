/**
 * A production install, as docs/operations.md gives it: the checkout's files (tracked, or new and
 * not ignored) copied to a folder of their own, then `npm ci`, `npm run build` and
 * `npm prune --omit=dev`. What is left has no TypeScript compiler or loader, runs the compiled
 * CLI and a worker that polls on the build's workflow bundle without bundling, and refuses to
 * run once a source file differs from what was built.
 */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { execa } from 'execa';
import { existsSync, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_SCHEMA, WORKFLOW_BUNDLE, sha256File, sourcesDigest } from '../../src/build-info.ts';
import type { TemporalConnectionOptions } from '../../src/temporal-connection.ts';
import { startTestTemporal } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';
import { copyWorkingTree } from '../helpers/working-tree.ts';

let parent: string;
let install: string;

/** This environment without npm's own variables (set when `npm test` runs the suite). */
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
);

/** Runs one install step in the copy; fails naming the step and the end of its output. */
async function step(what: string, file: string, args: string[]): Promise<void> {
  const result = await execa(file, args, {
    cwd: install,
    reject: false,
    all: true,
    env: cleanEnv,
    extendEnv: false,
  });
  if (result.exitCode !== 0) {
    const tail = (result.all ?? '').split('\n').slice(-30).join('\n');
    throw new Error(`${what} failed (exit ${result.exitCode}) in ${install}:\n${tail}`);
  }
}

/** Every file under `dir` with its size and modification time: what a run may have written. */
async function listing(dir: string): Promise<string[]> {
  const files = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  const out: string[] = [];
  for (const entry of files) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const stat = await fs.stat(file);
    out.push(`${path.relative(dir, file)} ${stat.size} ${stat.mtimeMs}`);
  }
  return out.sort();
}

function cli(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [path.join(install, 'bin', 'harmonise.js'), ...args], {
    reject: false,
    env,
  });
}

beforeAll(async () => {
  // mkdtemp makes the folder mode 0700: nobody else reads the install or its data.
  parent = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-production-'));
  install = path.join(parent, 'harmonise');
  await copyWorkingTree(install);
  await step('npm ci', 'npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']);
  await step('npm run build', 'npm', ['run', 'build']);
  await step('npm prune --omit=dev', 'npm', ['prune', '--omit=dev', '--no-audit', '--no-fund']);
}, 300_000);

afterAll(async () => {
  if (parent) await fs.rm(parent, { recursive: true, force: true });
});

describe('a production install (npm ci, npm run build, npm prune --omit=dev)', () => {
  it('has no TypeScript compiler, loader or bundler, and a build of its sources', async () => {
    for (const devOnly of ['tsx', 'typescript', 'esbuild', 'vitest']) {
      expect(existsSync(path.join(install, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    const dist = realpathSync(path.join(install, 'dist'));
    expect(path.dirname(dist)).toBe(realpathSync(install));
    const info = JSON.parse(await fs.readFile(path.join(dist, 'build.json'), 'utf8')) as {
      schema: string;
      sourcesDigest: string;
      workflowBundle: { sha256: string };
    };
    expect(info.schema).toBe(BUILD_SCHEMA);
    expect(info.sourcesDigest).toBe(sourcesDigest(install));
    expect(info.workflowBundle.sha256).toBe(sha256File(path.join(dist, WORKFLOW_BUNDLE)));
    // The pages the API serves, beside their modules.
    for (const page of ['dashboard.html', 'lookup-page.html']) {
      await fs.access(path.join(dist, 'api', page));
    }
  });

  it('runs the compiled CLI', async () => {
    const help = await cli(['--help']);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: harmonise');
    expect(help.stdout).toContain('worker');
  });

  it("starts a worker that polls on the build's workflow bundle, writing nothing under the install", async () => {
    const before = await listing(install);
    const temporal = await startTestTemporal();
    const data = path.join(parent, 'data');
    const taskQueue = 'harmonise-production-build';
    try {
      const worker = execa(
        process.execPath,
        [path.join(install, 'bin', 'harmonise.js'), 'worker'],
        {
          reject: false,
          all: true,
          env: {
            HARMONISE_DATA: data,
            ...temporal.env,
            HARMONISE_TASK_QUEUE: taskQueue,
            HARMONISE_LOG_LEVEL: 'info',
          },
        },
      );
      try {
        await waitForPoller(
          temporal.connection,
          taskQueue,
          worker.pid!,
          () => worker.exitCode ?? null,
        );
      } finally {
        // SIGTERM stops it; execa sends SIGKILL 5 s later if it has not ended.
        worker.kill('SIGTERM');
      }
      const ended = await worker;
      const lines = ended.all
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; bundle?: string; reused?: boolean });
      const bundle = lines.find((line) => line.msg === 'workflow bundle');
      expect(bundle, ended.all).toEqual(
        expect.objectContaining({
          bundle: path.join(realpathSync(path.join(install, 'dist')), WORKFLOW_BUNDLE),
          reused: true,
        }),
      );
      // Nothing was bundled: no cached bundle, no private one in the run folder.
      const cache = path.join(install, 'node_modules', '.cache', 'harmonise');
      const made = [
        ...(await fs.readdir(cache).catch(() => [])),
        ...(await fs.readdir(path.join(data, 'run')).catch(() => [])),
      ].filter((name) => name.startsWith('workflow-bundle-'));
      expect(made).toEqual([]);
      // The install may be read-only: the worker wrote no file under it.
      expect(await listing(install)).toEqual(before);
    } finally {
      await temporal.stop();
    }
  });

  it('refuses to run once a source differs from the build, CLI and frequency engine alike', async () => {
    const source = path.join(install, 'src', 'shared.ts');
    const original = await fs.readFile(source, 'utf8');
    const engine = () =>
      execa(process.execPath, [path.join(install, 'bin', 'harmonise-engine.js')], {
        reject: false,
      });
    try {
      await fs.appendFile(source, '// changed after the build\n');
      const help = await cli(['--help']);
      expect(help.exitCode).toBe(1);
      expect(help.stdout).toBe('');
      expect(help.stderr).toMatch(/made from other sources/);
      expect(help.stderr).toContain('npm run build');
      const stale = await engine();
      expect(stale.exitCode).toBe(1);
      expect(stale.stderr).toMatch(/made from other sources.*npm run build/);
    } finally {
      await fs.writeFile(source, original);
    }
    // The same sources again: the build runs (the engine's own usage message, not a refusal).
    const current = await engine();
    expect(current.stderr).toMatch(/^harmonise-engine: unknown command ""\nusage:/);
    expect((await cli(['--help'])).exitCode).toBe(0);
  });
});

/** Waits until Temporal lists the worker with this pid (identity `<pid>@<host>`) as a poller. */
async function waitForPoller(
  server: TemporalConnectionOptions,
  taskQueue: string,
  pid: number,
  exited: () => number | null,
): Promise<void> {
  const connection = await Connection.connect(server);
  try {
    await waitFor(
      async () => {
        if (exited() !== null) throw new Error(`the worker exited (${exited()}) before polling`);
        const response = await connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
          taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return (response.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
      },
      { what: 'the compiled worker to poll its task queue', timeoutMs: 90_000, intervalMs: 250 },
    );
  } finally {
    await connection.close();
  }
}
