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
    async resolveCampaign(input: {
      campaignId: string;
      request: CampaignRequest;
    }): Promise<CampaignResolution> {
      const files = campaignFiles(deps.layout, input.campaignId);
      const earlier = (await readJsonIfExists(files.resolution)) as CampaignResolution | undefined;
      if (earlier) return earlier;
      const activity = currentActivity();
      const invalid = (message: string) =>
        ApplicationFailure.nonRetryable(message, FailureType.CampaignInvalid);

      await writeJsonAtomic(files.request, { campaignId: input.campaignId, ...input.request });
      const version = input.request.pipelineVersion;
      const selected: string[] = [];
      let alreadyDone = 0;
      let unknown: string[] = [];
      const selection = input.request.selection;
      if ('expression' in selection) {
        const parsed = parseSelection(selection.expression);
        if (!parsed.ok) throw invalid(`selection "${selection.expression}": ${parsed.message}`);
        await deps.catalogue.forEach(
          (record) => {
            if (!matchesSelection(record, parsed.clauses)) return;
            if (record.versions[version]) alreadyDone += 1;
            else selected.push(record.sampleId);
          },
          () => activity.heartbeat(),
        );
      } else {
        const ids = await readSampleIds(selection.samplesFile).catch((error: unknown) => {
          throw invalid(String(error instanceof Error ? error.message : error));
        });
        unknown = [];
        for (const sampleId of ids) {
          const record = await deps.catalogue.get(sampleId);
          if (record === null) unknown.push(sampleId);
          else if (record.versions[version]) alreadyDone += 1;
          else selected.push(sampleId);
        }
      }
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
    },

    async readCampaignPage(input: {
      listFile: string;
      offset: number;
      limit: number;
    }): Promise<string[]> {
      return lists.page(input.listFile, input.offset, input.limit);
    },

    async recordCampaignOutcomes(input: {
      campaignId: string;
      seq: number;
      outcomes: CampaignSampleOutcome[];
    }): Promise<void> {
      const files = campaignFiles(deps.layout, input.campaignId);
      await writeOutcomeBatch(files.outcomesDir, input.seq, input.outcomes);
    },

    /**
     * The samples of the window whose workflows ended without telling the campaign (terminated
     * by an operator, timed out...), with what became of them.
     */
    async findSilentSamples(input: {
      pipelineVersion: string;
      samples: { sampleId: string; workflowId: string }[];
    }): Promise<Omit<CampaignSampleOutcome, 'at'>[]> {
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
    },

    async writeCampaignReport(input: { progress: CampaignProgress }): Promise<string> {
      const files = campaignFiles(deps.layout, input.progress.campaignId);
      // One outcome file per sample: tens of thousands at national scale.
      const read = await beating(currentActivity(), () => readOutcomes(files.outcomesDir));
      const outcomes = read.sort((a, b) => a.sampleId.localeCompare(b.sampleId));
      const resolution = (await readJsonIfExists(files.resolution)) as
        CampaignResolution | undefined;
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
    },
  };
}
