/**
 * The faults an HPC centre has, injected into a running stack: a worker SIGKILLed (and a new one
 * started by `harmonise up`), the Temporal dev server SIGKILLed and restarted on the same
 * database, slurmctld restarted the way an admin does (SIGTERM, then started again from its saved
 * state), the node drained while a job runs on it, then returned to service, and the node set
 * DOWN while a job runs on it (the job dies NODE_FAIL: harmonise must run its step again under a
 * new attempt key), then brought back.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { livePid } from '../../src/platform/process.ts';
import type { UpResult } from '../../src/cli/services.ts';
import { clusterServerPid } from '../../src/cli/temporal-cluster.ts';
import { LOCAL_SLURM_CONF, loadConfig } from '../../src/config.ts';
import { harmonise, type CliEnv } from '../helpers/cli.ts';
import { isAlive } from '../helpers/processes.ts';
import { SLURM_UP, slurmCommand } from '../helpers/slurm.ts';

export type FaultKind =
  'worker-sigkill' | 'temporal-sigkill' | 'slurmctld-restart' | 'node-drain' | 'node-down';

/** What one injection did, for the report. */
export interface Injected {
  kind: FaultKind;
  detail: string;
  /** Jobs the fault killed (node-down): their steps must run again under a new attempt key. */
  killedJobs?: string[];
}

/** The node of the project's single-node cluster (infra/slurm/up.sh). */
const NODE = 'localhost';

async function waitForExit(pid: number, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`${what} (pid ${pid}) did not exit`);
    await sleep(50);
  }
}

/** `harmonise up --json`: starts whatever is not running (Temporal, worker, API). */
export async function up(cli: CliEnv): Promise<Pick<UpResult, 'worker' | 'workers'>> {
  const result = await harmonise(cli, ['up', '--json', '--no-bootstrap']);
  if (result.exitCode !== 0) throw new Error(`harmonise up failed:\n${result.stderr.slice(-3000)}`);
  return JSON.parse(result.stdout) as UpResult;
}

async function sigkillFromPidFile(file: string, what: string): Promise<number> {
  const record = await livePid(file);
  if (!record) throw new Error(`no live ${what} recorded in ${file}`);
  return sigkillPid(record.pid, what);
}

async function sigkillPid(pid: number | null, what: string): Promise<number> {
  if (pid === null) throw new Error(`no live ${what} to kill`);
  process.kill(pid, 'SIGKILL');
  await waitForExit(pid, what);
  return pid;
}

/** SIGKILLs one of the data root's workers (any of them, with `--workers N`); `up` starts it again. */
export async function killWorker(cli: CliEnv): Promise<Injected> {
  const run = path.join(cli.dataRoot, 'run');
  const pidFiles = (await fs.readdir(run)).filter((name) => /^worker(-\d+)?\.pid$/.test(name));
  const chosen = pidFiles[Math.floor(Math.random() * pidFiles.length)] ?? 'worker.pid';
  const killed = await sigkillFromPidFile(path.join(run, chosen), 'worker');
  const started = await up(cli);
  const restarted = started.workers.find((w) => w.started);
  return {
    kind: 'worker-sigkill',
    detail: `worker ${killed} (${chosen}) SIGKILLed; worker ${restarted?.pid ?? '-'} started`,
  };
}

/** SIGKILLs the Temporal server (the dev server, or the local cluster's); `up` starts it again. */
export async function killTemporal(cli: CliEnv): Promise<Injected> {
  const config = loadConfig(cli.env);
  const killed =
    config.temporal.server === 'cluster'
      ? await sigkillPid(await clusterServerPid(config.temporal.clusterDir), 'Temporal server')
      : await sigkillFromPidFile(
          path.join(cli.dataRoot, 'temporal/temporal.pid'),
          'Temporal dev server',
        );
  const started = await up(cli);
  const worker = started.worker.started
    ? `the worker did not survive; worker ${started.worker.pid} started`
    : `worker ${started.worker.pid} kept running`;
  return {
    kind: 'temporal-sigkill',
    detail: `Temporal ${config.temporal.server} server ${killed} SIGKILLed and restarted on the same database; ${worker}`,
  };
}

const SLURMCTLD_PID = path.join(path.dirname(path.dirname(LOCAL_SLURM_CONF)), 'run/slurmctld.pid');

export async function restartSlurmctld(): Promise<Injected> {
  const old = Number((await fs.readFile(SLURMCTLD_PID, 'utf8')).trim());
  process.kill(old, 'SIGTERM');
  await waitForExit(old, 'slurmctld', 60_000);
  const restarted = await execa('sh', [SLURM_UP], { reject: false });
  if (restarted.exitCode !== 0)
    throw new Error(`slurmctld did not come back (infra/slurm/up.sh):\n${restarted.stderr}`);
  return {
    kind: 'slurmctld-restart',
    detail: `slurmctld ${old} stopped (SIGTERM) and started again`,
  };
}

async function scontrol(args: string[]): Promise<void> {
  const result = await slurmCommand('scontrol', args);
  if (result.exitCode !== 0)
    throw new Error(`scontrol ${args.join(' ')} failed: ${result.stderr.trim()}`);
}

async function runningJobs(): Promise<string[]> {
  const result = await slurmCommand('squeue', ['-h', '-t', 'RUNNING', '-o', '%i']);
  return result.exitCode === 0 ? result.stdout.split('\n').filter(Boolean) : [];
}

/** Waits (up to the deadline) for a job to run on the node; its ids. */
async function jobsRunning(deadline: number, why: string): Promise<string[]> {
  let running = await runningJobs();
  while (running.length === 0) {
    if (Date.now() > deadline) throw new Error(`no job ran on the node to ${why}`);
    await sleep(200);
    running = await runningJobs();
  }
  return running;
}

/** The node's state as sinfo shows it (`idle`, `mixed`, `down*`, `drained`...). */
async function nodeState(): Promise<string> {
  const result = await slurmCommand('sinfo', ['-h', '-N', '-n', NODE, '-o', '%T']);
  // One line per partition the node is in: the same state on each.
  return [...new Set(result.stdout.split('\n').filter(Boolean))].join(',');
}

const inService = (state: string) => /^(idle|mixed|allocated|completing)$/.test(state);

/**
 * Drains the node while a job runs on it (waits for one), keeps it drained until that job has
 * ended (so the queue piles up behind it), then returns the node to service.
 */
export async function drainNode(timeoutMs = 300_000): Promise<Injected> {
  const deadline = Date.now() + timeoutMs;
  const running = await jobsRunning(deadline, 'drain it under');
  await scontrol(['update', `NodeName=${NODE}`, 'State=DRAIN', 'Reason=harmonise chaos']);
  while ((await runningJobs()).some((id) => running.includes(id))) {
    if (Date.now() > deadline) break;
    await sleep(500);
  }
  const pending = await slurmCommand('squeue', ['-h', '-t', 'PENDING', '-o', '%i']);
  await scontrol(['update', `NodeName=${NODE}`, 'State=RESUME']);
  const queued = pending.stdout.split('\n').filter(Boolean).length;
  return {
    kind: 'node-drain',
    detail: `node ${NODE} drained under job ${running.join(',')}, resumed after it ended with ${queued} job(s) pending`,
  };
}

/**
 * Sets the node DOWN while a job runs on it (waits for one): Slurm kills the jobs on it, which
 * harmonise submits with --no-requeue, so they end NODE_FAIL. Once they have ended, the node is
 * resumed unless it already returned by itself (ReturnToService=2 lets a responding node back).
 */
export async function downNode(timeoutMs = 300_000): Promise<Injected> {
  const deadline = Date.now() + timeoutMs;
  const running = await jobsRunning(deadline, 'set it down under');
  await scontrol(['update', `NodeName=${NODE}`, 'State=DOWN', 'Reason=harmonise chaos']);
  while ((await runningJobs()).some((id) => running.includes(id))) {
    if (Date.now() > deadline)
      throw new Error(`jobs ${running.join(',')} still run on a DOWN node`);
    await sleep(200);
  }
  const ended = await slurmCommand('squeue', [
    '-h',
    '-t',
    'all',
    '-j',
    running.join(','),
    '-o',
    '%i %T',
  ]);
  const states = ended.stdout.trim().split('\n').filter(Boolean).join(', ') || 'gone from squeue';
  let back = 'it returned to service by itself';
  if (!inService(await nodeState())) {
    const resumed = await slurmCommand('scontrol', ['update', `NodeName=${NODE}`, 'State=RESUME']);
    // A node that came back meanwhile refuses RESUME: only an error while it stays out counts.
    const now = await nodeState();
    if (resumed.exitCode !== 0 && !inService(now))
      throw new Error(
        `scontrol update State=RESUME failed (node ${now}): ${resumed.stderr.trim()}`,
      );
    back = 'resumed';
  }
  while (!inService(await nodeState())) {
    if (Date.now() > deadline) throw new Error(`node ${NODE} did not return after DOWN`);
    await sleep(200);
  }
  return {
    kind: 'node-down',
    detail: `node ${NODE} set DOWN under job ${running.join(',')} (ended ${states}); ${back}`,
    killedJobs: running,
  };
}
