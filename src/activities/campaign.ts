/**
 * Campaign activities: resolve the selection into a sample list on disk, read it page by page,
 * record outcomes in batches, and write the final report. Each is idempotent: a retry after a
 * worker crash writes the same files again, or finds them written.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  CAMPAIGN_REPORT_SCHEMA,
  type CampaignReport,
  type CampaignProgress,
  type CampaignRequest,
  type CampaignResolution,
  type CampaignSampleOutcome,
} from '../domain/campaign.ts';
import { matchesSelection, parseSelection } from '../domain/selection.ts';
import { FailureType } from '../errors.ts';
import {
  campaignFiles,
  readOutcomes,
  readSampleIds,
  SampleListReader,
  writeOutcomeBatch,
  writeSampleList,
} from '../store/campaigns.ts';
import { readJsonIfExists, writeJsonAtomic } from '../store/atomic.ts';
import { beating, currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';

export function createCampaignActivities(deps: ActivityDeps) {
  const lists = new SampleListReader();
  return {
    resolveCampaign: (input: { campaignId: string; request: CampaignRequest }) =>
      resolveCampaign(deps, input),
    readCampaignPage: async (input: {
      listFile: string;
      offset: number;
      limit: number;
    }): Promise<string[]> => lists.page(input.listFile, input.offset, input.limit),
    recordCampaignOutcomes: (input: {
      campaignId: string;
      seq: number;
      outcomes: CampaignSampleOutcome[];
    }) => recordCampaignOutcomes(deps, input),
    findSilentSamples: (input: {
      pipelineVersion: string;
      samples: { sampleId: string; workflowId: string }[];
    }) => findSilentSamples(deps, input),
    writeCampaignReport: (input: { progress: CampaignProgress }) =>
      writeCampaignReport(deps, input),
  };
}

async function resolveCampaign(
  deps: ActivityDeps,
  input: { campaignId: string; request: CampaignRequest },
): Promise<CampaignResolution> {
  const files = campaignFiles(deps.layout, input.campaignId);
  const earlier = (await readJsonIfExists(files.resolution)) as CampaignResolution | undefined;
  if (earlier) return earlier;
  await writeJsonAtomic(files.request, { campaignId: input.campaignId, ...input.request });
  const selection = input.request.selection;
  const { selected, alreadyDone, unknown } =
    'expression' in selection
      ? await selectByExpression(deps, selection.expression, input.request.pipelineVersion)
      : await selectByList(deps, selection.samplesFile, input.request.pipelineVersion);
  await writeSampleList(files.samples, selected);
  const resolution: CampaignResolution = {
    total: selected.length,
    alreadyDone,
    unknown,
    listFile: files.samples,
  };
  await writeJsonAtomic(files.resolution, resolution);
  deps.logger.info(
    {
      campaignId: input.campaignId,
      total: selected.length,
      alreadyDone,
      unknown: unknown.length,
    },
    'campaign resolved',
  );
  return resolution;
}

/** What a campaign's selection comes to: samples to run, samples already done, unknown ids. */
interface Selected {
  selected: string[];
  alreadyDone: number;
  unknown: string[];
}

const invalid = (message: string) =>
  ApplicationFailure.nonRetryable(message, FailureType.CampaignInvalid);

/** The catalogue's records matching a selection expression, in one heartbeating scan. */
async function selectByExpression(
  deps: ActivityDeps,
  expression: string,
  version: string,
): Promise<Selected> {
  const activity = currentActivity();
  const parsed = parseSelection(expression);
  if (!parsed.ok) throw invalid(`selection "${expression}": ${parsed.message}`);
  const selected: string[] = [];
  let alreadyDone = 0;
  await deps.catalogue.forEach(
    (record) => {
      if (!matchesSelection(record, parsed.clauses)) return;
      if (record.versions[version]) alreadyDone += 1;
      else selected.push(record.sampleId);
    },
    () => activity.heartbeat(),
  );
  return { selected, alreadyDone, unknown: [] };
}

/** The samples a list file names, each looked up in the catalogue. */
async function selectByList(
  deps: ActivityDeps,
  samplesFile: string,
  version: string,
): Promise<Selected> {
  const ids = await readSampleIds(samplesFile).catch((error: unknown) => {
    throw invalid(String(error instanceof Error ? error.message : error));
  });
  const selected: string[] = [];
  const unknown: string[] = [];
  let alreadyDone = 0;
  for (const sampleId of ids) {
    const record = await deps.catalogue.get(sampleId);
    if (record === null) unknown.push(sampleId);
    else if (record.versions[version]) alreadyDone += 1;
    else selected.push(sampleId);
  }
  return { selected, alreadyDone, unknown };
}

async function recordCampaignOutcomes(
  deps: ActivityDeps,
  input: { campaignId: string; seq: number; outcomes: CampaignSampleOutcome[] },
): Promise<void> {
  const files = campaignFiles(deps.layout, input.campaignId);
  await writeOutcomeBatch(files.outcomesDir, input.seq, input.outcomes);
}

/**
 * The samples of the window whose workflows ended without telling the campaign (terminated
 * by an operator, timed out...), with what became of them.
 */
async function findSilentSamples(
  deps: ActivityDeps,
  input: { pipelineVersion: string; samples: { sampleId: string; workflowId: string }[] },
): Promise<Omit<CampaignSampleOutcome, 'at'>[]> {
  const { workflows } = deps;
  if (!workflows) throw new Error('the worker gave no workflow describer');
  const ids = input.samples.map((s) => s.workflowId);
  const statuses = await beating(currentActivity(), () => workflows.statuses(ids));
  const silent: Omit<CampaignSampleOutcome, 'at'>[] = [];
  for (const { sampleId, workflowId } of input.samples) {
    const status = statuses[workflowId];
    if (status === undefined || status === 'RUNNING') continue;
    const record = await deps.catalogue.get(sampleId);
    if (record?.versions[input.pipelineVersion]) {
      silent.push({ sampleId, workflowId, status: 'done', errors: [] });
      continue;
    }
    silent.push({
      sampleId,
      workflowId,
      status: status === 'CANCELED' ? 'cancelled' : 'failed',
      errors: [
        {
          code: 'SAMPLE_ENDED_UNREPORTED',
          path: `sample ${sampleId}`,
          message: `${workflowId} ended ${status} without reporting to its campaign`,
        },
      ],
    });
  }
  return silent;
}

async function writeCampaignReport(
  deps: ActivityDeps,
  input: { progress: CampaignProgress },
): Promise<string> {
  const files = campaignFiles(deps.layout, input.progress.campaignId);
  // One outcome file per sample: tens of thousands at national scale.
  const read = await beating(currentActivity(), () => readOutcomes(files.outcomesDir));
  const outcomes = read.sort((a, b) => a.sampleId.localeCompare(b.sampleId));
  const resolution = (await readJsonIfExists(files.resolution)) as CampaignResolution | undefined;
  const report: CampaignReport = {
    schema: CAMPAIGN_REPORT_SCHEMA,
    ...input.progress,
    reportFile: files.report,
    samples: outcomes,
    failures: outcomes.filter((o) => o.status !== 'done'),
    unknown: resolution?.unknown ?? [],
  };
  await writeJsonAtomic(files.report, report);
  return files.report;
}
