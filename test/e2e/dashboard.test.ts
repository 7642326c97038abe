/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core)
 * against `harmonise up`: with a viewer token it shows a running campaign's progress bar moving
 * and a rejected submission's reason, links workflows to the Temporal UI, refuses a submitter's
 * token, and leaves a screenshot in test-artifacts/dashboard.png. It counts genomes, not workflow
 * runs; shows a submission whose validation keeps failing with its age, attempts and failure; and
 * when the worker stops, keeps listing a campaign that cannot answer (marked, with its last known
 * progress) and says that no worker polls.
 */
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogue } from '../../src/demo/seed-catalogue.ts';
import { apiRoutes } from '../../src/api/server.ts';
import type { HarmoniseClient } from '../../src/client.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import {
  BIN,
  cliEnv,
  cliTemporalConnection,
  harmonise,
  startStack,
  type CliEnv,
} from '../helpers/cli.ts';
import { writeSubmission } from '../helpers/inbox.ts';
import { isAlive } from '../helpers/processes.ts';

const CHROMIUM = process.env.HARMONISE_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(PROJECT_ROOT, 'test-artifacts', 'dashboard.png');

let cli: CliEnv;
let root: string;
let api: string;
let tokens: Record<string, string>;
let workerPid: number;
let browser: Browser;
let connection: Connection;
let temporal: Client;

interface Dashboard {
  generatedAt: string;
  health: {
    temporal: boolean;
    worker: { polling: boolean; taskQueue: string; workflowPollers: number } | null;
  };
  campaigns: {
    campaignId: string;
    state: string;
    counts: { total: number; done: number; running: number };
    progressUnavailable?: string;
    progressAsOf?: string | null;
  }[];
  submissions: {
    workflowId: string;
    status: string;
    receivedAt: string;
    pendingActivities?: { activity: string; attempt: number; lastFailure: string | null }[];
  }[];
  samplesByStage: Record<string, number>;
  runsByStage: Record<string, number>;
  samplesByStageComplete: boolean;
}

const dashboardSpec = apiRoutes({} as HarmoniseClient).find((s) => s.url === '/api/v1/dashboard')!;

/** The dashboard's data as the page reads it, checked against its documented schema. */
async function dashboard(): Promise<Dashboard> {
  const response = await fetch(`${api}/api/v1/dashboard`, {
    headers: { authorization: `Bearer ${tokens.viewer}` },
  });
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  const parsed = dashboardSpec.response.safeParse(body);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return body as Dashboard;
}

async function get(token: string, url: string) {
  const response = await fetch(`${api}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function post(token: string, url: string, body: unknown) {
  const response = await fetch(`${api}${url}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function startCampaign(name: string, expression: string, maxConcurrent: number) {
  const campaign = await post(tokens.operator!, '/api/v1/campaigns', {
    name,
    pipelineVersion: 'noop',
    selection: { expression },
    maxConcurrent,
  });
  expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
  return campaign.body.campaignId as string;
}

async function campaignEnds(campaignId: string): Promise<void> {
  await expect
    .poll(async () => (await get(tokens.viewer!, `/api/v1/campaigns/${campaignId}`)).body.state, {
      timeout: 90_000,
      interval: 500,
    })
    .toBe('completed');
}

async function openDashboard(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${api}/#token=${tokens.viewer}`);
  await page.locator('#content').waitFor({ state: 'visible', timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-dashboard-'));
  cli = await cliEnv(root);
  await seedCatalogue({ dataRoot: root, samples: 30, regions: ['syddanmark'], perSubmission: 30 });
  // Three genomes of their own region, for counting genomes against workflow runs.
  await seedCatalogue({
    dataRoot: root,
    samples: 3,
    regions: ['nordjylland'],
    perSubmission: 3,
    prefix: 'DBL',
  });
  await writeSubmission(root, 'hovedstaden', 'HOV-BAD-1', [
    { sampleId: 'HOVBAD1', corruptChecksum: true },
  ]);
  ({ api, workerPid, tokens } = await startStack(cli));
  connection = await Connection.connect(cliTemporalConnection(cli));
  temporal = new Client({ connection });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await connection?.close();
  const down = await harmonise(cli, ['down']);
  expect(down.exitCode).toBe(0);
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

/** With the worker stopped: the campaign stays listed, marked; the health says none polls. */
async function withoutWorker(
  campaignId: string,
  known: Dashboard['campaigns'][number],
  page: Page,
) {
  const listed = async () => (await dashboard()).campaigns.find((c) => c.campaignId === campaignId);
  process.kill(workerPid, 'SIGTERM');
  await expect.poll(() => isAlive(workerPid), { timeout: 60_000 }).toBe(false);

  // Its campaign no longer answers: still listed, with the progress it last answered.
  await expect
    .poll(async () => (await listed())?.progressUnavailable, { timeout: 60_000 })
    .toMatch(/did not answer/);
  const unavailable = (await listed())!;
  expect(unavailable.counts).toEqual(known.counts);
  expect(unavailable.state).toBe('paused');
  expect(unavailable.progressAsOf).toEqual(expect.any(String));
  const marker = page.locator(`[data-unavailable="${campaignId}"]`);
  await expect.poll(() => marker.count(), { timeout: 30_000 }).toBe(1);
  expect(await marker.innerText()).toMatch(/^progress unavailable: .*did not answer/);
  expect(await page.locator(`progress[data-campaign="${campaignId}"]`).getAttribute('max')).toBe(
    String(known.counts.total),
  );

  // Temporal lists a stopped worker's pollers for minutes: the dashboard goes by their age.
  await expect
    .poll(async () => (await dashboard()).health.worker?.polling, {
      timeout: 150_000,
      interval: 2_000,
    })
    .toBe(false);
  await expect
    .poll(() => page.locator('#health-worker').innerText(), { timeout: 30_000 })
    .toMatch(/^worker: none polling task queue harmonise \(last poll .*\): nothing progresses/);
  const health = await fetch(`${api}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({
    status: 'ok',
    temporal: true,
    worker: { taskQueue: 'harmonise', polling: false, lastPollAt: expect.any(String) },
  });

  // A new API process knows no earlier answer: the campaign's progress is pieced together from
  // Temporal's records and its files, still marked.
  const apiPid = (
    JSON.parse(await fs.readFile(path.join(root, 'run', 'api.pid'), 'utf8')) as { pid: number }
  ).pid;
  process.kill(apiPid, 'SIGTERM');
  await expect.poll(() => isAlive(apiPid), { timeout: 30_000 }).toBe(false);
  // Meanwhile the page keeps what it had and says since when.
  await expect
    .poll(() => page.locator('#updated').innerText(), { timeout: 30_000 })
    .toMatch(/^last refreshed .* ago\); refreshing fails now$/);
  expect(await page.locator('#health-temporal').innerText()).toBe('API: not answering');
  expect(await page.locator(`[data-unavailable="${campaignId}"]`).count()).toBe(1);
  const fresh = execa(process.execPath, [BIN, 'api'], { env: cli.env, reject: false });
  try {
    await expect
      .poll(
        async () =>
          fetch(`${api}/healthz`)
            .then((r) => r.json() as Promise<{ pid: number }>)
            .then((b) => b.pid)
            .catch(() => null),
        { timeout: 60_000 },
      )
      .toBe(fresh.pid);
    const pieced = (await listed())!;
    expect(pieced).toMatchObject({
      state: 'paused',
      progressUnavailable: expect.stringMatching(/did not answer/),
      progressAsOf: null,
    });
    // Paused with nothing in flight: Temporal's records of its children give the same counts.
    expect(pieced.counts).toMatchObject({
      total: known.counts.total,
      done: known.counts.done,
      running: 0,
    });
    await expect
      .poll(() => page.locator(`[data-unavailable="${campaignId}"]`).innerText(), {
        timeout: 30_000,
      })
      .toMatch(/counts from its records and files/);
  } finally {
    fresh.kill('SIGTERM');
    await fresh;
  }
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('the dashboard', () => {
  // First in the file: it counts every sample workflow there is, and none has run before it.
  it('counts each genome once, in the state of its latest run, and the runs apart', async () => {
    const before = await dashboard();
    expect(sum(before.runsByStage)).toBe(0);
    expect(sum(before.samplesByStage)).toBe(0);

    // One genome's file differs from what its submission listed: the first pass rejects it.
    const file = path.join(root, 'inbox', 'nordjylland', 'seed-0000', 'DBL000000_R1.fastq.gz');
    const original = path.join(root, 'inbox', 'nordjylland', 'seed-0000', 'DBL000001_R1.fastq.gz');
    await fs.rm(file);
    await fs.writeFile(file, gzipSync('@changed/1\nACGT\n+\nIIII\n'));
    await campaignEnds(await startCampaign('first pass', 'region=nordjylland', 3));
    const zero = { preparing: 0, planning: 0, running: 0, failed: 0, cancelled: 0 };
    const counted = async () => {
      const data = await dashboard();
      return {
        complete: data.samplesByStageComplete,
        samples: data.samplesByStage,
        runs: data.runsByStage,
      };
    };
    await expect.poll(counted).toEqual({
      complete: true,
      samples: { ...zero, done: 2, rejected: 1 },
      runs: { ...zero, done: 2, rejected: 1 },
    });
    // Put right, it runs again (the others are done with this pipeline and are left out): the
    // same workflow id, a second run, now done.
    await fs.rm(file);
    await fs.link(original, file);
    await campaignEnds(await startCampaign('second pass', 'region=nordjylland', 3));

    // Counted from the runs that closed since the last look, not from all of them again.
    await expect.poll(counted).toEqual({
      complete: true,
      samples: { ...zero, done: 3, rejected: 0 },
      runs: { ...zero, done: 3, rejected: 1 },
    });

    const page = await openDashboard();
    await expect
      .poll(() => page.locator('#stages tbody tr', { hasText: /^done/ }).innerText())
      .toMatch(/^done\s+3\s+3$/);
    expect(await page.locator('#stages tbody tr', { hasText: /^rejected/ }).innerText()).toMatch(
      /^rejected\s+0\s+1$/,
    );
    expect(await page.locator('#stages thead').innerText()).toMatch(/genomes\s+workflow runs/);
    await page.close();
  }, 240_000);

  it('shows a campaign’s progress and a rejected submission’s reason to a viewer', async () => {
    const signalled = await post(
      tokens['submitter:hovedstaden']!,
      '/api/v1/submissions/hovedstaden/HOV-BAD-1/complete',
      {},
    );
    expect(signalled.status).toBe(202);
    const campaignId = await startCampaign('dashboard', 'region=syddanmark', 2);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${api}/#token=${tokens.viewer}`);
    // The token leaves the address bar once the page has it.
    await expect.poll(() => page.url()).toBe(`${api}/`);
    const bar = page.locator(`progress[data-campaign="${campaignId}"]`);
    await bar.waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => Number(await bar.getAttribute('value')), { timeout: 60_000 })
      .toBeGreaterThan(0);
    expect(await bar.getAttribute('max')).toBe('30');
    const submission = page.locator('#submissions tr', { hasText: 'hovedstaden/HOV-BAD-1' });
    await expect
      .poll(async () => submission.innerText(), { timeout: 60_000 })
      .toMatch(/rejected[\s\S]*HOVBAD1/);
    expect(await submission.innerText()).toMatch(/checksum|md5/i);
    const link = page.locator('#campaigns a', { hasText: campaignId });
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`/namespaces/default/workflows/campaign%3A${campaignId}$`),
    );
    expect(await page.locator('#stages').innerText()).toMatch(/done\s+\d+/);
    expect(await page.locator('#health-temporal').innerText()).toBe('Temporal: answers');
    expect(await page.locator('#updated').innerText()).toMatch(/^last refreshed /);
    await fs.mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await fs.stat(SCREENSHOT)).size).toBeGreaterThan(10_000);
    await page.close();
    await post(tokens.operator!, `/api/v1/campaigns/${campaignId}/cancel`, {});
  });

  it('shows a submission whose validation keeps failing: its age, attempts and failure', async () => {
    await writeSubmission(root, 'hovedstaden', 'HOV-STUCK-1', [{ sampleId: 'HOVSTUCK1' }]);
    // Where validation writes the submission's run folder, a file: every attempt fails.
    const blocker = path.join(root, 'gdb', 'submissions', 'hovedstaden', 'HOV-STUCK-1');
    await fs.mkdir(path.dirname(blocker), { recursive: true });
    await fs.writeFile(blocker, 'not a folder\n');
    const workflowId = 'submission:hovedstaden:HOV-STUCK-1';
    try {
      const signalled = await post(
        tokens['submitter:hovedstaden']!,
        '/api/v1/submissions/hovedstaden/HOV-STUCK-1/complete',
        {},
      );
      expect(signalled.status).toBe(202);

      const stuck = async () =>
        (await dashboard()).submissions.find((s) => s.workflowId === workflowId);
      await expect
        .poll(async () => (await stuck())?.pendingActivities?.[0]?.attempt ?? 0, {
          timeout: 60_000,
        })
        .toBeGreaterThan(1);
      const data = await dashboard();
      const shown = data.submissions.find((s) => s.workflowId === workflowId)!;
      expect(shown.status).toBe('validating');
      expect(shown.pendingActivities![0]!.activity).toBe('validateSubmission');
      expect(shown.pendingActivities![0]!.lastFailure).toMatch(/not a directory/);
      // The submitter's view: no path of the server.
      expect(shown.pendingActivities![0]!.lastFailure).not.toContain(root);
      // Its age runs from when the workflow received it.
      expect(Date.parse(shown.receivedAt)).toBeLessThan(Date.parse(data.generatedAt));

      // The region's own pipeline sees the same in the submission's status.
      const status = await get(
        tokens['submitter:hovedstaden']!,
        '/api/v1/submissions/hovedstaden/HOV-STUCK-1',
      );
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        status: 'validating',
        receivedAt: shown.receivedAt,
        pendingActivities: [
          {
            activity: 'validateSubmission',
            attempt: expect.any(Number),
            lastFailure: expect.stringMatching(/not a directory/),
          },
        ],
      });
      const cli_ = await harmonise(cli, ['submission', 'status', 'hovedstaden', 'HOV-STUCK-1']);
      expect(cli_.stdout).toMatch(
        /waiting on validateSubmission \(\w+\), attempt \d+; last failure: .*not a directory/,
      );

      const page = await openDashboard();
      const row = page.locator('#submissions tbody tr', { hasText: 'hovedstaden/HOV-STUCK-1' });
      await expect
        .poll(() => row.innerText(), { timeout: 30_000 })
        .toMatch(/validating\s+\d+ (s|min|h)[\s\S]*validateSubmission[\s\S]*attempt [2-9]/);
      expect(await row.innerText()).toMatch(/last failure: .*not a directory/);
      // Live submissions come first: this one cannot scroll away behind finished ones.
      expect(await page.locator('#submissions tbody tr').first().innerText()).toContain(
        'hovedstaden/HOV-STUCK-1',
      );
      await page.close();
    } finally {
      await temporal.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
  });

  it('keeps listing a campaign that cannot answer, and says when no worker polls', async () => {
    const campaignId = await startCampaign('held', 'region=syddanmark', 1);
    // Only a running campaign pauses (not one still resolving its selection).
    await expect
      .poll(async () => (await get(tokens.viewer!, `/api/v1/campaigns/${campaignId}`)).body.state)
      .toBe('running');
    const paused = await post(tokens.operator!, `/api/v1/campaigns/${campaignId}/pause`, {});
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    const listed = async () =>
      (await dashboard()).campaigns.find((c) => c.campaignId === campaignId);
    // Paused, and the sample it had started has finished: its progress stands still.
    await expect
      .poll(
        async () => {
          const c = await listed();
          return c && { state: c.state, running: c.counts.running };
        },
        { timeout: 60_000 },
      )
      .toEqual({ state: 'paused', running: 0 });
    const known = (await listed())!;
    expect(known.progressUnavailable).toBeUndefined();

    const page = await openDashboard();
    await expect
      .poll(() => page.locator('#health-worker').getAttribute('data-polling'))
      .toBe('true');
    expect(await page.locator('#health-worker').innerText()).toMatch(
      /^worker: polling task queue harmonise/,
    );

    // The worker stops (this test's own `up` started it); `up` brings back whatever is missing.
    try {
      await withoutWorker(campaignId, known, page);
    } finally {
      const up = await harmonise(cli, ['up', '--json']);
      expect(up.exitCode, up.stderr).toBe(0);
      workerPid = (JSON.parse(up.stdout) as { worker: { pid: number } }).worker.pid;
    }
    // The campaign answers again, and a worker polls.
    await expect
      .poll(async () => (await dashboard()).health.worker?.polling, { timeout: 60_000 })
      .toBe(true);
    await expect
      .poll(async () => (await listed())?.progressUnavailable, { timeout: 60_000 })
      .toBeUndefined();
    await expect
      .poll(() => page.locator('#health-worker').getAttribute('data-polling'), {
        timeout: 30_000,
      })
      .toBe('true');
    await page.close();
    await post(tokens.operator!, `/api/v1/campaigns/${campaignId}/cancel`, {});
  }, 400_000);

  it('asks for another token when given one that may not read it', async () => {
    const page = await browser.newPage();
    await page.goto(`${api}/#token=${tokens['submitter:hovedstaden']}`);
    await expect.poll(() => page.locator('#error').innerText()).toMatch(/may not read/);
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#content').isVisible()).toBe(false);
    await page.close();
  });
});
