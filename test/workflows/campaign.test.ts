/**
 * Campaigns on the real Temporal dev server with the real activities and the local executor,
 * over a seeded catalogue, with benchmark pipelines whose jobs only sleep: the window, pause,
 * resume, set-concurrency, cancel (children and their job processes), continue-as-new, the
 * progress query, search attributes, the report, and a second start skipping what is done.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogue } from '../../src/demo/seed-catalogue.ts';
import { HarmoniseClient } from '../../src/client.ts';
import { loadConfig, PROJECT_ROOT, type Config } from '../../src/config.ts';
import {
  finishedCount,
  type CampaignProgress,
  type CampaignReport,
} from '../../src/domain/campaign.ts';
import { Catalogue } from '../../src/store/catalogue.ts';
import { createLayout } from '../../src/store/layout.ts';
import { createHarmoniseWorker, type HarmoniseWorker } from '../../src/worker.ts';
import { isAlive, processGroup } from '../helpers/processes.ts';
import { testLogger } from '../helpers/logger.ts';
import { waitFor } from '../helpers/wait.ts';
import { startTestTemporal, TEMPORAL_CLI, type TestTemporal } from '../helpers/temporal.ts';

let temporal: TestTemporal;
let root: string;
let config: Config;
let worker: HarmoniseWorker;
let running: Promise<void>;
let client: HarmoniseClient;

/**
 * Benchmark pipelines by version: how long each of their jobs sleeps. The sleeps are the point:
 * `short` jobs are still running when a test pauses, `long` ones until a test cancels them.
 */
const PIPELINES = { noop: 0, short: 1, long: 300 } as const;

async function writePipelines(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const national = await fs.readFile(path.join(PROJECT_ROOT, 'pipelines/1.json'), 'utf8');
  await fs.writeFile(path.join(dir, '1.json'), national);
  const base = JSON.parse(
    await fs.readFile(path.join(PROJECT_ROOT, 'pipelines/noop.json'), 'utf8'),
  ) as Record<string, unknown>;
  for (const [version, sleepSeconds] of Object.entries(PIPELINES)) {
    const spec = { ...base, version, noop: { sleepSeconds } };
    await fs.writeFile(path.join(dir, `${version}.json`), JSON.stringify(spec));
  }
}

beforeAll(async () => {
  temporal = await startTestTemporal();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-campaign-'));
  await writePipelines(path.join(root, 'pipelines'));
  await seedCatalogue({
    dataRoot: root,
    samples: 60,
    regions: ['hovedstaden', 'syddanmark', 'midtjylland'],
    perSubmission: 10,
    pipelinesDir: path.join(root, 'pipelines'),
  });
  config = loadConfig({
    HARMONISE_DATA: root,
    HARMONISE_PIPELINES: path.join(root, 'pipelines'),
    ...temporal.env,
    HARMONISE_TASK_QUEUE: 'campaign-tests',
    HARMONISE_LOCAL_CPUS: '64',
    HARMONISE_POLL_INTERVAL_MS: '200',
  });
  worker = await createHarmoniseWorker(config, testLogger);
  running = worker.worker.run();
  client = await HarmoniseClient.connect(config);
}, 120_000);

afterAll(async () => {
  await client?.close();
  await worker?.shutdown();
  await running?.catch(() => undefined);
  await temporal?.stop();
  if (root && !process.env.HARMONISE_KEEP_TEST_DATA)
    await fs.rm(root, { recursive: true, force: true });
});

/** Polls the progress until `done` holds, checking on every look that the counts add up. */
async function watch(
  campaignId: string,
  done: (p: CampaignProgress) => boolean,
  seen: CampaignProgress[] = [],
  timeoutMs = 120_000,
): Promise<CampaignProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await client.campaignProgress(campaignId);
    if (p === null) throw new Error(`no campaign ${campaignId}`);
    const { counts } = p;
    expect(counts.pending + counts.running + finishedCount(counts)).toBe(counts.total);
    expect(counts.running).toBeLessThanOrEqual(p.maxConcurrent);
    seen.push(p);
    if (done(p)) return p;
    if (Date.now() > deadline)
      throw new Error(`campaign ${campaignId} stuck: ${JSON.stringify(p)}`);
    await sleep(150);
  }
}

/** Workflows of this campaign (its own runs and its samples) still running. */
async function runningOf(campaignId: string): Promise<number> {
  const query = `CampaignId='${campaignId}' AND ExecutionStatus='Running'`;
  return (await client.temporal.workflow.count(query)).count;
}

async function readReport(progress: CampaignProgress): Promise<CampaignReport> {
  expect(progress.reportFile).toBeTruthy();
  return JSON.parse(await fs.readFile(progress.reportFile!, 'utf8')) as CampaignReport;
}

async function listByCampaign(campaignId: string): Promise<string[]> {
  const { stdout } = await execa(TEMPORAL_CLI, [
    'workflow',
    'list',
    ...temporal.cliFlags,
    '--query',
    `CampaignId='${campaignId}'`,
    '--output',
    'json',
  ]);
  const rows = JSON.parse(stdout || '[]') as { execution: { workflowId: string } }[];
  return rows.map((r) => r.execution.workflowId);
}

describe('campaignWorkflow', () => {
  it('reruns a selection in a window across continue-as-new, losing no sample, and reports', async () => {
    // One sample's file changed in the inbox since it was harmonised: it is rejected.
    const changed = path.join(
      createLayout(root).submissionDir('hovedstaden', 'seed-0000'),
      'NGC000003_R1.fastq.gz',
    );
    await fs.rm(changed);
    await fs.writeFile(changed, 'changed');
    // Another's earlier provenance is gone: it cannot be compared, so it is rejected too.
    await fs.rm(path.join(createLayout(root).sampleDir('NGC000005', '1'), 'provenance.json'));
    const { campaignId } = await client.startCampaign(
      {
        name: 'rerun hovedstaden',
        pipelineVersion: 'noop',
        selection: { expression: 'region=hovedstaden,pipelineVersion!=noop' },
        maxConcurrent: 4,
        requestedBy: 'test',
      },
      { continueAsNewAfterEvents: 60 },
    );
    const seen: CampaignProgress[] = [];
    const final = await client.waitForCampaign(campaignId);
    await watch(campaignId, (p) => p.state === 'completed', seen);
    expect(final.state).toBe('completed');
    expect(final.counts).toMatchObject({
      total: 20,
      pending: 0,
      running: 0,
      done: 18,
      rejected: 2,
      failed: 0,
    });
    expect(final.run).toBeGreaterThan(1);

    const report = await readReport(final);
    expect(report.samples).toHaveLength(20);
    expect(new Set(report.samples.map((s) => s.sampleId)).size).toBe(20);
    expect(report.failures).toMatchObject([
      { sampleId: 'NGC000003', status: 'rejected', errors: [{ code: 'FILE_CHECKSUM_MISMATCH' }] },
      { sampleId: 'NGC000005', status: 'rejected', errors: [{ code: 'RERUN_PROVENANCE_MISSING' }] },
    ]);
    expect(report.failures[1]!.errors[0]!.message).toMatch(
      /^NGC000005 cannot be rerun from its pipeline 1 version: \S+\/gdb\/samples\/NGC000005\/1\/provenance\.json does not exist/,
    );

    const catalogue = new Catalogue(createLayout(root));
    for (const outcome of report.samples) {
      const record = await catalogue.get(outcome.sampleId);
      expect(record?.region).toBe('hovedstaden');
      expect(record?.versions.noop?.status).toBe(
        ['NGC000003', 'NGC000005'].includes(outcome.sampleId) ? undefined : 'benchmark',
      );
    }

    // Every child carries the campaign's search attribute (so do the campaign's runs).
    const expected = [
      `campaign:${campaignId}`,
      ...report.samples.map((s) => `sample:${s.sampleId}:noop`),
    ].sort();
    await expect
      .poll(async () => [...new Set(await listByCampaign(campaignId))].sort(), { timeout: 30_000 })
      .toEqual(expected);

    // Starting the same selection again runs only what is not done: the rejected samples.
    const again = await client.startCampaign({
      pipelineVersion: 'noop',
      selection: { expression: 'region=hovedstaden' },
      requestedBy: 'test',
    });
    const second = await client.waitForCampaign(again.campaignId);
    expect(second.alreadyDone).toBe(18);
    expect(second.counts).toMatchObject({ total: 2, rejected: 2 });
    expect(second.state).toBe('completed');
  });

  it('pauses new starts, resumes, and widens the window when told', async () => {
    const { campaignId } = await client.startCampaign({
      pipelineVersion: 'short',
      selection: { expression: 'region=syddanmark' },
      maxConcurrent: 2,
      requestedBy: 'test',
    });
    await watch(campaignId, (p) => p.counts.running === 2);
    const paused = await client.controlCampaign(campaignId, 'pause', 'test');
    expect(paused.state).toBe('paused');
    // The running samples finish; nothing new starts while paused. Each finish woke the
    // campaign and it started nothing; one more message, handled while paused, wakes it again.
    const drained = await watch(campaignId, (p) => p.counts.running === 0);
    expect(drained.counts.pending).toBeGreaterThan(0);
    const nudged = await client.controlCampaign(campaignId, { maxConcurrent: 2 }, 'test');
    expect(nudged.state).toBe('paused');
    const still = await client.campaignProgress(campaignId);
    expect(still?.counts.pending).toBe(drained.counts.pending);
    expect(still?.counts.running).toBe(0);

    await client.controlCampaign(campaignId, 'resume', 'test');
    const widened = await client.controlCampaign(campaignId, { maxConcurrent: 6 }, 'test');
    expect(widened.maxConcurrent).toBe(6);
    const seen: CampaignProgress[] = [];
    const final = await watch(campaignId, (p) => p.state === 'completed', seen);
    expect(Math.max(...seen.map((p) => p.counts.running))).toBeGreaterThan(2);
    expect(final.counts).toMatchObject({ total: 20, done: 20, running: 0, pending: 0 });
    // A rate is reported; how fast is the campaign benchmark's business, not a test's.
    expect(final.samplesPerSecond).toEqual(expect.any(Number));

    await expect(
      client.controlCampaign(campaignId, { maxConcurrent: 0 }, 'test'),
    ).rejects.toThrow();
  });

  it('cancels running children and their jobs, starts no more, and reports', async () => {
    const { campaignId } = await client.startCampaign({
      pipelineVersion: 'long',
      selection: { expression: 'region=midtjylland' },
      maxConcurrent: 3,
      requestedBy: 'test',
    });
    await watch(campaignId, (p) => p.counts.running === 3);
    const jobsOf = () => ledgerJobs(':long/');
    await expect.poll(async () => (await jobsOf()).length, { timeout: 30_000 }).toBe(3);
    const jobs = await jobsOf();
    for (const job of jobs) expect(isAlive(job.pid)).toBe(true);

    const cancelling = await client.controlCampaign(campaignId, 'cancel', 'test');
    expect(['cancelling', 'cancelled']).toContain(cancelling.state);
    const final = await client.waitForCampaign(campaignId);
    expect(final.state).toBe('cancelled');
    expect(final.counts).toMatchObject({ total: 20, cancelled: 3, running: 0, pending: 17 });
    // The children ended only after their jobs were cancelled: every process of each job goes.
    await waitFor(() => jobs.every((job) => processGroup(job.pid).length === 0), {
      what: `every process of the cancelled jobs (groups ${jobs.map((j) => j.pid).join(', ')}) to be gone`,
      timeoutMs: 10_000,
    });
    const report = await readReport(final);
    expect(report.failures.map((f) => f.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // No job of a cancelled campaign starts afterwards: once none of its sample workflows runs
    // and the worker runs no activity, nothing is left that could start one.
    await waitFor(
      async () =>
        worker.worker.getStatus().numInFlightActivities === 0 &&
        (await runningOf(campaignId)) === 0,
      { what: `campaign ${campaignId}'s workflows and activities to end`, timeoutMs: 60_000 },
    );
    expect(await jobsOf()).toHaveLength(3);
    await expect(client.controlCampaign(campaignId, 'resume', 'test')).rejects.toThrow(/ended/);
  });

  it('leaves no campaign folder behind when Temporal refuses to start the campaign', async () => {
    const file = path.join(root, 'refused.txt');
    await fs.writeFile(file, 'NGC000001\n');
    const campaigns = path.join(root, 'gdb', 'campaigns');
    const before = await fs.readdir(campaigns).catch(() => []);
    const elsewhere = await HarmoniseClient.connect({
      ...config,
      temporal: { ...config.temporal, namespace: 'no-such-namespace' },
    });
    try {
      await expect(
        elsewhere.startCampaign({
          pipelineVersion: 'long',
          selection: { samplesFile: file },
          requestedBy: 'test',
        }),
      ).rejects.toThrow(/no-such-namespace/);
    } finally {
      await elsewhere.close();
    }
    expect(await fs.readdir(campaigns).catch(() => [])).toEqual(before);
  });

  it('finds a sample whose workflow was terminated by hand, without its report', async () => {
    const file = path.join(root, 'two.txt');
    await fs.writeFile(file, 'NGC000001\nNGC000002\n');
    const { campaignId } = await client.startCampaign(
      {
        pipelineVersion: 'long',
        selection: { samplesFile: file },
        maxConcurrent: 2,
        requestedBy: 'test',
      },
      { checkSilenceAfterSeconds: 3 },
    );
    await watch(campaignId, (p) => p.counts.running === 2);
    // The campaign counts a sample as running once it asks for the child; the child exists a
    // moment later, when the server has started it.
    const child = client.temporal.workflow.getHandle('sample:NGC000001:long');
    await waitFor(
      () =>
        child.describe().then(
          () => true,
          () => false,
        ),
      {
        what: 'the sample workflow to be started',
      },
    );
    await child.terminate('an operator ended it by hand');
    const found = await watch(campaignId, (p) => p.counts.failed === 1, [], 60_000);
    expect(found.counts).toMatchObject({ running: 1, failed: 1 });
    await client.controlCampaign(campaignId, 'cancel', 'test');
    const final = await client.waitForCampaign(campaignId);
    const report = await readReport(final);
    expect(report.failures).toMatchObject([
      { sampleId: 'NGC000001', status: 'failed', errors: [{ code: 'SAMPLE_ENDED_UNREPORTED' }] },
      { sampleId: 'NGC000002', status: 'cancelled' },
    ]);
    expect(report.failures[0]!.errors[0]!.message).toMatch(/TERMINATED/);
    // Termination does not cancel jobs (cancel does): stop the orphan this test made.
    for (const { pid } of await ledgerJobs('sample:NGC000001:long/'))
      if (isAlive(pid)) process.kill(-pid, 'SIGKILL');
  });
});

/** Local job starts from the executor's ledger whose key contains `part`. */
async function ledgerJobs(part: string): Promise<{ key: string; pid: number }[]> {
  return (await fs.readFile(createLayout(root).localJobLedger, 'utf8'))
    .split('\n')
    .filter((line) => line.includes(part))
    .map((line) => JSON.parse(line) as { key: string; pid: number });
}
