/**
 * The HTTP API started by `harmonise up`, as its callers use it: every route × every kind of
 * caller (no token, a bad token, each role, another region's submitter). Refused requests get
 * 401 or 403 and change nothing (workflows, catalogue, campaigns, releases, audit log); allowed
 * ones succeed with an answer that matches the route's documented schema; operator actions are
 * in the audit log; bad input is a 400 naming the field.
 */
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogue } from '../../src/demo/seed-catalogue.ts';
import { hashToken } from '../../src/api/auth.ts';
import { apiRoutes } from '../../src/api/server.ts';
import type { HarmoniseClient } from '../../src/client.ts';
import { readAudit } from '../../src/store/audit.ts';
import { createNamedToken, namedTokensFile } from '../../src/store/named-tokens.ts';
import {
  cliEnv,
  cliTemporalConnection,
  harmonise,
  startStack,
  type CliEnv,
} from '../helpers/cli.ts';
import {
  FIXTURE_REGIONS,
  FIXTURE_RELEASE_ID,
  FIXTURE_VARIANTS,
  writeReleaseFixture,
} from '../helpers/release-fixture.ts';

let cli: CliEnv;
let root: string;
let api: string;
let tokens: Record<string, string>;
/** Named tokens: a department's reader, and one past its expiry. */
const named = { reader: '', expired: '' };
let temporal: Client;
let connection: Connection;

const REGIONS = ['hovedstaden', 'syddanmark'];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-api-'));
  cli = await cliEnv(root);
  cli.env.HARMONISE_REGIONS = REGIONS.join(',');
  // A reader gets a burst of 60, then one request a second: the rate-limit test goes past it.
  cli.env.HARMONISE_API_READER_RATE = '1';
  cli.env.HARMONISE_API_READER_BURST = '60';
  await seedCatalogue({ dataRoot: root, samples: 40, regions: REGIONS, perSubmission: 20 });
  await writeReleaseFixture(root);
  const started = await startStack(cli);
  ({ api, tokens } = started);
  // A department's token, made as an operator makes one, and one that expired long ago.
  const made = await harmonise(
    cli,
    ['token', 'create', '--role', 'frequency-reader', '--name', 'klinisk-genetik-ouh', '--json'],
    { HARMONISE_TOKEN: tokens.operator! },
  );
  expect(made.exitCode, made.stderr).toBe(0);
  named.reader = (JSON.parse(made.stdout) as { token: string }).token;
  named.expired = (
    await createNamedToken(
      namedTokensFile(root),
      { name: 'expired-dept', role: 'frequency-reader', expires: '2025-06-30', createdBy: 'test' },
      new Date('2025-01-01T00:00:00Z'),
    )
  ).token;
  expect(started.tokensFile).toBe(path.join(root, 'api-tokens.json'));
  expect((await fs.stat(started.tokensFile)).mode & 0o777).toBe(0o600);
  connection = await Connection.connect(cliTemporalConnection(cli));
  temporal = new Client({ connection });
}, 300_000);

afterAll(async () => {
  await connection?.close();
  const down = await harmonise(cli, ['down', '--json']);
  expect(down.exitCode, down.stderr).toBe(0);
  expect((JSON.parse(down.stdout) as { api: number | null }).api).toEqual(expect.any(Number));
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

type Caller =
  | 'none'
  | 'bad'
  | 'expired'
  | 'reader'
  | 'operator'
  | 'viewer'
  | 'submitter:hovedstaden'
  | 'submitter:syddanmark';
const CALLERS: Caller[] = [
  'none',
  'bad',
  'expired',
  'reader',
  'operator',
  'viewer',
  'submitter:hovedstaden',
  'submitter:syddanmark',
];

async function call(caller: Caller, method: string, url: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (caller === 'bad') headers.authorization = `Bearer hm_${'x'.repeat(43)}`;
  else if (caller === 'reader' || caller === 'expired')
    headers.authorization = `Bearer ${named[caller]}`;
  else if (caller !== 'none') headers.authorization = `Bearer ${tokens[caller]}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${api}${url}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/** Everything a request could change, as one comparable value. */
async function state() {
  const files = async (dir: string): Promise<string[]> => {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    const out: string[] = [];
    for (const e of entries) {
      if (!e.isFile() || e.name === 'audit.jsonl') continue;
      const file = path.join(e.parentPath, e.name);
      out.push(
        `${path.relative(root, file)} ${createHash('sha256')
          .update(await fs.readFile(file))
          .digest('hex')}`,
      );
    }
    return out.sort();
  };
  const workflows: string[] = [];
  for await (const w of temporal.workflow.list()) workflows.push(`${w.workflowId} ${w.runId}`);
  return {
    workflows: workflows.sort(),
    gdb: await files(path.join(root, 'gdb')),
    freq: await files(path.join(root, 'freq')),
    tokens: await fs.readFile(namedTokensFile(root), 'utf8'),
  };
}

/** The documented answer of the route this request went to. */
const specs = apiRoutes({} as HarmoniseClient);
function documented(method: string, url: string) {
  const spec = specs.find(
    (s) =>
      s.method === method &&
      new RegExp(`^${s.url.replace(/:\w+/g, '[^/]+')}$`).test(url.split('?')[0]!),
  );
  if (!spec) throw new Error(`no route for ${method} ${url}`);
  return spec;
}

interface Case {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  allowed: Caller[];
  status: number;
}

const readers: Caller[] = ['operator', 'viewer'];
/** Who may call the frequency lookup and the Beacon: also a department's reader token. */
const lookups: Caller[] = [...readers, 'reader'];
const unauthenticated = (caller: Caller) =>
  caller === 'none' || caller === 'bad' || caller === 'expired';

describe('the HTTP API', () => {
  it('answers /healthz and /openapi.json without a token', async () => {
    // Its pid lets `harmonise up` tell its own API from another server on the port.
    // The worker `up` started polls the task queue (from its first poll on).
    await expect
      .poll(
        async () =>
          ((await call('none', 'GET', '/healthz')).body as { worker?: { polling?: boolean } })
            .worker?.polling,
      )
      .toBe(true);
    expect(await call('none', 'GET', '/healthz')).toEqual({
      status: 200,
      body: {
        status: 'ok',
        temporal: true,
        pid: expect.any(Number),
        worker: {
          taskQueue: 'harmonise',
          polling: true,
          workflowPollers: expect.any(Number),
          activityPollers: expect.any(Number),
          lastPollAt: expect.any(String),
        },
        checkedAt: expect.any(String),
      },
    });
    const doc = (await call('none', 'GET', '/openapi.json')).body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths['/healthz']?.get?.responses ?? {})).toEqual(['200', '503']);
    for (const spec of specs) {
      const operation = doc.paths[spec.url.replace(/:(\w+)/g, '{$1}')]?.[spec.method.toLowerCase()];
      expect(operation, `${spec.method} ${spec.url}`).toBeDefined();
      expect(Object.keys(operation!.responses)).toEqual(
        expect.arrayContaining([String(spec.status ?? 200), '400', '401', '403']),
      );
    }
  });

  it('keeps only token hashes where the API reads them', async () => {
    const hashes = await fs.readFile(path.join(root, 'run', 'api-token-hashes.json'), 'utf8');
    expect(Object.keys(tokens).sort()).toEqual(
      ['operator', 'submitter:hovedstaden', 'submitter:syddanmark', 'viewer'].sort(),
    );
    for (const [role, token] of Object.entries(tokens)) {
      expect(hashes).not.toContain(token);
      expect(hashes).toContain(`"${hashToken(token)}": "${role}"`);
    }
  });

  it('names what is wrong in a bad request, and changes nothing', async () => {
    const before = await state();
    const cpr = await call('viewer', 'GET', '/api/v1/samples/0101901234');
    expect(cpr.status).toBe(400);
    expect(cpr.body).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/params\.sampleId: contains what looks like a CPR number/),
    });
    const campaign = await call('operator', 'POST', '/api/v1/campaigns', {
      pipelineVersion: 'noop',
      selection: { expression: 'region=hovedstaden' },
      maxConcurrent: 0,
    });
    expect(campaign.status).toBe(400);
    expect((campaign.body as { message: string }).message).toMatch(/body\.maxConcurrent/);
    const notJson = await fetch(`${api}/api/v1/frequency/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(notJson.status).toBe(400);
    const unknownRegion = await call(
      'operator',
      'POST',
      '/api/v1/submissions/bornholm/S-1/complete',
      {},
    );
    expect(unknownRegion.status).toBe(404);
    const unknownSample = await call('viewer', 'GET', '/api/v1/samples/NOPE001');
    expect(unknownSample).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await state()).toEqual(before);
  });

  it('refuses every route to callers without the right, and the refusals change nothing', async () => {
    const submitters: Caller[] = ['operator', 'submitter:hovedstaden'];
    const cases = (campaignId: string, releaseId: string): Case[] => [
      {
        method: 'POST',
        url: '/api/v1/submissions/hovedstaden/seed-0000/complete',
        body: {},
        allowed: submitters,
        status: 202,
      },
      {
        method: 'GET',
        url: '/api/v1/submissions/hovedstaden/seed-0000',
        allowed: [...readers, 'submitter:hovedstaden'],
        status: 200,
      },
      { method: 'GET', url: '/api/v1/samples/NGC000001', allowed: readers, status: 200 },
      {
        method: 'POST',
        url: '/api/v1/samples/NGC000002/consent-withdrawal',
        body: { release: false },
        allowed: ['operator'],
        status: 200,
      },
      {
        method: 'POST',
        url: '/api/v1/campaigns',
        body: {
          pipelineVersion: 'noop',
          selection: { expression: 'region=hovedstaden' },
          maxConcurrent: 1,
        },
        allowed: ['operator'],
        status: 201,
      },
      { method: 'GET', url: '/api/v1/campaigns', allowed: readers, status: 200 },
      { method: 'GET', url: `/api/v1/campaigns/${campaignId}`, allowed: readers, status: 200 },
      {
        method: 'POST',
        url: `/api/v1/campaigns/${campaignId}/pause`,
        allowed: ['operator'],
        status: 200,
      },
      {
        method: 'POST',
        url: `/api/v1/campaigns/${campaignId}/resume`,
        allowed: ['operator'],
        status: 200,
      },
      {
        method: 'POST',
        url: '/api/v1/frequency/releases',
        body: {},
        allowed: ['operator'],
        status: 202,
      },
      { method: 'GET', url: '/api/v1/frequency/releases', allowed: readers, status: 200 },
      { method: 'GET', url: '/api/v1/dashboard', allowed: readers, status: 200 },
      { method: 'GET', url: '/ga4gh/wes/v1/service-info', allowed: readers, status: 200 },
      { method: 'GET', url: '/ga4gh/wes/v1/runs?page_size=5', allowed: readers, status: 200 },
      {
        method: 'GET',
        url: `/ga4gh/wes/v1/runs/campaign:${campaignId}`,
        allowed: readers,
        status: 200,
      },
      {
        method: 'GET',
        url: `/ga4gh/wes/v1/runs/campaign:${campaignId}/status`,
        allowed: readers,
        status: 200,
      },
      {
        method: 'GET',
        url: `/api/v1/frequency/releases/${releaseId}`,
        allowed: readers,
        status: 200,
      },
      {
        method: 'GET',
        url: `/api/v1/frequency/variants/chr1-1000-A-G?release=${FIXTURE_RELEASE_ID}`,
        allowed: lookups,
        status: 200,
      },
      {
        method: 'GET',
        url: `/api/v1/frequency/regions/chr1:1-10000?release=${FIXTURE_RELEASE_ID}`,
        allowed: lookups,
        status: 200,
      },
      { method: 'GET', url: '/api/v1/frequency/datasets', allowed: lookups, status: 200 },
      {
        method: 'GET',
        url: `/api/v1/frequency/datasets/${FIXTURE_RELEASE_ID}`,
        allowed: lookups,
        status: 200,
      },
      ...['/beacon/v2', '/beacon/v2/', '/beacon/v2/info', '/beacon/v2/map']
        .concat(['/beacon/v2/configuration', '/beacon/v2/entry_types'])
        .map((url): Case => ({ method: 'GET', url, allowed: lookups, status: 200 })),
      {
        method: 'GET',
        // Beacon positions are 0-based: start 999 is POS 1000.
        url: `/beacon/v2/g_variants?referenceName=chr1&start=999&referenceBases=A&alternateBases=G&requestedGranularity=record&datasetIds=${FIXTURE_RELEASE_ID}`,
        allowed: lookups,
        status: 200,
      },
      {
        // A Beacon query by POST changes nothing: it is not audited.
        method: 'POST',
        url: '/beacon/v2/g_variants',
        body: {
          query: {
            requestParameters: {
              referenceName: 'chr1',
              start: [0],
              end: [10000],
              datasetIds: [FIXTURE_RELEASE_ID],
            },
            requestedGranularity: 'count',
          },
        },
        allowed: lookups,
        status: 200,
      },
      {
        method: 'POST',
        url: '/api/v1/tokens',
        body: { name: 'api-matrix', role: 'viewer', expires: '2099-12-31' },
        allowed: ['operator'],
        status: 201,
      },
      { method: 'GET', url: '/api/v1/tokens', allowed: ['operator'], status: 200 },
      {
        method: 'POST',
        url: '/api/v1/tokens/api-matrix/revoke',
        allowed: ['operator'],
        status: 200,
      },
    ];

    // The matrix covers every route of the table (WES cancel is tried below, on its own).
    const covered = new Set(
      [...cases('c', 'r'), { method: 'POST', url: '/ga4gh/wes/v1/runs/campaign:c/cancel' }].map(
        (c) => documented(c.method, c.url),
      ),
    );
    expect(covered.size).toBe(specs.length);

    // Every refusal first: afterwards nothing may have changed.
    const before = await state();
    const auditBefore = await readAudit(path.join(root, 'gdb', 'audit.jsonl'));
    for (const c of cases('20261127T000000Z-none-0000', '20261127T000000.000Z')) {
      for (const caller of CALLERS.filter((x) => !c.allowed.includes(x))) {
        const answer = await call(caller, c.method, c.url, c.body);
        const expected = unauthenticated(caller) ? 401 : 403;
        expect(answer.status, `${caller} ${c.method} ${c.url}`).toBe(expected);
        // The Beacon's routes refuse as Beacon error responses.
        expect(answer.body).toMatchObject(
          documented(c.method, c.url).errors
            ? { error: { errorCode: expected, errorMessage: expect.any(String) } }
            : {
                code: expected === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN',
                message: expect.any(String),
              },
        );
      }
    }
    // A submitter may not choose its mode.
    const mode = await call(
      'submitter:hovedstaden',
      'POST',
      '/api/v1/submissions/hovedstaden/seed-0000/complete',
      {
        mode: 'none',
      },
    );
    expect(mode.status).toBe(403);
    expect(await state()).toEqual(before);
    expect(await readAudit(path.join(root, 'gdb', 'audit.jsonl'))).toEqual(auditBefore);

    // Then every allowed caller, each answer as documented.
    const campaign = await call('operator', 'POST', '/api/v1/campaigns', {
      name: 'api matrix',
      pipelineVersion: 'noop',
      selection: { expression: 'region=syddanmark' },
      maxConcurrent: 1,
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    const { campaignId } = campaign.body as { campaignId: string };
    const release = await call('operator', 'POST', '/api/v1/frequency/releases', {});
    expect(release.status).toBe(202);
    const { releaseId } = release.body as { releaseId: string };
    for (const c of cases(campaignId, releaseId)) {
      for (const caller of c.allowed) {
        const answer = await call(caller, c.method, c.url, c.body);
        expect(
          answer.status,
          `${caller} ${c.method} ${c.url}: ${JSON.stringify(answer.body)}`,
        ).toBe(c.status);
        const parsed = documented(c.method, c.url).response.safeParse(answer.body);
        expect(
          parsed.success,
          `${c.method} ${c.url}: ${JSON.stringify(parsed.error?.issues)}`,
        ).toBe(true);
      }
    }
    const audit = await readAudit(path.join(root, 'gdb', 'audit.jsonl'));
    const actions = audit
      .slice(auditBefore.length)
      .map((e) => `${e.requestedBy} ${e.action} ${String(e.outcome)}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'api:submitter:hovedstaden api POST /api/v1/submissions/:region/:submissionId/complete 202',
        'api:operator api POST /api/v1/samples/:sampleId/consent-withdrawal 200',
        'api:operator api POST /api/v1/campaigns/:campaignId/:action 200',
        'api:operator api POST /api/v1/frequency/releases 202',
        'api:operator api POST /api/v1/tokens 201',
        'api:operator token create undefined',
        'api:operator token revoke undefined',
      ]),
    );
    // WES sees what the REST routes do to the same campaign, and cancels it.
    const wes = `/ga4gh/wes/v1/runs/campaign:${campaignId}`;
    await call('operator', 'POST', `/api/v1/campaigns/${campaignId}/pause`);
    expect((await call('viewer', 'GET', `${wes}/status`)).body).toEqual({
      run_id: `campaign:${campaignId}`,
      state: 'PAUSED',
    });
    await call('operator', 'POST', `/api/v1/campaigns/${campaignId}/resume`);
    expect((await call('viewer', 'GET', `${wes}/status`)).body).toMatchObject({ state: 'RUNNING' });
    const info = (await call('viewer', 'GET', '/ga4gh/wes/v1/service-info')).body as {
      workflow_engine_versions: Record<string, string>;
      system_state_counts: Record<string, number>;
    };
    expect(info.workflow_engine_versions.temporal).toMatch(/^\d+\.\d+/);
    expect(info.system_state_counts.RUNNING).toBeGreaterThan(0);
    for (const caller of CALLERS.filter((c) => c !== 'operator')) {
      expect((await call(caller, 'POST', `${wes}/cancel`)).status).toBe(
        unauthenticated(caller) ? 401 : 403,
      );
    }
    expect(await call('operator', 'POST', `${wes}/cancel`)).toEqual({
      status: 200,
      body: { run_id: `campaign:${campaignId}` },
    });
    await expect
      .poll(
        async () =>
          ((await call('viewer', 'GET', `${wes}/status`)).body as { state: string }).state,
        {
          timeout: 60_000,
        },
      )
      .toBe('CANCELED');
    const run = (await call('viewer', 'GET', wes)).body as {
      request: { workflow_type: string };
      run_log: { end_time: string | null };
    };
    expect(run.request.workflow_type).toBe('harmonise/campaignWorkflow');
    expect(run.run_log.end_time).not.toBeNull();
    const pages = (await call('viewer', 'GET', '/ga4gh/wes/v1/runs?page_size=2')).body as {
      runs: { run_id: string; state: string }[];
      next_page_token: string;
    };
    expect(pages.runs).toHaveLength(2);
    const next = (
      await call(
        'viewer',
        'GET',
        `/ga4gh/wes/v1/runs?page_size=2&page_token=${pages.next_page_token}`,
      )
    ).body as { runs: { run_id: string }[] };
    expect(next.runs.map((r) => r.run_id)).not.toEqual(pages.runs.map((r) => r.run_id));
  });
});

describe('/metrics', () => {
  const value = (text: string, series: RegExp): number => {
    const line = text.split('\n').find((l) => series.test(l));
    return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
  };

  it('sums every worker’s job counts (an ended one’s counters, not its gauges) with the campaign and submission gauges, for readers only', async () => {
    expect((await fetch(`${api}/metrics`)).status).toBe(401);
    const submitter = await fetch(`${api}/metrics`, {
      headers: { authorization: `Bearer ${tokens['submitter:hovedstaden']}` },
    });
    expect(submitter.status).toBe(403);
    const scrape = async () => {
      const response = await fetch(`${api}/metrics`, {
        headers: { authorization: `Bearer ${tokens.viewer}` },
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      return response.text();
    };
    // The worker writes its snapshot every 5 s.
    await expect
      .poll(
        async () =>
          value(
            await scrape(),
            /^harmonise_jobs_ended_total\{executor="local",state="COMPLETED"\}/,
          ),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    const text = await scrape();
    expect(
      value(text, /^harmonise_jobs_submitted_total\{executor="local",kind="noop"\}/),
    ).toBeGreaterThanOrEqual(
      value(text, /^harmonise_jobs_ended_total\{executor="local",state="COMPLETED"\}/),
    );
    expect(value(text, /^harmonise_poller_calls_total\{executor="local"\}/)).toBeGreaterThan(0);
    expect(
      value(text, /^harmonise_step_duration_seconds_count\{kind="noop",state="COMPLETED"\}/),
    ).toBeGreaterThan(0);
    expect(text).toMatch(/^harmonise_jobs_running\{executor="local"\} \d+$/m);
    expect(text).toMatch(/^harmonise_campaign_samples\{campaign="[^"]+",state="done"\} \d+$/m);
    expect(text).toMatch(/^harmonise_submissions\{status="[a-z-]+"\} \d+$/m);
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      expect(line).toMatch(/^harmonise_/);
    }

    // A worker that has ended left its snapshot: its counters stay in the sums, its gauges go.
    // It is written here as one would be, under the pid of a process that has ended.
    const dir = path.join(root, 'run', 'metrics');
    const { pid } = JSON.parse(await fs.readFile(path.join(root, 'run', 'worker.pid'), 'utf8')) as {
      pid: number;
    };
    type Snapshot = {
      pid: number;
      startTime: string;
      metrics: { name: string; values: { value: number; labels: Record<string, string> }[] }[];
    };
    const live = async () =>
      JSON.parse(await fs.readFile(path.join(dir, `worker-${pid}.json`), 'utf8')) as Snapshot;
    const completedIn = (snapshot: Snapshot) =>
      snapshot.metrics
        .find((m) => m.name === 'harmonise_jobs_ended_total')!
        .values.find((v) => v.labels.executor === 'local' && v.labels.state === 'COMPLETED')!.value;
    const template = await live();
    const dead = Number((await execa('sh', ['-c', 'echo $$'])).stdout);
    const only = (name: string, labels: Record<string, string>, value: number) => ({
      ...template.metrics.find((m) => m.name === name)!,
      values: [{ value, labels }],
    });
    const left = path.join(dir, `worker-${dead}.json`);
    await fs.writeFile(
      left,
      JSON.stringify({
        pid: dead,
        startTime: '1',
        metrics: [
          only('harmonise_jobs_ended_total', { executor: 'local', state: 'COMPLETED' }, 1000),
          only('harmonise_jobs_running', { executor: 'local' }, 500),
        ],
      }),
    );
    try {
      const before = completedIn(await live());
      const summed = await scrape();
      const after = completedIn(await live());
      const completed = value(
        summed,
        /^harmonise_jobs_ended_total\{executor="local",state="COMPLETED"\}/,
      );
      expect(completed - 1000).toBeGreaterThanOrEqual(before);
      expect(completed - 1000).toBeLessThanOrEqual(after);
      expect(value(summed, /^harmonise_jobs_running\{executor="local"\}/)).toBeLessThan(500);
    } finally {
      await fs.rm(left);
    }
  });
});

describe('the frequency lookup', () => {
  const at = (variant: string) =>
    `/api/v1/frequency/variants/${variant}?release=${FIXTURE_RELEASE_ID}`;
  const regions = (variant: (typeof FIXTURE_VARIANTS)[number]) =>
    Object.fromEntries(
      FIXTURE_REGIONS.map((r, i) => [
        r,
        {
          AC: variant.ac[i],
          AN: variant.an[i],
          AF: Number((variant.ac[i]! / variant.an[i]!).toFixed(6)),
          nhomalt: variant.nhomalt[i],
        },
      ]),
    );
  const lookupSpec = documented('GET', at('chr1-1-A-G'));

  it('answers operators every count, and readers only what the floor allows', async () => {
    for (const variant of FIXTURE_VARIANTS) {
      const id = `chr1-${variant.pos}-${variant.ref}-${variant.alt}`;
      const operator = await call('operator', 'GET', at(id));
      expect(operator.status, JSON.stringify(operator.body)).toBe(200);
      expect(lookupSpec.response.safeParse(operator.body).success).toBe(true);
      expect(operator.body).toMatchObject({
        releaseId: FIXTURE_RELEASE_ID,
        variant: { id },
        found: true,
        regions: regions(variant),
        privacy: { floor: 5, belowFloor: 'flag', audience: 'operator' },
      });
      const reader = (await call('reader', 'GET', at(id))).body as {
        overall: Record<string, unknown>;
        regions: Record<string, Record<string, unknown>>;
        belowFloor: boolean;
        privacy: { audience: string };
      };
      expect(reader.privacy.audience).toBe('reader');
      const national = variant.ac[0] + variant.ac[1];
      expect(reader.belowFloor).toBe(national < 5);
      // No number under the floor reaches a reader, and none can be had back by subtraction.
      const shownAc = Object.values(reader.regions).map((r) => (r.AC as number | undefined) ?? 0);
      for (const ac of shownAc) expect(ac === 0 || ac >= 5).toBe(true);
      if (national >= 5) {
        expect(reader.overall.AC).toBe(national);
        const hidden = national - shownAc.reduce((a, b) => a + b, 0);
        expect(hidden === 0 || hidden >= 5).toBe(true);
      } else expect(reader.overall).toEqual({ suppressed: true });
    }
    // hovedstaden's 2 hides it, and so syddanmark's 5 (7 - 5 would give the 2 back).
    expect(
      ((await call('reader', 'GET', at('chr1-2000-C-T'))).body as { regions: unknown }).regions,
    ).toEqual({
      hovedstaden: { suppressed: true },
      syddanmark: { suppressed: true },
    });
  });

  it('tells a variant not seen among N alleles from a position no genome covers', async () => {
    expect((await call('reader', 'GET', at('chr1-1500-A-C'))).body).toMatchObject({
      found: false,
      verdict: 'not-seen',
      alleleNumber: { AN: 100, regions: { hovedstaden: 40, syddanmark: 60 } },
    });
    expect((await call('reader', 'GET', at('chr1-55000-A-C'))).body).toMatchObject({
      found: false,
      verdict: 'not-covered',
      alleleNumber: { AN: 0 },
    });
    // The other allele at a split multi-allelic site is found by its own id only.
    expect((await call('reader', 'GET', at('chr1-4000-T-G'))).body).toMatchObject({
      found: false,
      verdict: 'not-seen',
    });
    for (const [variant, message] of [
      ['chr9-10-A-G', /chr9 is not a sequence of the release's reference \(chr1, chr2, chr3\)/],
      ['chr3-100001-A-G', /chr3:100001 lies beyond chr3's 100000 bases/],
      ['chr1-10-A-G,T', /one alternate allele at a time/],
    ] as const) {
      const answer = await call('reader', 'GET', at(variant));
      expect(answer.status).toBe(400);
      expect((answer.body as { message: string }).message).toMatch(message);
    }
    expect(
      (
        await call(
          'reader',
          'GET',
          '/api/v1/frequency/variants/chr1-1000-A-G?release=19990101T000000.000Z',
        )
      ).status,
    ).toBe(404);
  });

  it('lists a window a page at a time, in position order', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: { status: number; body: unknown } = await call(
        'operator',
        'GET',
        `/api/v1/frequency/regions/chr1:1-10000?release=${FIXTURE_RELEASE_ID}&pageSize=2${token ? `&pageToken=${token}` : ''}`,
      );
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      const body = page.body as {
        variants: { variant: { id: string } }[];
        nextPageToken: string | null;
      };
      expect(body.variants.length).toBeLessThanOrEqual(2);
      seen.push(...body.variants.map((v) => v.variant.id));
      token = body.nextPageToken;
    } while (token !== null);
    expect(seen).toEqual(FIXTURE_VARIANTS.map((v) => `chr1-${v.pos}-${v.ref}-${v.alt}`));
    const tooLong = await call(
      'reader',
      'GET',
      `/api/v1/frequency/regions/chr1:1-2000000?release=${FIXTURE_RELEASE_ID}`,
    );
    expect(tooLong.status).toBe(400);
    expect((tooLong.body as { message: string }).message).toMatch(/a window holds at most 1000000/);
  });

  it('describes a release to readers without a sample id', async () => {
    const answer = await call('reader', 'GET', `/api/v1/frequency/datasets/${FIXTURE_RELEASE_ID}`);
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).not.toContain('FIXTURE-EXCLUDED-1');
    expect(answer.body).toMatchObject({
      releaseId: FIXTURE_RELEASE_ID,
      samples: 50,
      samplesPerRegion: { hovedstaden: 20, syddanmark: 30 },
      privacy: { floor: 5, belowFloor: 'flag' },
    });
    expect(Object.keys((answer.body as { files: object }).files)).toEqual(['frequencies.vcf.gz']);
  });

  it('logs every lookup with the token’s name, and holds a reader to its rate limit', async () => {
    const log = path.join(root, 'logs', 'frequency-access.jsonl');
    const lines = async () =>
      (await fs.readFile(log, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map(
          (l) => JSON.parse(l) as { token: string; role: string; route: string; status: number },
        );
    const before = (await lines()).length;
    await call('reader', 'GET', at('chr1-1000-A-G'));
    await expect.poll(async () => (await lines()).length).toBe(before + 1);
    expect((await lines()).at(-1)).toMatchObject({
      token: 'klinisk-genetik-ouh',
      role: 'frequency-reader',
      route: 'GET /api/v1/frequency/variants/:variantId',
      status: 200,
    });
    // Past the burst: 429 with Retry-After, while an operator is never held back.
    const answers = [];
    for (let i = 0; i < 80; i++) {
      const response = await fetch(`${api}${at('chr1-1000-A-G')}`, {
        headers: { authorization: `Bearer ${named.reader}` },
      });
      answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
      await response.arrayBuffer();
    }
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const a of limited) expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await call('operator', 'GET', at('chr1-1000-A-G'))).status).toBe(200);
    expect((await lines()).filter((l) => l.status === 429).length).toBeGreaterThanOrEqual(
      limited.length,
    );
  });
});
