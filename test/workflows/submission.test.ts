/**
 * Workflow behaviour on the real Temporal dev server with real intake. The step, planning and
 * registration activities are replaced by fakes here, so that the workflows' own decisions
 * (retries, outcomes, duplicates) can be driven precisely; the real ones run in test/e2e.
 */
import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  refuseChangedInputs,
  type FinishStepInput,
  type RunStepInput,
  type StepResult,
  type SubmittedJob,
  type WatchJobInput,
} from '../../src/activities/jobs.ts';
import type { JobEnded } from '../../src/domain/job-state.ts';
import type { PlanSampleInput } from '../../src/activities/planning.ts';
import type { RegisterSampleInput } from '../../src/activities/registration.ts';
import { HarmoniseClient } from '../../src/client.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { FailureType } from '../../src/domain/failures.ts';
import { pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import { planSample } from '../../src/domain/planner.ts';
import type { SampleVersion } from '../../src/domain/sample-record.ts';
import { sampleWorkflowId, submissionWorkflowId } from '../../src/shared.ts';
import { sampleStatusQuery, submissionStatusQuery } from '../../src/workflows/messages.ts';
import { createHarmoniseWorker, type HarmoniseWorker } from '../../src/worker.ts';
import { Catalogue } from '../../src/store/catalogue.ts';
import { createLayout } from '../../src/store/layout.ts';
import { TRAVERSALS } from '../helpers/hostile.ts';
import { hashTree, writeSubmission } from '../helpers/inbox.ts';
import { pipelineOneOnly } from '../helpers/pipelines.ts';
import { testLogger } from '../helpers/logger.ts';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.ts';

const pipeline = pipelineSpecSchema.parse(
  JSON.parse(await fs.readFile(new URL('../../pipelines/1.json', import.meta.url), 'utf8')),
);

let temporal: TestTemporal;
let root: string;
let config: Config;
let worker: HarmoniseWorker;
let running: Promise<void>;
let client: HarmoniseClient;

/** Samples whose align step waits until released: keeps a submission running on purpose. */
const gates = new Map<string, () => void>();
const gated = new Map<string, Promise<void>>();
const stepCalls: RunStepInput[] = [];
/** Keys of the jobs that have "ended". */
const released = new Set<string>();
/** The BIG samples between planning and registration, and the most there were at once. */
const bigInFlight = new Set<string>();
let bigMostInFlight = 0;

function gate(sampleId: string): void {
  gated.set(sampleId, new Promise<void>((resolve) => gates.set(sampleId, resolve)));
}

const fakeActivities = {
  planSampleWork(input: PlanSampleInput) {
    if (input.sampleId.startsWith('BIG')) {
      bigInFlight.add(input.sampleId);
      bigMostInFlight = Math.max(bigMostInFlight, bigInFlight.size);
    }
    return Promise.resolve(planSample({ ...input, pipeline, springAvailable: false }));
  },
  /**
   * The steps' jobs: submitted at once, "running" until the sample's gate opens, found ended by
   * the workflow's recheck (nothing signals here: no job watcher is asked), then read back.
   */
  async submitStep(input: RunStepInput): Promise<SubmittedJob> {
    stepCalls.push(input);
    // The real check of the real submitStep: submitted files must be the ones intake checked.
    await refuseChangedInputs(input.inputs, input.inputIdentities ?? {});
    const id = input.sampleId ?? '';
    const key = `${input.workflowId}/${input.runId}/${input.step}/${input.attempt}`;
    const gate = input.step === 'align' ? gated.get(id) : undefined;
    if (gate) void gate.then(() => released.add(key));
    else released.add(key);
    return {
      ref: {
        executor: 'local',
        jobId: `job-${id}-${input.step}-${input.attempt}`,
        key,
        workDir: `/fake/${id}`,
      },
      submittedAt: new Date().toISOString(),
      commands: [],
      recheck: { firstMs: 20, maxMs: 200 },
    };
  },
  watchJob(input: WatchJobInput): Promise<JobEnded | null> {
    const { key } = input.ref;
    return Promise.resolve(released.has(key) ? { key, state: 'COMPLETED', exitCode: 0 } : null);
  },
  async finishStep(input: FinishStepInput): Promise<StepResult> {
    // The real job checks its inputs again when it starts (on a busy cluster, days later).
    await refuseChangedInputs(input.inputs, input.inputIdentities ?? {});
    const id = input.sampleId ?? '';
    if (id.startsWith('OOM') && input.step === 'align' && input.resources.memMiB < 8192) {
      throw ApplicationFailure.nonRetryable(
        'align job ended OUT_OF_MEMORY',
        FailureType.JobOutOfMemory,
        {
          jobId: `job-${id}-${input.attempt}`,
          state: 'OUT_OF_MEMORY',
        },
      );
    }
    if (id.startsWith('BAD') && input.step === 'call') {
      throw ApplicationFailure.nonRetryable(
        'call job ended FAILED: exit code 1\n[E::bcf_call] something broke',
        FailureType.JobFailed,
        { jobId: `job-${id}`, state: 'FAILED', stderrTail: '[E::bcf_call] something broke' },
      );
    }
    const outputs = Object.fromEntries(input.outputs.map((name) => [name, `/fake/${id}/${name}`]));
    return {
      step: input.step,
      attempt: input.attempt,
      key: input.job.ref.key,
      jobId: input.job.ref.jobId,
      executor: 'local',
      state: 'COMPLETED',
      workDir: `/fake/${id}`,
      outputs,
      resources: input.resources,
      toolVersions: {},
      commands: [],
      submittedAt: input.job.submittedAt,
      endedAt: new Date().toISOString(),
    };
  },
  registerSample(input: RegisterSampleInput): Promise<SampleVersion> {
    bigInFlight.delete(input.sampleId);
    return Promise.resolve({
      pipelineVersion: input.pipelineVersion,
      mode: input.mode,
      status: 'harmonised',
      submissionId: input.submissionId,
      workflowId: input.workflowId,
      publishedAt: new Date().toISOString(),
      dir: `/fake/${input.sampleId}`,
      files: { cram: 'c', crai: 'ci', gvcf: 'g', tbi: 't', provenance: 'p' },
      sha256: {},
      verdict: input.verdict,
    });
  },
};

beforeAll(async () => {
  temporal = await startTestTemporal();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-wf-'));
  // A deployment whose newest pipeline is 1: the fake plans below are pipeline 1's.
  config = loadConfig({
    HARMONISE_DATA: root,
    HARMONISE_PIPELINES: await pipelineOneOnly(root),
    ...temporal.env,
    HARMONISE_TASK_QUEUE: 'workflow-tests',
  });
  worker = await createHarmoniseWorker(config, testLogger, { activities: fakeActivities });
  running = worker.worker.run();
  client = await HarmoniseClient.connect(config);
});

afterAll(async () => {
  await client?.close();
  await worker?.shutdown();
  await running;
  await temporal?.stop();
  await fs.rm(root, { recursive: true, force: true });
});

async function complete(region: string, submissionId: string, mode?: 'full' | 'partial' | 'none') {
  const signalled = await client.completeSubmission(region, submissionId, {
    requestedBy: mode ? 'operator:test' : `test:${region}`,
    ...(mode ? { mode } : {}),
  });
  expect(signalled.outcome).toBe('signalled');
  return client.waitForSubmission(region, submissionId);
}

describe('submissionWorkflow', () => {
  it('rejects a bad manifest with each error and its JSON path, leaving the inbox untouched', async () => {
    await writeSubmission(root, 'hovedstaden', 'HOV-BAD-1', [{ sampleId: 'HOV900' }], (m) => {
      m.region = 'syddanmark';
    });
    await writeSubmission(root, 'hovedstaden', 'HOV-BAD-2', [{ sampleId: '0101901234' }], (m) => {
      m.unexpected = true;
    });
    const before = await hashTree(path.join(root, 'inbox'));

    const mismatch = await complete('hovedstaden', 'HOV-BAD-1');
    expect(mismatch.status).toBe('rejected');
    expect(mismatch.errors).toEqual([
      expect.objectContaining({ code: 'MANIFEST_REGION_MISMATCH', path: 'region' }),
    ]);

    const schema = await complete('hovedstaden', 'HOV-BAD-2');
    expect(schema.status).toBe('rejected');
    expect(schema.errors.map((e) => [e.code, e.path]).sort()).toEqual([
      ['ID_LOOKS_LIKE_CPR', 'samples[0].sampleId'],
      ['MANIFEST_UNKNOWN_FIELD', 'unexpected'],
    ]);

    const missing = await complete('hovedstaden', 'NO-SUCH-SUBMISSION');
    expect(missing.errors[0]).toMatchObject({
      code: 'SUBMISSION_NOT_FOUND',
      path: 'manifest.json',
    });

    expect(await hashTree(path.join(root, 'inbox'))).toBe(before);
    const record = JSON.parse(
      await fs.readFile(path.join(root, 'gdb/submissions/hovedstaden/HOV-BAD-1.json'), 'utf8'),
    ) as { status: string };
    expect(record.status).toBe('rejected');
    expect(stepCalls.filter((c) => c.sampleId === 'HOV900')).toEqual([]);
  });

  it('rejects only the sample with a bad file; the others are harmonised', async () => {
    await writeSubmission(root, 'syddanmark', 'RSD-MIX-1', [
      { sampleId: 'RSD901' },
      { sampleId: 'RSD902', corruptChecksum: true },
      { sampleId: 'BAD903' },
    ]);
    const final = await complete('syddanmark', 'RSD-MIX-1');
    expect(final.status).toBe('partially-accepted');
    expect(final.mode).toBe('full');
    expect(final.modeSource).toBe('policy');
    const byId = Object.fromEntries(final.samples.map((s) => [s.sampleId, s]));
    expect(byId.RSD901).toMatchObject({ status: 'done', errors: [] });
    expect(byId.RSD902!.status).toBe('rejected');
    expect(byId.RSD902!.errors[0]).toMatchObject({
      code: 'FILE_CHECKSUM_MISMATCH',
      path: 'samples[1].files[1].md5',
    });
    expect(byId.BAD903!.status).toBe('failed');
    expect(byId.BAD903!.errors[0]!.code).toBe(FailureType.StepFailed);
    expect(byId.BAD903!.errors[0]!.message).toContain('something broke');
  });

  it('starts once for repeated signals, and nothing new once finished', async () => {
    gate('HOV910');
    await writeSubmission(root, 'hovedstaden', 'HOV-DUP-1', [{ sampleId: 'HOV910' }]);
    const first = await client.completeSubmission('hovedstaden', 'HOV-DUP-1', {
      requestedBy: 'test',
    });
    const second = await client.completeSubmission('hovedstaden', 'HOV-DUP-1', {
      requestedBy: 'test',
    });
    expect([first.outcome, second.outcome]).toEqual(['signalled', 'signalled']);
    const handle = client.temporal.workflow.getHandle(
      submissionWorkflowId('hovedstaden', 'HOV-DUP-1'),
    );
    await expect
      .poll(async () => (await handle.query(submissionStatusQuery)).status)
      .toBe('running');
    expect((await handle.query(submissionStatusQuery)).signals).toBe(2);
    gates.get('HOV910')!();
    const final = await client.waitForSubmission('hovedstaden', 'HOV-DUP-1');
    expect(final.status).toBe('accepted');

    const third = await client.completeSubmission('hovedstaden', 'HOV-DUP-1', {
      requestedBy: 'test',
    });
    expect(third.outcome).toBe('already-finished');
    const runs = [];
    for await (const run of client.temporal.workflow.list({
      query: `WorkflowId = '${submissionWorkflowId('hovedstaden', 'HOV-DUP-1')}'`,
    })) {
      runs.push(run);
    }
    expect(runs).toHaveLength(1);
    expect(stepCalls.filter((c) => c.sampleId === 'HOV910' && c.step === 'align')).toHaveLength(1);
  });

  it('retries an out-of-memory step with doubled memory and records every attempt', async () => {
    await writeSubmission(root, 'hovedstaden', 'HOV-OOM-1', [{ sampleId: 'OOM920' }]);
    const final = await complete('hovedstaden', 'HOV-OOM-1');
    expect(final.status).toBe('accepted');
    const sample = await client.temporal.workflow
      .getHandle(sampleWorkflowId('OOM920', '1'))
      .query(sampleStatusQuery);
    const align = sample.steps.find((s) => s.name === 'align')!;
    expect(align.attempts.map((a) => [a.attempt, a.state, a.resources.memMiB])).toEqual([
      [1, 'OUT_OF_MEMORY', 2048],
      [2, 'OUT_OF_MEMORY', 4096],
      [3, 'COMPLETED', 8192],
    ]);
    expect(align.attempts[0]!.jobId).toBe('job-OOM920-1');
    expect(sample.stage).toBe('done');
  });

  it('records an operator override of the mode', async () => {
    await writeSubmission(root, 'syddanmark', 'RSD-MODE-1', [{ sampleId: 'RSD930' }]);
    const final = await complete('syddanmark', 'RSD-MODE-1', 'partial');
    expect(final).toMatchObject({
      mode: 'partial',
      modeSource: 'operator',
      modeDecidedBy: 'operator:test',
    });
    // Without a submitted alignment, partial aligns the raw reads like full.
    expect(final.samples[0]).toMatchObject({ status: 'done', mode: 'partial' });
    const sample = await client.temporal.workflow
      .getHandle(sampleWorkflowId('RSD930', '1'))
      .query(sampleStatusQuery);
    expect(sample.verdict).toMatchObject({ alignment: 'realigned', variants: 'called' });
  });

  it('sets search attributes so that workflows can be found by region and stage', async () => {
    const found: string[] = [];
    for await (const run of client.temporal.workflow.list({
      query: `Region = 'hovedstaden' AND Stage = 'done'`,
    })) {
      found.push(run.workflowId);
    }
    expect(found).toEqual(
      expect.arrayContaining([sampleWorkflowId('OOM920', '1'), sampleWorkflowId('HOV910', '1')]),
    );
  });
});

describe('ids thrown at the workflows directly', () => {
  it('fails every workflow type on every traversal spelling, writing nothing', async () => {
    // The worker's job watcher renews its lease there every few seconds, whatever else happens.
    const untouched = () => hashTree(root, { skip: ['run/job-watches'] });
    const before = await untouched();
    const starts: { what: string; run: Promise<unknown> }[] = [];
    const start = (what: string, type: string, args: unknown[]) => {
      const workflowId = `hostile-${starts.length}`;
      starts.push({
        what,
        // Settled at once, so that no failure waits unhandled for its turn to be read.
        run: client.temporal.workflow
          .start(type, { workflowId, taskQueue: config.temporal.taskQueue, args })
          .then((handle) => handle.result())
          .then(
            () => null,
            (e: unknown) => e,
          ),
      });
    };
    for (const bad of TRAVERSALS) {
      start(`submission region ${JSON.stringify(bad)}`, 'submissionWorkflow', [
        { region: bad, submissionId: 'S1' },
      ]);
      start(`submission id ${JSON.stringify(bad)}`, 'submissionWorkflow', [
        { region: 'hovedstaden', submissionId: bad },
      ]);
      start(`sample id ${JSON.stringify(bad)}`, 'sampleWorkflow', [
        {
          rerun: {
            sampleId: bad,
            pipelineVersion: '1',
            mode: null,
            campaignId: 'c1',
            campaignWorkflowId: 'campaign:c1',
          },
        },
      ]);
      start(`campaign id ${JSON.stringify(bad)}`, 'campaignWorkflow', [
        {
          campaignId: bad,
          request: {
            name: '',
            pipelineVersion: '1',
            selection: { expression: 'region=hovedstaden' },
            maxConcurrent: 1,
            requestedBy: 'test',
          },
        },
      ]);
      start(`release id ${JSON.stringify(bad)}`, 'frequencyReleaseWorkflow', [
        { releaseId: bad, pipelineVersion: null, requestedBy: 'test' },
      ]);
    }
    const wrong: string[] = [];
    for (const { what, run } of starts) {
      const error = await run;
      const cause = (error as { cause?: unknown } | null)?.cause;
      if (!(cause instanceof ApplicationFailure) || cause.type !== 'INVALID_ID')
        wrong.push(`${what}: ${String(error)}`);
    }
    expect(wrong).toEqual([]);
    expect(await untouched()).toBe(before);
  });
});

describe('samples whose ids exist or are claimed', () => {
  async function registered(sampleId: string, region: string, submissionId: string) {
    await new Catalogue(createLayout(root)).recordVersion(
      { sampleId, region, readType: 'short', consent: { research: true } },
      {
        pipelineVersion: '1',
        mode: 'full',
        status: 'harmonised',
        submissionId,
        workflowId: `sample:${sampleId}:1`,
        publishedAt: new Date().toISOString(),
        dir: path.join(root, 'gdb', 'samples', sampleId, '1'),
        files: {},
        sha256: {},
        verdict: { alignment: 'aligned', variants: 'called', reasons: [] },
      },
    );
  }

  it("rejects another region's id and a region's resubmission; neither runs", async () => {
    await registered('HOV950', 'hovedstaden', 'HOV-FIRST');
    await writeSubmission(root, 'syddanmark', 'RSD-TAKE-1', [{ sampleId: 'HOV950' }]);
    await writeSubmission(root, 'hovedstaden', 'HOV-AGAIN-1', [
      { sampleId: 'HOV950', research: false },
    ]);
    const other = await complete('syddanmark', 'RSD-TAKE-1');
    expect(other.status).toBe('rejected');
    expect(other.samples[0]).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'SAMPLE_ID_CONFLICT' }],
    });
    const again = await complete('hovedstaden', 'HOV-AGAIN-1');
    expect(again.samples[0]).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'SAMPLE_ALREADY_REGISTERED' }],
    });
    expect((await new Catalogue(createLayout(root)).get('HOV950'))!.consent).toEqual({
      research: true,
    });
    expect(stepCalls.filter((c) => c.sampleId === 'HOV950')).toEqual([]);
  });

  it('lets one of two submissions claiming a new id at once run it; the other is told why', async () => {
    await writeSubmission(root, 'syddanmark', 'RSD-RACE-1', [{ sampleId: 'NEW960' }]);
    await writeSubmission(root, 'sjaelland', 'SJA-RACE-1', [{ sampleId: 'NEW960' }]);
    const [a, b] = await Promise.all([
      complete('syddanmark', 'RSD-RACE-1'),
      complete('sjaelland', 'SJA-RACE-1'),
    ]);
    const outcomes = [a, b].map((s) => s.samples[0]!);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['done', 'rejected']);
    expect(outcomes.find((o) => o.status === 'rejected')!.errors[0]!.code).toBe(
      'SAMPLE_ID_CONFLICT',
    );
    expect(stepCalls.filter((c) => c.sampleId === 'NEW960' && c.step === 'align')).toHaveLength(1);
  });
});

describe('a submitted file replaced after intake', () => {
  it('fails its sample with INPUT_CHANGED_AFTER_INTAKE before a job reads it', async () => {
    gate('CHG970');
    const dir = await writeSubmission(root, 'hovedstaden', 'HOV-CHG-1', [{ sampleId: 'CHG970' }]);
    await client.completeSubmission('hovedstaden', 'HOV-CHG-1', { requestedBy: 'test' });
    const sample = client.temporal.workflow.getHandle(sampleWorkflowId('CHG970', '1'));
    await expect
      .poll(async () => (await sample.query(sampleStatusQuery).catch(() => null))?.stage, {
        timeout: 30_000,
      })
      .toBe('align');
    // The region rewrites R2 once intake has checked it (same name, another file).
    const r2 = path.join(dir, 'CHG970', 'CHG970_R2.fastq.gz');
    const content = await fs.readFile(r2);
    await fs.rm(r2);
    await fs.writeFile(r2, content);
    gates.get('CHG970')!();
    const final = await client.waitForSubmission('hovedstaden', 'HOV-CHG-1');
    expect(final.status).toBe('failed');
    expect(final.samples[0]!.errors[0]).toMatchObject({ code: 'INPUT_CHANGED_AFTER_INTAKE' });
    expect(final.samples[0]!.errors[0]!.message).toContain('CHG970/CHG970_R2.fastq.gz');
    // The submitter sees paths relative to the submission, never the server's.
    expect(JSON.stringify(final)).not.toContain(root);
  });
});

describe('a submission of many samples', () => {
  it('runs them all through a window, continuing as new, with the list on disk', async () => {
    const samples = Array.from({ length: 240 }, (_, i) => ({
      sampleId: `BIG${String(i).padStart(4, '0')}`,
    }));
    await writeSubmission(root, 'midtjylland', 'MID-BIG-1', samples);
    const workflowId = submissionWorkflowId('midtjylland', 'MID-BIG-1');
    await client.temporal.workflow.signalWithStart('submissionWorkflow', {
      workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [
        {
          region: 'midtjylland',
          submissionId: 'MID-BIG-1',
          window: 15,
          continueAsNewAfterEvents: 300,
        },
      ],
      signal: 'submissionComplete',
      signalArgs: [{ requestedBy: 'test:midtjylland' }],
    });
    const final = await client.waitForSubmission('midtjylland', 'MID-BIG-1');
    expect(final.status).toBe('accepted');
    expect(final.counts).toMatchObject({ total: 240, done: 240, running: 0, pending: 0 });
    expect(final.samples.map((s) => s.sampleId)).toEqual(samples.map((s) => s.sampleId));
    expect(new Set(final.samples.map((s) => s.status))).toEqual(new Set(['done']));
    // Each sample ran once; the workflow continued as new several times, each run small.
    const aligns = stepCalls.filter((c) => c.sampleId?.startsWith('BIG') && c.step === 'align');
    expect(aligns).toHaveLength(240);
    // Never more than the window of 15 in flight, and more than one at a time.
    expect(bigMostInFlight).toBeLessThanOrEqual(15);
    expect(bigMostInFlight).toBeGreaterThan(1);
    const runs: { runId: string; historyLength: number }[] = [];
    for await (const run of client.temporal.workflow.list({
      query: `WorkflowId = '${workflowId}'`,
    })) {
      runs.push({ runId: run.runId, historyLength: run.historyLength });
    }
    expect(runs.length).toBeGreaterThan(2);
    for (const run of runs) expect(run.historyLength).toBeLessThan(300 + 15 * 12);
    // The list stays on disk: a continued run starts from the intake file and a position in it,
    // and no run's input carries more sample ids than a window's.
    const carriedFiles = new Set<string>();
    for (const run of runs) {
      const history = await client.temporal.workflow
        .getHandle(workflowId, run.runId)
        .fetchHistory();
      const payload =
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
      const text = Buffer.from(payload ?? []).toString('utf8');
      const input = JSON.parse(text) as { carried?: { intakeFile: string } };
      expect(new Set(text.match(/BIG\d{4}/g) ?? []).size).toBeLessThanOrEqual(15);
      if (input.carried) carriedFiles.add(input.carried.intakeFile);
    }
    expect(carriedFiles.size).toBe(1);
    const list = await fs.readFile([...carriedFiles][0]!, 'utf8');
    for (const { sampleId } of samples) expect(list).toContain(sampleId);
  }, 240_000);
});
