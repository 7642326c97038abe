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
import type { RunStepInput, StepResult } from '../../src/activities/jobs.ts';
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
import { hashTree, writeSubmission } from '../helpers/inbox.ts';
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

function gate(sampleId: string): void {
  gated.set(sampleId, new Promise<void>((resolve) => gates.set(sampleId, resolve)));
}

const fakeActivities = {
  planSampleWork(input: PlanSampleInput) {
    return Promise.resolve(planSample({ ...input, pipeline, springAvailable: false }));
  },
  async runStep(input: RunStepInput): Promise<StepResult> {
    stepCalls.push(input);
    const id = input.sampleId ?? '';
    if (input.step === 'align') await gated.get(id);
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
      key: `${input.workflowId}/${input.step}/${input.attempt}`,
      jobId: `job-${id}-${input.step}-${input.attempt}`,
      executor: 'local',
      state: 'COMPLETED',
      workDir: `/fake/${id}`,
      outputs,
      resources: input.resources,
      toolVersions: {},
      commands: [],
      submittedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
    };
  },
  registerSample(input: RegisterSampleInput): Promise<SampleVersion> {
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
  config = loadConfig({
    HARMONISE_DATA: root,
    HARMONISE_TEMPORAL_ADDRESS: temporal.address,
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
