/**
 * Job outcomes on the real cluster becoming decisions in real workflows (Temporal dev server,
 * real Slurm, probe jobs that misbehave on purpose): more memory after OUT_OF_MEMORY, more time
 * after TIMEOUT, the same again after NODE_FAIL and PREEMPTED, failure with stderr for a tool
 * error or an outside cancel, scancel when a workflow is cancelled, and exactly one sbatch per
 * attempt across a SIGKILLed worker.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { HarmoniseClient } from '../../src/client.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { ProbeInput } from '../../src/domain/probe.ts';
import { probeWorkflowId } from '../../src/shared.ts';
import type { JobProbeResult } from '../../src/workflows/job-probe.ts';
import { createHarmoniseWorker, type HarmoniseWorker } from '../../src/worker.ts';
import { BIN } from '../helpers/cli.ts';
import { testLogger } from '../helpers/logger.ts';
import { ensureTestSlurm, slurmCommand, slurmJobsNamed } from '../helpers/slurm.ts';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.ts';

let temporal: TestTemporal;
let root: string;
let config: Config;
let worker: HarmoniseWorker;
let running: Promise<void>;
let client: HarmoniseClient;
const runId = Date.now().toString(36);
const cpus = os.availableParallelism();

beforeAll(async () => {
  await ensureTestSlurm();
  temporal = await startTestTemporal();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-slurm-wf-'));
  config = loadConfig({
    HARMONISE_DATA: root,
    ...temporal.env,
    HARMONISE_TASK_QUEUE: 'slurm-tests',
    HARMONISE_EXECUTOR: 'slurm',
  });
  worker = await createHarmoniseWorker(config, testLogger);
  running = worker.worker.run();
  client = await HarmoniseClient.connect(config);
});

afterAll(async () => {
  await client?.close();
  await worker?.shutdown();
  await running;
  await temporal?.stop();
  await fs.rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

function probe(
  name: string,
  spec: Partial<ProbeInput['probe']>,
  resources: Partial<ProbeInput['resources']> = {},
) {
  const input: ProbeInput = {
    probeId: `${runId}-${name}`,
    probe: { sleepSeconds: 0, allocMiB: 0, exitCode: 0, ...spec },
    resources: { cpus: 1, memMiB: 128, timeMinutes: 5, ...resources },
    retry: { maxAttempts: 3, maxMemMiB: 1024, maxTimeMinutes: 10 },
  };
  return input;
}

async function startProbe(input: ProbeInput, taskQueue = config.temporal.taskQueue) {
  return client.temporal.workflow.start('jobProbeWorkflow', {
    workflowId: probeWorkflowId(input.probeId),
    taskQueue,
    args: [input],
  });
}

/** The job key of a probe's attempt, which is also its Slurm job name. */
function probeKey(
  handle: { workflowId: string; firstExecutionRunId: string },
  attempt: number,
): string {
  return `${handle.workflowId}/${handle.firstExecutionRunId}/probe/${attempt}`;
}

/** Concurrent tests pass their own `expect`: the global one cannot tell which test polls. */
async function waitUntilRunning(key: string, check: ExpectStatic = expect): Promise<string> {
  let jobId = '';
  await check
    .poll(
      async () => {
        const { stdout } = await slurmCommand('squeue', [
          '-h',
          '-t',
          'all',
          `--name=${key}`,
          '-o',
          '%i|%T',
        ]);
        const [id, state] = stdout.trim().split('|');
        jobId = id ?? '';
        return state;
      },
      { timeout: 60_000, interval: 250 },
    )
    .toBe('RUNNING');
  return jobId;
}

function attemptsOf(result: JobProbeResult) {
  return result.attempts.map((a) => [a.state, a.resources.memMiB, a.resources.timeMinutes]);
}

describe('job outcomes on Slurm, one at a time (they touch the whole node)', () => {
  it('runs a job again, unchanged, after its node was set DOWN mid-job', async () => {
    // The probe sleeps so that it is still running when its node goes down.
    const input = probe('node-down', { sleepSeconds: 10 });
    const handle = await startProbe(input);
    await waitUntilRunning(probeKey(handle, 1));
    const down = await slurmCommand('scontrol', [
      'update',
      'nodename=localhost',
      'state=down',
      'reason=harmonise-test',
    ]);
    expect(down.exitCode, down.stderr).toBe(0);
    const result = (await handle.result()) as JobProbeResult;
    expect(attemptsOf(result)).toEqual([
      ['NODE_FAIL', 128, 5],
      ['COMPLETED', 128, 5],
    ]);
  });

  it('runs a job again, unchanged, after an urgent job preempted it', async () => {
    // The probe sleeps so that it is still running when the urgent job needs its CPUs.
    const input = probe('preempted', { sleepSeconds: 10 }, { cpus });
    const handle = await startProbe(input);
    await waitUntilRunning(probeKey(handle, 1));
    const urgent = await slurmCommand('sbatch', [
      '--parsable',
      '--partition=urgent',
      `--job-name=urgent-${runId}`,
      `--cpus-per-task=${cpus}`,
      '--mem=64M',
      '--output=/dev/null',
      '--wrap=sleep 2', // it only has to run, briefly, in the probe's place
    ]);
    expect(urgent.exitCode, urgent.stderr).toBe(0);
    const result = (await handle.result()) as JobProbeResult;
    expect(result.attempts.map((a) => a.state)).toEqual(['PREEMPTED', 'COMPLETED']);
  });
});

describe.concurrent('job outcomes on Slurm, side by side', () => {
  it('retries a job over its memory with twice the memory, and it succeeds', async ({ expect }) => {
    // It holds its memory a while, so that Slurm's memory accounting sees it.
    const handle = await startProbe(
      probe('oom', { allocMiB: 80, sleepSeconds: 2 }, { memMiB: 64 }),
    );
    const result = (await handle.result()) as JobProbeResult;
    expect(attemptsOf(result)).toEqual([
      ['OUT_OF_MEMORY', 64, 5],
      ['COMPLETED', 128, 5],
    ]);
    expect(result.jobId).toMatch(/^\d+$/);
  });

  it('retries a job over its time limit with twice the time, and it succeeds', async ({
    expect,
  }) => {
    // Slurm ends a 1-minute job at 60-90 s; 95 s of sleep fits in 2 minutes but not in 1.
    const handle = await startProbe(probe('timeout', { sleepSeconds: 95 }, { timeMinutes: 1 }));
    const result = (await handle.result()) as JobProbeResult;
    expect(attemptsOf(result)).toEqual([
      ['TIMEOUT', 128, 1],
      ['COMPLETED', 128, 2],
    ]);
  }, 360_000);

  it('fails the step with the tail of stderr when the tool fails', async ({ expect }) => {
    const handle = await startProbe(probe('tool', { exitCode: 3 }));
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const message = String((error as WorkflowFailedError).cause?.message);
    expect(message).toContain('ended FAILED');
    expect(message).toContain('probe: exiting with 3 as asked');
  });

  it('fails the step when the job is cancelled from outside harmonise', async ({ expect }) => {
    // The probe sleeps so that it is still running when it is cancelled from outside.
    const input = probe('outside', { sleepSeconds: 120 });
    const handle = await startProbe(input);
    const jobId = await waitUntilRunning(probeKey(handle, 1), expect);
    await slurmCommand('scancel', [jobId]);
    const error = await handle.result().catch((e: unknown) => e);
    expect(String((error as WorkflowFailedError).cause?.message)).toMatch(/ended CANCELLED/);
  });

  it('scancels the job when the workflow is cancelled', async ({ expect }) => {
    // The probe sleeps so that it is still running when its workflow is cancelled.
    const input = probe('wf-cancel', { sleepSeconds: 300 });
    const handle = await startProbe(input);
    const jobId = await waitUntilRunning(probeKey(handle, 1), expect);
    await handle.cancel();
    await handle.result().catch(() => undefined);
    await expect
      .poll(
        async () =>
          (
            await slurmCommand('squeue', ['-h', '-t', 'all', '-j', jobId, '-o', '%T'])
          ).stdout.trim(),
        { timeout: 60_000, interval: 500 },
      )
      .toBe('CANCELLED');
  }, 120_000);

  it('submits exactly once for a key when the worker is SIGKILLed while its job runs', async ({
    expect,
  }) => {
    const taskQueue = 'slurm-kill-tests';
    const env = {
      HARMONISE_DATA: root,
      ...temporal.env,
      HARMONISE_TASK_QUEUE: taskQueue,
      HARMONISE_EXECUTOR: 'slurm',
      HARMONISE_LOG_LEVEL: 'info',
    };
    const spawnWorker = () => execa(process.execPath, [BIN, 'worker'], { env, reject: false });
    const first = spawnWorker();
    // The probe sleeps so that it outlives the killed worker and is found by the next one.
    const input = probe('sigkill', { sleepSeconds: 30 });
    const handle = await startProbe(input, taskQueue);
    const key = probeKey(handle, 1);
    const jobId = await waitUntilRunning(key, expect);
    first.kill('SIGKILL');
    await first;
    const second = spawnWorker();
    try {
      const result = (await handle.result()) as JobProbeResult;
      expect(result.attempts.map((a) => [a.state, a.jobId])).toEqual([['COMPLETED', jobId]]);
      expect(await slurmJobsNamed(key)).toEqual([jobId]);
    } finally {
      second.kill('SIGTERM');
      await second;
    }
  }, 180_000);
});
