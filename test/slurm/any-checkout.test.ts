/**
 * A checkout anywhere: a copy of this project in a private (0700) folder, as a clone in root's
 * home would be, runs its own single-node cluster beside this checkout's (other ports, its
 * runtime outside the clone), runs a probe job on it through `up`, and `down` stops every daemon
 * that `up` started. A cluster whose checkout was deleted is stopped by the next up.sh.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SLURM_CONF, PROJECT_ROOT } from '../../src/config.ts';
import { SlurmCommands } from '../../src/executors/slurm/commands.ts';
import { cliEnv } from '../helpers/cli.ts';
import { ensureTestSlurm, SLURM_UP } from '../helpers/slurm.ts';
import { copyWorkingTree } from '../helpers/working-tree.ts';

const DAEMONS = ['munged', 'slurmctld', 'slurmd'] as const;

let tmp: string;
let clone: string;
/** The clone's runtime folder, once its cluster has started. */
let cloneRuntime: string | null = null;

/** The working tree, with this checkout's installed packages and Temporal CLI linked in. */
async function copyCheckout(to: string): Promise<void> {
  await copyWorkingTree(to);
  // Installed packages and the Temporal CLI are this checkout's; installing them again is not
  // what this test is about.
  await fs.symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(to, 'node_modules'));
  await fs.mkdir(path.join(to, '.tools'));
  await fs.symlink(path.join(PROJECT_ROOT, '.tools/temporal'), path.join(to, '.tools/temporal'));
}

function confValue(conf: string, key: string): string | undefined {
  return new RegExp(`^${key}=(.*)$`, 'm').exec(conf)?.[1];
}

/** The live pids of a runtime folder's daemons (a pid file whose process is gone is not). */
async function livePids(runtime: string): Promise<number[]> {
  const pids: number[] = [];
  for (const daemon of DAEMONS) {
    const text = await fs
      .readFile(path.join(runtime, 'run', `${daemon}.pid`), 'utf8')
      .catch(() => '');
    const pid = Number(text.trim());
    if (!pid) continue;
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`${runtime}/`)) pids.push(pid);
  }
  return pids;
}

function cloneHarmonise(env: Record<string, string>, args: string[]) {
  return execa(process.execPath, [path.join(clone, 'bin', 'harmonise.js'), ...args], {
    reject: false,
    env,
  });
}

beforeAll(async () => {
  // This checkout's cluster runs, so the clone's must find other ports.
  await ensureTestSlurm();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-clone-'));
  expect((await fs.stat(tmp)).mode & 0o777).toBe(0o700);
  clone = path.join(tmp, 'harmonise');
  await copyCheckout(clone);
}, 300_000);

afterAll(async () => {
  // Whatever a failed test left running of the clone's cluster is stopped by its own pids.
  if (cloneRuntime) {
    for (const pid of await livePids(cloneRuntime)) process.kill(pid, 'SIGTERM');
    await fs.rm(cloneRuntime, { recursive: true, force: true });
  }
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('a checkout in a private folder', () => {
  it('runs a job on its own cluster beside this one, and "down" stops what "up" started', async () => {
    const cli = await cliEnv(path.join(tmp, 'data'));
    const env = { ...cli.env, HARMONISE_SLURM_ACCOUNTING: 'jobcomp' };
    const up = await cloneHarmonise(env, ['up', '--executor', 'slurm', '--json', '--no-bootstrap']);
    expect(up.exitCode, up.stderr.slice(-3000)).toBe(0);
    const started = JSON.parse(up.stdout) as { slurm: { conf: string; started: boolean } };
    expect(started.slurm.started).toBe(true);
    const conf = started.slurm.conf;
    cloneRuntime = path.dirname(path.dirname(conf));
    expect(conf.startsWith(`${tmp}/`)).toBe(false);
    expect(conf).not.toBe(LOCAL_SLURM_CONF);
    expect((await fs.readFile(path.join(cloneRuntime, 'checkout'), 'utf8')).trim()).toBe(
      await fs.realpath(clone),
    );

    const ours = await fs.readFile(LOCAL_SLURM_CONF, 'utf8');
    const theirs = await fs.readFile(conf, 'utf8');
    for (const key of ['SlurmctldPort', 'SlurmdPort', 'StateSaveLocation', 'AuthInfo']) {
      expect(confValue(theirs, key), key).not.toBe(confValue(ours, key));
    }

    const probe = await cloneHarmonise(env, ['probe', '--json']);
    expect(probe.exitCode, probe.stderr.slice(-3000)).toBe(0);
    const result = JSON.parse(probe.stdout) as { jobId: string; attempts: { state: string }[] };
    expect(result.attempts.at(-1)?.state).toBe('COMPLETED');
    // The job ran on the clone's cluster, not on this checkout's.
    const cloneSlurm = new SlurmCommands({ conf, accounting: 'jobcomp' });
    const ourSlurm = new SlurmCommands({ conf: LOCAL_SLURM_CONF, accounting: 'jobcomp' });
    expect((await cloneSlurm.sacct({ jobIds: [result.jobId] })).map((r) => r.jobId)).toContain(
      result.jobId,
    );
    expect((await ourSlurm.sacct({ jobIds: [result.jobId] })).map((r) => r.jobId)).not.toContain(
      result.jobId,
    );

    const pids = await livePids(cloneRuntime);
    expect(pids).toHaveLength(3);
    const down = await cloneHarmonise(env, ['down', '--json']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({
      slurm: { stopped: true },
      nothingFound: false,
    });
    expect(await livePids(cloneRuntime)).toEqual([]);
    for (const pid of pids)
      expect(
        await fs.access(`/proc/${pid}`).then(
          () => true,
          () => false,
        ),
      ).toBe(false);
    expect(await ourSlurm.ping()).toBe(true);

    // Nothing of that data root runs any more: a second "down" says so and fails.
    const again = await cloneHarmonise(env, ['down']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(
      `nothing harmonise started was running under the data root ${cli.dataRoot}`,
    );
  }, 300_000);

  it('stops the cluster of a checkout that was deleted at the next up.sh', async () => {
    const up = await execa('sh', [path.join(clone, 'infra/slurm/up.sh')], { reject: false });
    expect(up.exitCode, up.stderr).toBe(0);
    cloneRuntime = path.dirname(path.dirname(up.stdout.trim()));
    const pids = await livePids(cloneRuntime);
    expect(pids).toHaveLength(3);
    await fs.rm(clone, { recursive: true, force: true });

    const ours = await execa('sh', [SLURM_UP], { reject: false });
    expect(ours.exitCode, ours.stderr).toBe(0);
    expect(ours.stderr).toContain('stopping the cluster of a checkout that no longer exists');
    expect(await livePids(cloneRuntime)).toEqual([]);
    expect(
      await fs.access(cloneRuntime).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    expect(await new SlurmCommands({ conf: LOCAL_SLURM_CONF, accounting: 'jobcomp' }).ping()).toBe(
      true,
    );
  }, 120_000);
});
