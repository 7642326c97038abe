/**
 * The typed client used by cli/ (and later api/): starts and signals workflows, reads their
 * status, and falls back to the on-disk records when Temporal no longer holds a workflow.
 */
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { campaignRequestSchema } from './domain/campaign-request.ts';
import {
  newCampaignId,
  progressOfReport,
  type CampaignProgress,
  type CampaignReport,
} from './domain/campaign.ts';
import { parseSelection } from './domain/selection.ts';
import { campaignFiles, readSampleIds, writeSampleList } from './store/campaigns.ts';
import type { campaignWorkflow } from './workflows/campaign.ts';
import type { PublishedRelease } from './activities/frequency.ts';
import type { Config } from './config.ts';
import type { HarmonisationMode } from './domain/policy.ts';
import type { ProbeInput } from './domain/probe.ts';
import type { SampleRecord } from './domain/sample-record.ts';
import type { SampleWorkflowStatus, SubmissionStatus } from './domain/status.ts';
import { HarmoniseError, ServiceUnreachableError, UsageError, errorMessage } from './errors.ts';
import {
  SearchAttribute,
  campaignWorkflowId,
  frequencyWorkflowId,
  probeWorkflowId,
  sampleWorkflowId,
  submissionWorkflowId,
} from './shared.ts';
import { readJsonIfExists } from './store/atomic.ts';
import { Catalogue } from './store/catalogue.ts';
import { createLayout, type Layout } from './store/layout.ts';
import { PipelineRegistry } from './store/pipelines.ts';
import type { frequencyReleaseWorkflow } from './workflows/frequency-release.ts';
import type { JobProbeResult, jobProbeWorkflow } from './workflows/job-probe.ts';
import {
  campaignProgressQuery,
  cancelCampaignUpdate,
  pauseCampaignUpdate,
  releaseStatusQuery,
  resumeCampaignUpdate,
  setConcurrencyUpdate,
  sampleStatusQuery,
  submissionCompleteSignal,
  submissionStatusQuery,
} from './workflows/messages.ts';
import type { submissionWorkflow } from './workflows/submission.ts';

export interface CompleteSubmissionResult {
  workflowId: string;
  /** `signalled`: the workflow received the signal (new or running); `already-finished`: nothing started. */
  outcome: 'signalled' | 'already-finished';
}

export interface SampleWorkflowReport {
  workflowId: string;
  pipelineVersion: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT... */
  execution: string;
  status: SampleWorkflowStatus | null;
}

export interface SampleStatusReport {
  sampleId: string;
  record: SampleRecord | null;
  workflows: SampleWorkflowReport[];
}

/** Release ids sort by time: `20261126T171500.123Z`. */
export function newReleaseId(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '');
}

export class HarmoniseClient {
  readonly layout: Layout;

  private constructor(
    private readonly config: Config,
    private readonly connection: Connection,
    readonly temporal: Client,
  ) {
    this.layout = createLayout(config.dataRoot);
  }

  static async connect(config: Config, timeoutMs = 5000): Promise<HarmoniseClient> {
    let connection: Connection;
    try {
      connection = await Connection.connect({
        address: config.temporal.address,
        connectTimeout: timeoutMs,
      });
      await connection.workflowService.getSystemInfo({});
    } catch (error) {
      throw new ServiceUnreachableError(
        `Temporal is not reachable at ${config.temporal.address}: run "harmonise up" first`,
        { cause: error },
      );
    }
    const client = new Client({ connection, namespace: config.temporal.namespace });
    return new HarmoniseClient(config, connection, client);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Signal-with-start of `submissionComplete`; a finished submission is never started again. */
  async completeSubmission(
    region: string,
    submissionId: string,
    request: { requestedBy: string; mode?: HarmonisationMode },
  ): Promise<CompleteSubmissionResult> {
    const workflowId = submissionWorkflowId(region, submissionId);
    try {
      await this.temporal.workflow.signalWithStart<typeof submissionWorkflow, [typeof request]>(
        'submissionWorkflow',
        {
          workflowId,
          taskQueue: this.config.temporal.taskQueue,
          args: [{ region, submissionId }],
          signal: submissionCompleteSignal,
          signalArgs: [request],
          // A submission that completed (accepted or rejected) is final; a failed one may be retried.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        },
      );
      return { workflowId, outcome: 'signalled' };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        return { workflowId, outcome: 'already-finished' };
      }
      throw error;
    }
  }

  /** The live status from the workflow, else the recorded outcome, else null. */
  async submissionStatus(region: string, submissionId: string): Promise<SubmissionStatus | null> {
    const handle = this.temporal.workflow.getHandle(submissionWorkflowId(region, submissionId));
    try {
      return await handle.query(submissionStatusQuery);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    const record = await readJsonIfExists(this.layout.submissionRecord(region, submissionId));
    return (record as SubmissionStatus | undefined) ?? null;
  }

  async waitForSubmission(region: string, submissionId: string): Promise<SubmissionStatus> {
    const handle = this.temporal.workflow.getHandle<typeof submissionWorkflow>(
      submissionWorkflowId(region, submissionId),
    );
    return handle.result();
  }

  async sampleStatus(sampleId: string): Promise<SampleStatusReport> {
    const record = await new Catalogue(this.layout).get(sampleId);
    const versions = await new PipelineRegistry(
      this.config.pipelinesDir,
      this.config.dataRoot,
    ).versions();
    const workflows: SampleWorkflowReport[] = [];
    for (const pipelineVersion of versions) {
      const workflowId = sampleWorkflowId(sampleId, pipelineVersion);
      const handle = this.temporal.workflow.getHandle(workflowId);
      try {
        const description = await handle.describe();
        const status = await handle.query(sampleStatusQuery).catch(() => null);
        workflows.push({ workflowId, pipelineVersion, execution: description.status.name, status });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    return { sampleId, record, workflows };
  }

  async startRelease(options: { pipelineVersion?: string; requestedBy: string }): Promise<string> {
    const releaseId = newReleaseId();
    await this.temporal.workflow.start<typeof frequencyReleaseWorkflow>(
      'frequencyReleaseWorkflow',
      {
        workflowId: frequencyWorkflowId(releaseId),
        taskQueue: this.config.temporal.taskQueue,
        args: [
          {
            releaseId,
            pipelineVersion: options.pipelineVersion ?? null,
            requestedBy: options.requestedBy,
          },
        ],
      },
    );
    return releaseId;
  }

  async waitForRelease(releaseId: string): Promise<PublishedRelease> {
    return this.temporal.workflow
      .getHandle<typeof frequencyReleaseWorkflow>(frequencyWorkflowId(releaseId))
      .result();
  }

  /** Runs one probe job through the worker and its executor, and waits for it. */
  async runProbe(input: ProbeInput): Promise<JobProbeResult> {
    return this.temporal.workflow.execute<typeof jobProbeWorkflow>('jobProbeWorkflow', {
      workflowId: probeWorkflowId(input.probeId),
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
    });
  }

  /**
   * Starts a campaign after checking what can be checked here (selection, samples file,
   * pipeline version), so that a bad request is a usage error, not a failed workflow. A samples
   * file is copied into the campaign's folder: the campaign keeps what it was asked.
   */
  async startCampaign(
    raw: z.input<typeof campaignRequestSchema>,
    tuning: { continueAsNewAfterEvents?: number; checkSilenceAfterSeconds?: number } = {},
  ): Promise<{ campaignId: string; workflowId: string }> {
    const parsed = campaignRequestSchema.safeParse(raw);
    if (!parsed.success) throw new UsageError(`invalid campaign: ${z.prettifyError(parsed.error)}`);
    const request = parsed.data;
    const campaignId = newCampaignId(request.name, new Date(), randomBytes(2).toString('hex'));
    if ('expression' in request.selection) {
      const selection = parseSelection(request.selection.expression);
      if (!selection.ok) throw new UsageError(`--select: ${selection.message}`);
    } else {
      const ids = await readSampleIds(request.selection.samplesFile).catch((error: unknown) => {
        throw new UsageError(`--samples: ${errorMessage(error)}`);
      });
      const copy = path.join(campaignFiles(this.layout, campaignId).dir, 'requested-samples.txt');
      await writeSampleList(copy, ids);
      request.selection = { samplesFile: copy };
    }
    await new PipelineRegistry(this.config.pipelinesDir, this.config.dataRoot).load(
      request.pipelineVersion,
    );
    const workflowId = campaignWorkflowId(campaignId);
    await this.temporal.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      workflowId,
      taskQueue: this.config.temporal.taskQueue,
      args: [{ campaignId, request, ...tuning }],
      typedSearchAttributes: [
        { key: SearchAttribute.CampaignId, value: campaignId },
        { key: SearchAttribute.PipelineVersion, value: request.pipelineVersion },
      ],
    });
    return { campaignId, workflowId };
  }

  /** The live progress, else the report of a campaign Temporal no longer holds, else null. */
  async campaignProgress(campaignId: string): Promise<CampaignProgress | null> {
    const handle = this.temporal.workflow.getHandle(campaignWorkflowId(campaignId));
    try {
      return await handle.query(campaignProgressQuery);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    const report = await readJsonIfExists(campaignFiles(this.layout, campaignId).report);
    if (report === undefined) return null;
    return progressOfReport(report as CampaignReport);
  }

  /** pause, resume, cancel or set the window of a campaign; returns its progress after. */
  async controlCampaign(
    campaignId: string,
    action: 'pause' | 'resume' | 'cancel' | { maxConcurrent: number },
    requestedBy: string,
  ): Promise<CampaignProgress> {
    const handle = this.temporal.workflow.getHandle(campaignWorkflowId(campaignId));
    try {
      if (action === 'pause')
        return await handle.executeUpdate(pauseCampaignUpdate, { args: [{ requestedBy }] });
      if (action === 'resume')
        return await handle.executeUpdate(resumeCampaignUpdate, { args: [{ requestedBy }] });
      if (action === 'cancel')
        return await handle.executeUpdate(cancelCampaignUpdate, { args: [{ requestedBy }] });
      return await handle.executeUpdate(setConcurrencyUpdate, {
        args: [{ requestedBy, maxConcurrent: action.maxConcurrent }],
      });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        const ended = await handle.describe().catch(() => null);
        if (ended === null) throw new HarmoniseError('NOT_FOUND', `no campaign ${campaignId}`);
        throw new UsageError(
          `campaign ${campaignId} has ended (${ended.status.name}) and cannot be changed`,
        );
      }
      if (error instanceof WorkflowUpdateFailedError)
        throw new UsageError(`campaign ${campaignId}: ${errorMessage(error.cause ?? error)}`);
      throw error;
    }
  }

  async waitForCampaign(campaignId: string): Promise<CampaignProgress> {
    return this.temporal.workflow
      .getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId))
      .result();
  }

  async releaseStatus(releaseId: string) {
    return this.temporal.workflow
      .getHandle(frequencyWorkflowId(releaseId))
      .query(releaseStatusQuery);
  }
}
