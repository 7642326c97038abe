/**
 * Records the replay set from real runs: `node --import tsx test/replay/record.ts`.
 *
 * It runs `harmonise demo` on a fresh data root (submissions in every mode; samples full on short
 * and long reads, partial, none; the demo's rerun campaign; a release). Then, on the same stack,
 * it runs a campaign over 20 seeded genomes that continues as new, is paused, resumed and
 * cancelled, a rerun of one sample with step reuse (a caller-only change), and a consent
 * withdrawal (its workflow and its release). It writes one file per workflow run into
 * `test/replay/histories/<date>-<commit>/`, beside the sets recorded before: a set stays until no
 * workflow started by its code can still be running (docs/workflows.md, "Versioning").
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DemoReport } from '../../src/cli/demo.ts';
import { HarmoniseClient } from '../../src/client.ts';
import { loadConfig, PROJECT_ROOT } from '../../src/config.ts';
import { seedCatalogue } from '../../src/demo/seed-catalogue.ts';
import { Catalogue } from '../../src/store/catalogue.ts';
import { BIN } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { writeCallerVariant } from '../helpers/pipeline-variants.ts';
import { HISTORIES_DIR, type RecordedHistory } from './histories.ts';

interface Wanted {
  name: string;
  covers: string;
  workflowId: string;
}

const log = (text: string) => process.stderr.write(`record: ${text}\n`);

/** The demo sample the step-reuse rerun takes (full mode, short reads). */
const REUSED_SAMPLE = 'HOV003';

async function demo(env: Record<string, string>): Promise<DemoReport> {
  log(`running the demo on ${env.HARMONISE_DATA}`);
  const run = await execa(process.execPath, [BIN, 'demo', '--json'], {
    env,
    stderr: 'inherit',
  });
  return JSON.parse(run.stdout) as DemoReport;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A campaign that continues as new, is paused, resumed and cancelled. */
async function pausedAndCancelledCampaign(client: HarmoniseClient, root: string): Promise<string> {
  await seedCatalogue({ dataRoot: root, samples: 20, regions: ['sjaelland'], perSubmission: 20 });
  const { campaignId } = await client.startCampaign(
    {
      name: 'replay record',
      pipelineVersion: 'noop',
      selection: { expression: 'region=sjaelland' },
      maxConcurrent: 1,
      requestedBy: 'replay-record',
    },
    { continueAsNewAfterEvents: 40 },
  );
  log(`campaign ${campaignId}: waiting for its second run`);
  await until('the campaign to continue as new', async () =>
    ((await client.campaignProgress(campaignId))?.run ?? 0) >= 2 ? true : undefined,
  );
  await client.controlCampaign(campaignId, 'pause', 'replay-record');
  await client.controlCampaign(campaignId, 'resume', 'replay-record');
  await client.controlCampaign(campaignId, 'cancel', 'replay-record');
  const final = await client.waitForCampaign(campaignId);
  log(`campaign ${campaignId}: ${final.state} after ${final.run} runs`);
  return campaignId;
}

/**
 * A rerun of one sample with a caller-only change (`replay-caller`, pipeline 2 with another
 * prior): its alignment and duplicate marking are taken from version 2.
 */
async function stepReuseCampaign(client: HarmoniseClient, pipelinesDir: string): Promise<string> {
  await writeCallerVariant(pipelinesDir, 'replay-caller');
  const { campaignId } = await client.startCampaign({
    name: 'replay reuse',
    pipelineVersion: 'replay-caller',
    selection: { expression: `sampleId=${REUSED_SAMPLE}` },
    maxConcurrent: 1,
    reuse: 'steps',
    requestedBy: 'replay-record',
  });
  const final = await client.waitForCampaign(campaignId);
  log(`campaign ${campaignId}: ${final.state}, ${final.stepsReused} steps reused`);
  return campaignId;
}

/** Which run of the demo stands for what. */
async function wanted(
  client: HarmoniseClient,
  report: DemoReport,
  extra: {
    campaignId: string;
    reuseCampaignId: string;
    withdrawalRelease: string;
    withdrawn: string;
  },
): Promise<Wanted[]> {
  const list: Wanted[] = [];
  const catalogue = new Catalogue(client.layout);
  const modes = new Map<string, string>();
  for (const s of report.samples) if (s.mode) modes.set(s.region, s.mode);
  for (const sub of report.submissions) {
    const mode = modes.get(sub.region) ?? 'rejected';
    if (list.some((w) => w.name === `submission-${mode}`)) continue;
    list.push({
      name: `submission-${mode}`,
      covers: `a submission of mode ${mode} (${sub.region}), intake to its last sample`,
      workflowId: `submission:${sub.region}:${sub.submissionId}`,
    });
  }
  for (const s of report.samples.filter((x) => x.status === 'done')) {
    const record = await catalogue.get(s.sampleId);
    const name = `sample-${s.mode}-${record?.readType ?? 'short'}`;
    if (list.some((w) => w.name === name)) continue;
    const version = Object.keys(record?.versions ?? {}).find((v) => v !== 'noop');
    list.push({
      name,
      covers: `a sample in mode ${s.mode} on ${record?.readType} reads (${s.sampleId})`,
      workflowId: `sample:${s.sampleId}:${version}`,
    });
  }
  list.push(
    {
      name: 'campaign-demo-rerun',
      covers: "the demo's rerun campaign (noop pipeline), to completion",
      workflowId: `campaign:${report.campaign!.campaignId}`,
    },
    {
      name: 'campaign-continued-paused-cancelled',
      covers: 'a campaign that continues as new, is paused, resumed and cancelled',
      workflowId: `campaign:${extra.campaignId}`,
    },
    {
      name: 'campaign-step-reuse',
      covers: 'a rerun campaign with step reuse over one sample, for a caller-only change',
      workflowId: `campaign:${extra.reuseCampaignId}`,
    },
    {
      name: 'sample-step-reuse',
      covers: 'a rerun that takes alignment and duplicate marking from an earlier version',
      workflowId: `sample:${REUSED_SAMPLE}:replay-caller`,
    },
    {
      name: 'release-demo',
      covers: "the demo's frequency release (contributions reused, one batch built)",
      workflowId: `frequency:${report.release!.releaseId}`,
    },
    {
      name: 'consent-withdrawal',
      covers: 'a consent withdrawal: recorded, a release started without the sample, audited',
      workflowId: `consent:${extra.withdrawn}`,
    },
    {
      name: 'release-after-withdrawal',
      covers: 'the release a consent withdrawal starts (one batch rebuilt without the sample)',
      workflowId: `frequency:${extra.withdrawalRelease}`,
    },
  );
  return list;
}

async function record(client: HarmoniseClient, want: Wanted, dir: string, commit: string) {
  const runs = [];
  for await (const run of client.temporal.workflow.list({
    query: `WorkflowId = '${want.workflowId}'`,
  }))
    runs.push(run);
  if (runs.length === 0) throw new Error(`no run of ${want.workflowId}`);
  // Oldest first: a continued workflow's runs in order.
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  for (const [i, run] of runs.entries()) {
    const history = await client.temporal.workflow
      .getHandle(want.workflowId, run.runId)
      .fetchHistory();
    const name = runs.length > 1 ? `${want.name}-run${i + 1}` : want.name;
    const file: RecordedHistory = {
      name,
      covers: runs.length > 1 ? `${want.covers}: run ${i + 1} of ${runs.length}` : want.covers,
      workflowType: run.type,
      workflowId: want.workflowId,
      runId: run.runId,
      commit,
      recordedAt: new Date().toISOString(),
      events: history.events?.length ?? 0,
      history: JSON.parse(historyToJSON(history)) as unknown,
    };
    await fs.writeFile(path.join(dir, `${name}.json`), `${JSON.stringify(file)}\n`);
    log(`${name}: ${file.workflowType} ${want.workflowId}, ${file.events} events`);
  }
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-replay-record-'));
  const env = {
    ...(process.env as Record<string, string>),
    HARMONISE_DATA: root,
    HARMONISE_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    HARMONISE_TEMPORAL_UI_PORT: String(await freePort()),
    HARMONISE_API_PORT: String(await freePort()),
    HARMONISE_PIPELINES: path.join(root, 'pipelines'),
  };
  await fs.cp(path.join(PROJECT_ROOT, 'pipelines'), env.HARMONISE_PIPELINES, { recursive: true });
  const commit = (await execa('git', ['rev-parse', '--short=10', 'HEAD'], { cwd: PROJECT_ROOT }))
    .stdout;
  const dir = path.join(HISTORIES_DIR, `${new Date().toISOString().slice(0, 10)}-${commit}`);
  let client: HarmoniseClient | undefined;
  try {
    const report = await demo(env);
    client = await HarmoniseClient.connect(loadConfig(env));
    const campaignId = await pausedAndCancelledCampaign(client, root);
    const reuseCampaignId = await stepReuseCampaign(client, env.HARMONISE_PIPELINES);
    const withdrawn = report.samples.find(
      (s) => s.status === 'done' && s.mode === 'full' && s.sampleId !== REUSED_SAMPLE,
    )!;
    const withdrawal = await client.withdrawConsent(withdrawn.sampleId, {
      requestedBy: 'replay-record',
      release: true,
    });
    await client.waitForRelease(withdrawal.releaseId!);
    await fs.mkdir(dir, { recursive: true });
    const list = await wanted(client, report, {
      campaignId,
      reuseCampaignId,
      withdrawalRelease: withdrawal.releaseId!,
      withdrawn: withdrawn.sampleId,
    });
    for (const want of list) await record(client, want, dir, commit);
    log(`wrote ${dir}`);
  } finally {
    await client?.close();
    await execa(process.execPath, [BIN, 'down'], { env, reject: false });
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
