/**
 * `harmonise campaign …` as an operator runs it, against the running service (`harmonise up`)
 * on a seeded catalogue with the repository's `noop` pipeline: start (selection and samples
 * file), pause, resume, set-concurrency, watch, status, clear refusals of bad requests, and what
 * an operator sees while no worker answers.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogue } from '../../src/demo/seed-catalogue.ts';
import type { CampaignProgress, CampaignReport } from '../../src/domain/campaign.ts';
import { cliEnv, harmonise, type CliEnv } from '../helpers/cli.ts';
import { waitFor } from '../helpers/wait.ts';

let cli: CliEnv;
let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-campaign-cli-'));
  cli = await cliEnv(root);
  await seedCatalogue({
    dataRoot: root,
    samples: 16,
    regions: ['hovedstaden', 'syddanmark'],
    perSubmission: 8,
  });
  const up = await harmonise(cli, ['up', '--json']);
  expect(up.exitCode, up.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  const down = await harmonise(cli, ['down']);
  expect(down.exitCode).toBe(0);
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

const json = <T>(stdout: string) => JSON.parse(stdout) as T;

/** `campaign start --samples <file> --pipeline noop --json` over these ids; must succeed. */
async function startOnSamples(fileName: string, ids: string[], extra: string[] = []) {
  const file = path.join(root, fileName);
  await fs.writeFile(file, ids.map((id) => `${id}\n`).join(''));
  const args = ['campaign', 'start', '--samples', file, '--pipeline', 'noop', '--json', ...extra];
  const start = await harmonise(cli, args);
  expect(start.exitCode, start.stderr).toBe(0);
  return json<{ campaignId: string; progress?: CampaignProgress }>(start.stdout);
}

describe('harmonise campaign', () => {
  it('starts, pauses, resumes, widens, watches and reports a campaign', async () => {
    const start = await harmonise(cli, [
      'campaign',
      'start',
      '--select',
      'region=hovedstaden',
      '--pipeline',
      'noop',
      '--max-concurrent',
      '1',
      '--name',
      'cli test',
      '--json',
    ]);
    expect(start.exitCode, start.stderr).toBe(0);
    const { campaignId, workflowId } = json<{ campaignId: string; workflowId: string }>(
      start.stdout,
    );
    expect(workflowId).toBe(`campaign:${campaignId}`);
    expect(campaignId).toMatch(/^\d{8}T\d{6}Z-cli-test-[0-9a-f]{4}$/);

    const pause = await harmonise(cli, ['campaign', 'pause', campaignId, '--json']);
    expect(pause.exitCode, pause.stderr).toBe(0);
    expect(json<CampaignProgress>(pause.stdout).state).toBe('paused');
    const resume = await harmonise(cli, ['campaign', 'resume', campaignId]);
    expect(resume.exitCode, resume.stderr).toBe(0);
    expect(resume.stdout).toContain('| running |');
    const widen = await harmonise(cli, ['campaign', 'set-concurrency', campaignId, '4', '--json']);
    expect(json<CampaignProgress>(widen.stdout).maxConcurrent).toBe(4);

    const watch = await harmonise(cli, ['campaign', 'watch', campaignId, '--interval', '0.5']);
    expect(watch.exitCode, watch.stderr).toBe(0);
    const lines = watch.stdout.trim().split('\n');
    expect(lines.at(-2)).toMatch(
      /^\[#+\] 100\.0% 8\/8 \| completed \|.*done 8 failed 0.*\| ETA 0s$/,
    );
    expect(lines.at(-1)).toMatch(/^report: .*report\.json$/);

    const status = await harmonise(cli, ['campaign', 'status', campaignId, '--json']);
    const progress = json<CampaignProgress>(status.stdout);
    expect(progress).toMatchObject({ state: 'completed', maxConcurrent: 4, name: 'cli test' });
    expect(progress.counts).toMatchObject({ total: 8, done: 8, pending: 0, running: 0 });
    const report = json<CampaignReport>(await fs.readFile(progress.reportFile!, 'utf8'));
    expect(report.samples.map((s) => s.status)).toEqual(Array(8).fill('done'));

    const late = await harmonise(cli, ['campaign', 'cancel', campaignId]);
    expect(late.exitCode).toBe(2);
    expect(late.stderr).toMatch(/has ended/);
  });

  it('runs a samples file and waits, skipping what is done', async () => {
    const result = await startOnSamples(
      'rerun.txt',
      ['NGC000008', 'NGC000009', 'NGC000000'],
      ['--wait'],
    );
    expect(result.progress?.counts).toMatchObject({ total: 2, done: 2 });
    expect(result.progress?.alreadyDone).toBe(1);
  });

  it('refuses bad requests with exit 2 and says why; unknown campaigns exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [['--select', 'colour=red', '--pipeline', 'noop'], /unknown field "colour"/],
      [['--select', 'region=hovedstaden', '--pipeline', '9'], /pipeline version 9 has no spec/],
      [['--select', 'region=x', '--samples', 'f', '--pipeline', 'noop'], /exactly one of --select/],
      [['--select', 'region=x', '--pipeline', 'noop', '--max-concurrent', '0'], /maxConcurrent/],
    ];
    for (const [args, message] of cases) {
      const result = await harmonise(cli, ['campaign', 'start', ...args]);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const missing = await harmonise(cli, ['campaign', 'status', 'no-such-campaign']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/no campaign no-such-campaign/);
  });

  it('says a campaign did not answer while no worker runs (exit 3); watch asks until one does', async () => {
    const { campaignId } = await startOnSamples('unanswered.txt', ['NGC000010', 'NGC000011']);

    const pidFile = path.join(root, 'run/worker.pid');
    const { pid } = JSON.parse(await fs.readFile(pidFile, 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');

    const status = await harmonise(cli, ['campaign', 'status', campaignId]);
    expect(status.exitCode, status.stderr).toBe(3);
    expect(status.stderr).toContain(`campaign ${campaignId} did not answer (`);

    const watch = harmonise(cli, ['campaign', 'watch', campaignId, '--interval', '0.5']);
    let stderr = '';
    watch.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(
      () => {
        if (watch.exitCode !== null && watch.exitCode !== undefined)
          throw new Error(`campaign watch ended (${watch.exitCode}) before it said so: ${stderr}`);
        return stderr.includes('did not answer (');
      },
      { what: 'campaign watch to say the campaign did not answer', intervalMs: 250 },
    );
    const up = await harmonise(cli, ['up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const watched = await watch;
    expect(watched.exitCode, watched.stderr).toBe(0);
    expect(watched.stdout.trim().split('\n').at(-2)).toMatch(
      / 2\/2 \| completed \|.*done 2 failed 0/,
    );
  });
});
