/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core)
 * against `harmonise up`: with a viewer token it shows a running campaign's progress bar moving
 * and a rejected submission's reason, links workflows to the Temporal UI, refuses a submitter's
 * token, and leaves a screenshot in test-artifacts/dashboard.png.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogue } from '../../infra/demo/seed-catalogue.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import { cliEnv, harmonise, type CliEnv } from '../helpers/cli.ts';
import { writeSubmission } from '../helpers/inbox.ts';

const CHROMIUM = process.env.HARMONISE_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(PROJECT_ROOT, 'test-artifacts', 'dashboard.png');

let cli: CliEnv;
let root: string;
let api: string;
let tokens: Record<string, string>;
let browser: Browser;

async function post(token: string, url: string, body: unknown) {
  const response = await fetch(`${api}${url}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-dashboard-'));
  cli = await cliEnv(root);
  await seedCatalogue({ dataRoot: root, samples: 30, regions: ['syddanmark'], perSubmission: 30 });
  await writeSubmission(root, 'hovedstaden', 'HOV-BAD-1', [
    { sampleId: 'HOVBAD1', corruptChecksum: true },
  ]);
  const up = await harmonise(cli, ['up', '--json']);
  expect(up.exitCode, up.stderr).toBe(0);
  const result = JSON.parse(up.stdout) as { api: string; tokensFile: string };
  api = result.api;
  tokens = JSON.parse(await fs.readFile(result.tokensFile, 'utf8')) as Record<string, string>;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  const down = await harmonise(cli, ['down']);
  expect(down.exitCode).toBe(0);
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

describe('the dashboard', () => {
  it('shows a campaign’s progress and a rejected submission’s reason to a viewer', async () => {
    const signalled = await post(
      tokens['submitter:hovedstaden']!,
      '/api/v1/submissions/hovedstaden/HOV-BAD-1/complete',
      {},
    );
    expect(signalled.status).toBe(202);
    const campaign = await post(tokens.operator!, '/api/v1/campaigns', {
      name: 'dashboard',
      pipelineVersion: 'noop',
      selection: { expression: 'region=syddanmark' },
      maxConcurrent: 2,
    });
    expect(campaign.status).toBe(201);
    const campaignId = campaign.body.campaignId as string;

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
    await fs.mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await fs.stat(SCREENSHOT)).size).toBeGreaterThan(10_000);
    await page.close();
    await post(tokens.operator!, `/api/v1/campaigns/${campaignId}/cancel`, {});
  });

  it('asks for another token when given one that may not read it', async () => {
    const page = await browser.newPage();
    await page.goto(`${api}/#token=${tokens['submitter:hovedstaden']}`);
    await expect.poll(() => page.locator('#error').innerText()).toMatch(/may not read/);
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#content').isVisible()).toBe(false);
    await page.close();
  });
});
