/**
 * runStep, the activity that turns a plan step into a job, on the real local executor with the
 * real tools: typed failures with the tail of stderr, and cancellation that reaches the job's
 * whole process group.
 */
import { ActivityCancellationDetails, ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityOf } from '../../src/store/file-identity.ts';
import { createJobActivities, type RunStepInput } from '../../src/activities/jobs.ts';
import { loadConfig } from '../../src/config.ts';
import { FailureType } from '../../src/domain/failures.ts';
import { LocalExecutor, JOB_FILE } from '../../src/executors/local.ts';
import { JobPoller } from '../../src/executors/poller.ts';
import { Catalogue } from '../../src/store/catalogue.ts';
import { createLayout } from '../../src/store/layout.ts';
import { PipelineRegistry } from '../../src/store/pipelines.ts';
import { testLogger } from '../helpers/logger.ts';
import { processGroup, stillAlive } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';

let root: string;
let executor: LocalExecutor;
let poller: JobPoller;
let activities: ReturnType<typeof createJobActivities>;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-runstep-'));
  const config = loadConfig({ HARMONISE_DATA: root });
  const layout = createLayout(root);
  await fs.mkdir(layout.runDir, { recursive: true });
  // A tiny reference where pipeline 1 expects it, so the tools get as far as their inputs.
  const fasta = path.join(layout.referenceDir('1'), 'genome.fa');
  await fs.mkdir(path.dirname(fasta), { recursive: true });
  const bases = Array.from({ length: 2000 }, (_, i) => 'ACGT'[(i * 7 + (i >> 3)) % 4]).join('');
  await fs.writeFile(fasta, `>chr1\n${bases}\n`);
  await execa('samtools', ['faidx', fasta]);
  await execa('bwa', ['index', fasta]);
  executor = new LocalExecutor({
    cpus: 2,
    memMiB: 4096,
    ledgerFile: layout.localJobLedger,
    logger: testLogger,
    killGraceMs: 500,
  });
  poller = new JobPoller(executor, { intervalMs: 100, missingGraceMs: 5000, logger: testLogger });
  activities = createJobActivities({
    config,
    layout,
    executor,
    poller,
    pipelines: new PipelineRegistry(config.pipelinesDir, root),
    catalogue: new Catalogue(layout),
    logger: testLogger,
  });
});

afterAll(async () => {
  poller.close();
  await executor.close();
  if (!process.env.KEEP)
    await fs.rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

/** An activity environment whose own failure logs stay out of the test output. */
function mockEnvironment(): MockActivityEnvironment {
  const silent = () => undefined;
  const logger = {
    log: silent,
    trace: silent,
    debug: silent,
    info: silent,
    warn: silent,
    error: silent,
  };
  return new MockActivityEnvironment({}, { logger });
}

function step(overrides: Partial<RunStepInput>): RunStepInput {
  return {
    workflowId: 'sample:TST001:1',
    runId: 'run-1',
    sampleId: 'TST001',
    pipelineVersion: '1',
    step: 'call',
    kind: 'call-gvcf',
    attempt: 1,
    resources: { cpus: 1, memMiB: 512, timeMinutes: 5 },
    inputs: {},
    outputs: ['sample.g.vcf.gz', 'sample.g.vcf.gz.tbi'],
    ...overrides,
  };
}

describe('runStep', () => {
  it('fails a job whose tool exits non-zero as JobFailed, with the tail of its stderr', async () => {
    const env = mockEnvironment();
    const input = step({ inputs: { cram: path.join(root, 'missing.cram'), crai: '' } });
    const error = await env.run(activities.runStep, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.type).toBe(FailureType.JobFailed);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('missing.cram'); // from the tool's own stderr
    expect(failure.details?.[0]).toMatchObject({
      state: 'FAILED',
      key: 'sample:TST001:1/run-1/call/1',
    });
  });

  /** Starts an align step whose bwa blocks on a FIFO: a job that runs until it is stopped. */
  async function startBlockedAlign(sampleId: string) {
    const fifo = path.join(root, `${sampleId}.fifo`);
    await execa('mkfifo', [fifo]);
    const env = mockEnvironment();
    const workflowId = `sample:${sampleId}:1`;
    const input = step({
      step: 'align',
      kind: 'align-bwa',
      inputs: { r1: fifo, r2: fifo },
      outputs: ['aligned.bam'],
      workflowId,
      sampleId,
    });
    const result = env.run(activities.runStep, input).catch((e: unknown) => e);
    const jobFile = path.join(root, 'work', workflowId, 'run-1', 'align', '1', JOB_FILE);
    const readJob = async () =>
      JSON.parse(await fs.readFile(jobFile, 'utf8').catch(() => '{}')) as {
        pid?: number;
        pidStartTime?: string;
      };
    const pid = await waitFor(async () => (await readJob()).pid, {
      what: `the align job of ${sampleId} to record its pid`,
    });
    // bwa blocks opening the FIFO: from then on the job runs until it is stopped.
    const bwa = await waitFor(() => processGroup(pid).find((p) => p.command === 'bwa'), {
      what: `bwa to start in the align job of ${sampleId}`,
    });
    return { env, result, pid, bwa, workDir: path.dirname(jobFile) };
  }

  it('cancels the job and everything it started when the workflow cancels the activity', async () => {
    const job = await startBlockedAlign('TST002');
    const processes = processGroup(job.pid);
    expect(processes.map((p) => p.pid)).toEqual(expect.arrayContaining([job.pid, job.bwa.pid]));
    job.env.cancel('CANCELLED', new ActivityCancellationDetails({ cancelRequested: true }));
    await job.result;
    await waitFor(() => stillAlive(processes).length === 0 && processGroup(job.pid).length === 0, {
      what: `every process of the cancelled job (${processes.map((p) => `${p.pid} ${p.command}`).join(', ')}) to be gone`,
      timeoutMs: 10_000,
    });
    const outcome = JSON.parse(
      await fs.readFile(path.join(job.workDir, 'outcome.json'), 'utf8'),
    ) as {
      state: string;
    };
    expect(outcome.state).toBe('CANCELLED');
  });

  it('leaves the job running when only the worker is shutting down', async () => {
    const job = await startBlockedAlign('TST003');
    const processes = processGroup(job.pid);
    job.env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
    await job.result;
    // Stopping a job writes its outcome before the first signal: the activity has ended, and
    // nothing was stopped, nor is the executor about to.
    await expect(fs.access(path.join(job.workDir, 'outcome.json'))).rejects.toThrow();
    const file = JSON.parse(await fs.readFile(path.join(job.workDir, JOB_FILE), 'utf8')) as {
      jobId: string;
      key: string;
    };
    const { jobId, key } = file;
    const ref = { executor: 'local' as const, jobId, key, workDir: job.workDir };
    expect((await executor.status([ref])).get(jobId)?.state).toBe('RUNNING');
    expect(stillAlive(processes)).toEqual(processes);
    process.kill(-job.pid, 'SIGKILL');
  });
});

describe('a submitted input that changed after intake', () => {
  /** What intake records of a file (as the manifest lists it: `S/<name>`). */
  const expected = async (file: string) => ({
    ...identityOf(await fs.stat(file, { bigint: true })),
    label: `S/${path.basename(file)}`,
  });

  it('fails the step before any job is submitted', async () => {
    const cram = path.join(root, 'checked.cram');
    await fs.writeFile(cram, 'as intake read it');
    const identity = await expected(cram);
    await fs.writeFile(cram, 'replaced by the region since');
    const input = step({
      workflowId: 'sample:TST010:1',
      sampleId: 'TST010',
      inputs: { cram, crai: '' },
      inputIdentities: { cram: identity },
    });
    const error = await mockEnvironment()
      .run(activities.runStep, input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('INPUT_CHANGED_AFTER_INTAKE');
    expect((error as ApplicationFailure).message).toContain('S/checked.cram changed after intake');
    await expect(fs.access(path.join(root, 'work', 'sample:TST010:1'))).rejects.toThrow();
  });

  it('fails the job itself when the file changes while the job waits its turn', async () => {
    // One CPU: a job blocked on a FIFO holds it, so the next job waits in the queue.
    const layout = createLayout(root);
    const single = new LocalExecutor({
      cpus: 1,
      memMiB: 4096,
      ledgerFile: layout.localJobLedger,
      logger: testLogger,
      killGraceMs: 500,
    });
    const singlePoller = new JobPoller(single, {
      intervalMs: 100,
      missingGraceMs: 5000,
      logger: testLogger,
    });
    const config = loadConfig({ HARMONISE_DATA: root });
    const queued = createJobActivities({
      config,
      layout,
      executor: single,
      poller: singlePoller,
      pipelines: new PipelineRegistry(config.pipelinesDir, root),
      catalogue: new Catalogue(layout),
      logger: testLogger,
    });
    try {
      const fifo = path.join(root, 'TST011.fifo');
      await execa('mkfifo', [fifo]);
      const blocker = mockEnvironment()
        .run(
          queued.runStep,
          step({
            workflowId: 'sample:TST011:1',
            sampleId: 'TST011',
            step: 'align',
            kind: 'align-bwa',
            inputs: { r1: fifo, r2: fifo },
            outputs: ['aligned.bam'],
          }),
        )
        .catch((e: unknown) => e);
      const blockerJob = path.join(
        root,
        'work',
        'sample:TST011:1',
        'run-1',
        'align',
        '1',
        JOB_FILE,
      );
      await expect
        .poll(async () => JSON.parse(await fs.readFile(blockerJob, 'utf8').catch(() => '{}')).pid, {
          timeout: 5000,
        })
        .toBeGreaterThan(0);

      const cram = path.join(root, 'waiting.cram');
      await fs.writeFile(cram, 'as intake read it');
      const waiting = mockEnvironment()
        .run(
          queued.runStep,
          step({
            workflowId: 'sample:TST012:1',
            sampleId: 'TST012',
            inputs: { cram, crai: '' },
            inputIdentities: { cram: await expected(cram) },
          }),
        )
        .catch((e: unknown) => e);
      const waitingJob = path.join(root, 'work', 'sample:TST012:1', 'run-1', 'call', '1', JOB_FILE);
      await expect
        .poll(async () => JSON.parse(await fs.readFile(waitingJob, 'utf8').catch(() => '{}')).phase)
        .toBe('queued');
      // Replaced after the step was submitted, before its job started.
      await fs.writeFile(cram, 'replaced while the job waited');
      const { pid } = JSON.parse(await fs.readFile(blockerJob, 'utf8')) as { pid: number };
      process.kill(-pid, 'SIGKILL');
      await blocker;

      const error = (await waiting) as ApplicationFailure;
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error.type).toBe('INPUT_CHANGED_AFTER_INTAKE');
      expect(error.message).toContain('S/waiting.cram changed after intake');
      const workDir = path.dirname(waitingJob);
      expect(await fs.readFile(path.join(workDir, 'input-changed'), 'utf8')).toBe(
        'S/waiting.cram\n',
      );
      // The job stopped before it ran any tool.
      await expect(fs.access(path.join(workDir, 'tool-versions.tsv'))).rejects.toThrow();
    } finally {
      singlePoller.close();
      await single.close();
    }
  });
});
