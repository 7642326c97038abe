/** `campaign`: rerun selections of the catalogue, and follow, pause, resume or cancel them. */
import { Option, type Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CampaignProgress } from '../domain/campaign.ts';
import { harmonisationModeSchema } from '../domain/policy.ts';
import { REUSE_CHOICES, type ReuseChoice } from '../domain/step-reuse.ts';
import { HarmoniseError, UsageError, WorkflowBusyError } from '../errors.ts';
import { checkIds } from '../client-checks.ts';
import type { HarmoniseClient } from '../client.ts';
import { context, parseInteger, withClient } from './context.ts';
import { ExitCode, printJson, printLine } from './output.ts';
import { renderProgress } from './progress-bar.ts';

const OPERATOR = 'operator:cli';
/** How long `watch` keeps asking a campaign that does not answer before it gives up (exit 3). */
const WATCH_PATIENCE_MS = 10 * 60_000;

function printProgress(progress: CampaignProgress, json: boolean | undefined): void {
  if (json) printJson(progress);
  else printLine(`${progress.campaignId}: ${renderProgress(progress)}`);
}

/** Exit 1 when the campaign ended other than with every sample done. */
function exitFor(progress: CampaignProgress): void {
  const { counts } = progress;
  const clean = progress.state === 'completed' && counts.failed === 0 && counts.rejected === 0;
  if (!clean) process.exitCode = ExitCode.failed;
}

export function addCampaignCommands(program: Command): void {
  const campaign = program
    .command('campaign')
    .description('rerun campaigns over the catalogue (NGC operators)');
  addCampaignStart(campaign);
  addCampaignStatus(campaign);
  addCampaignControls(campaign);
  addCampaignWatch(campaign);
}

interface StartOptions {
  select?: string;
  samples?: string;
  pipeline: string;
  maxConcurrent: string;
  name: string;
  mode?: string;
  reuse: string;
  wait?: boolean;
  json?: boolean;
}

function addCampaignStart(campaign: Command): void {
  campaign
    .command('start')
    .description(
      'rerun a selection of the catalogue with a pipeline version; samples already done with it are skipped',
    )
    .option(
      '--select <expr>',
      'selection: field=value or field!=value clauses joined by commas, values alternated with |; ' +
        'fields: sampleId, region, readType, mode, pipelineVersion, status, consent ' +
        '(example: "region=syddanmark,pipelineVersion!=2")',
    )
    .option('--samples <file>', 'a file of sample ids, one per line (# comments allowed)')
    .requiredOption('--pipeline <version>', 'the pipeline version to rerun with')
    .option('--max-concurrent <n>', 'samples running at once (1-1000)', '100')
    .option('--name <text>', 'a name for people', '')
    .addOption(
      new Option('--mode <mode>', "override each region's policy mode").choices([
        'full',
        'partial',
        'none',
      ]),
    )
    .addOption(
      new Option(
        '--reuse <what>',
        'steps: take a step from an earlier version of the sample that ran it with the same fingerprint ' +
          '(tool versions, arguments, reference, input checksums); none: run every step',
      )
        .choices(REUSE_CHOICES)
        .default('steps'),
    )
    .option('--wait', 'wait until the campaign ends')
    .option('--json', 'print one JSON document: { campaignId, workflowId[, progress] }')
    .action(startCampaign);
}

async function startCampaign(opts: StartOptions): Promise<void> {
  if ((opts.select === undefined) === (opts.samples === undefined))
    throw new UsageError('give exactly one of --select <expr> and --samples <file>');
  checkIds({ pipelineVersion: opts.pipeline });
  const ctx = context();
  await withClient(ctx, async (client) => {
    const started = await client.startCampaign({
      name: opts.name,
      pipelineVersion: opts.pipeline,
      selection:
        opts.select !== undefined
          ? { expression: opts.select }
          : { samplesFile: opts.samples ?? '' },
      maxConcurrent: parseInteger('--max-concurrent', opts.maxConcurrent),
      ...(opts.mode ? { mode: harmonisationModeSchema.parse(opts.mode) } : {}),
      // commander has checked it is one of the choices; the client validates the request again.
      reuse: opts.reuse as ReuseChoice,
      requestedBy: OPERATOR,
    });
    const progress = opts.wait ? await client.waitForCampaign(started.campaignId) : null;
    if (opts.json) printJson({ ...started, ...(progress ? { progress } : {}) });
    else {
      printLine(`campaign ${started.campaignId} started (${started.workflowId})`);
      if (progress) printLine(renderProgress(progress));
    }
    if (progress) exitFor(progress);
  });
}

function addCampaignStatus(campaign: Command): void {
  campaign
    .command('status <campaignId>')
    .description('counts per state, rate, ETA and, once ended, the report file')
    .option('--json', 'print one JSON document')
    .action(async (campaignId: string, opts: { json?: boolean }) => {
      checkIds({ campaignId });
      await withClient(context(), async (client) => {
        const progress = await client.campaignProgress(campaignId);
        if (progress === null) throw new HarmoniseError('NOT_FOUND', `no campaign ${campaignId}`);
        printProgress(progress, opts.json);
      });
    });
}

/** `pause`, `resume`, `cancel` and `set-concurrency`: decisions about a running campaign. */
function addCampaignControls(campaign: Command): void {
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    const what = {
      pause: 'start no new samples (running ones finish)',
      resume: 'start samples again',
      cancel: 'cancel the running samples and their jobs, start no more, and write the report',
    }[action];
    campaign
      .command(`${action} <campaignId>`)
      .description(what)
      .option('--json', 'print one JSON document')
      .action(async (campaignId: string, opts: { json?: boolean }) => {
        checkIds({ campaignId });
        await withClient(context(), async (client) => {
          printProgress(await client.controlCampaign(campaignId, action, OPERATOR), opts.json);
        });
      });
  }

  campaign
    .command('set-concurrency <campaignId> <n>')
    .description('change how many samples run at once (1-1000)')
    .option('--json', 'print one JSON document')
    .action(async (campaignId: string, n: string, opts: { json?: boolean }) => {
      checkIds({ campaignId });
      const maxConcurrent = parseInteger('<n>', n);
      await withClient(context(), async (client) => {
        printProgress(
          await client.controlCampaign(campaignId, { maxConcurrent }, OPERATOR),
          opts.json,
        );
      });
    });
}

function addCampaignWatch(campaign: Command): void {
  campaign
    .command('watch <campaignId>')
    .description(
      'a live progress bar with counts and ETA, until the campaign ends; a campaign that does not answer (worker down or busy) is asked again for up to 10 minutes',
    )
    .option('--interval <seconds>', 'seconds between refreshes', '2')
    .action(async (campaignId: string, opts: { interval: string }) => {
      checkIds({ campaignId });
      const intervalMs = Math.max(0.2, Number(opts.interval)) * 1000;
      if (!Number.isFinite(intervalMs)) throw new UsageError('--interval must be a number');
      await withClient(context(), (client) => watchCampaign(client, campaignId, intervalMs));
    });
}

/** Redraws the progress bar every `intervalMs` until the campaign ends. */
async function watchCampaign(
  client: HarmoniseClient,
  campaignId: string,
  intervalMs: number,
): Promise<void> {
  const tty = process.stdout.isTTY;
  let unanswered: number | null = null;
  for (;;) {
    let progress: CampaignProgress | null;
    try {
      progress = await client.campaignProgress(campaignId);
    } catch (error) {
      // Near a continue-as-new a busy worker's workflow task can outlast a query; a
      // restarting worker answers none: either way ask again, for a while.
      if (!(error instanceof WorkflowBusyError)) throw error;
      unanswered ??= Date.now();
      if (Date.now() - unanswered > WATCH_PATIENCE_MS) throw error;
      process.stderr.write(`${tty ? '\n' : ''}harmonise: ${error.message}\n`);
      await sleep(intervalMs);
      continue;
    }
    unanswered = null;
    if (progress === null) throw new HarmoniseError('NOT_FOUND', `no campaign ${campaignId}`);
    const line = renderProgress(progress);
    process.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    if (progress.state === 'completed' || progress.state === 'cancelled') {
      if (tty) process.stdout.write('\n');
      if (progress.reportFile) printLine(`report: ${progress.reportFile}`);
      exitFor(progress);
      return;
    }
    await sleep(intervalMs);
  }
}
