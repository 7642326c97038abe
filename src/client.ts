/**
 * The typed client used by cli/ and api/: starts and signals workflows, reads their
 * status, and falls back to the on-disk records when Temporal no longer holds a workflow.
 */
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { PublishedRelease } from './activities/frequency.ts';
import {
  campaignProgress,
  controlCampaign,
  recentCampaigns,
  startCampaign,
} from './client-campaigns.ts';
import type { Config } from './config.ts';
import type { CampaignProgress } from './domain/campaign.ts';
import type { HarmonisationMode } from './domain/policy.ts';
import type { ProbeInput } from './domain/probe.ts';
import type { SampleRecord } from './domain/sample-record.ts';
import type { SampleWorkflowStatus, SubmissionStatus } from './domain/status.ts';
import { CampaignMemory } from './client-campaign-fallback.ts';
import { describeTemporalSecurity, temporalConnectionOptions } from './temporal-connection.ts';
import { checkIds } from './client-checks.ts';
import { withdrawConsent, type ConsentWithdrawal } from './client-consent.ts';
import { Records } from './client-records.ts';
import { recentSubmissions } from './client-recent-submissions.ts';
import { WesRuns } from './client-wes.ts';
import { serviceHealth } from './client-health.ts';
import { submissionStatus } from './client-submissions.ts';
import { ServiceUnreachableError, errorMessage } from './errors.ts';
import {
  campaignWorkflowId,
  frequencyWorkflowId,
  newReleaseId,
  probeWorkflowId,
  sampleWorkflowId,
  submissionWorkflowId,
} from './shared.ts';
import { Catalogue } from './store/catalogue.ts';
import { createLayout, type Layout } from './store/layout.ts';
import { PipelineRegistry } from './store/pipelines.ts';
import { TokenAdmin } from './client-tokens.ts';
import { FrequencyLookup } from './lookup/service.ts';
import { composeSubmissionStatus, readSubmissionRecord } from './store/submissions.ts';
import type { campaignWorkflow } from './workflows/campaign.ts';
import type { frequencyReleaseWorkflow } from './workflows/frequency-release.ts';
import type { JobProbeResult, jobProbeWorkflow } from './workflows/job-probe.ts';
import {
  releaseStatusQuery,
  sampleStatusQuery,
  submissionCompleteSignal,
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

export { newReleaseId };

export class HarmoniseClient {
  readonly layout: Layout;
  /** The last progress each campaign answered, shown when it does not answer (client-campaigns.ts). */
  readonly campaignMemory = new CampaignMemory();
  /** What the data root holds, as the API reads it, and the API's audit entries. */
  readonly records = new Records(this);
  /** The WES view of the workflows (client-wes.ts). */
  readonly wes = new WesRuns(this);
  /** Named API tokens: made, revoked and listed by operators, audited (client-tokens.ts). */
  readonly tokens = new TokenAdmin(this);
  /** The national frequency lookup, answered from the release files (src/lookup). */
  readonly lookup: FrequencyLookup;

  private constructor(
    readonly config: Config,
    private readonly connection: Connection,
    readonly temporal: Client,
  ) {
    this.layout = createLayout(config.dataRoot);
    this.lookup = FrequencyLookup.ofConfig(config);
  }

  static async connect(config: Config, timeoutMs = 5000): Promise<HarmoniseClient> {
    const options = temporalConnectionOptions(config.temporal);
    let connection: Connection;
    try {
      connection = await Connection.connect({ ...options, connectTimeout: timeoutMs });
      await connection.workflowService.getSystemInfo({});
    } catch (error) {
      throw new ServiceUnreachableError(
        `Temporal is not reachable at ${config.temporal.address} (${describeTemporalSecurity(config.temporal)}): ` +
          `${errorMessage(error)}; run "harmonise up" first, or check the Temporal settings (docs/configuration.md)`,
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
    checkIds({ region, submissionId });
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

  /** See client-submissions.ts. */
  submissionStatus(region: string, submissionId: string): Promise<SubmissionStatus | null> {
    checkIds({ region, submissionId });
    return submissionStatus(this, region, submissionId);
  }

  async waitForSubmission(region: string, submissionId: string): Promise<SubmissionStatus> {
    checkIds({ region, submissionId });
    const handle = this.temporal.workflow.getHandle<typeof submissionWorkflow>(
      submissionWorkflowId(region, submissionId),
    );
    const progress = await handle.result();
    return (
      (await readSubmissionRecord(this.layout, region, submissionId)) ??
      composeSubmissionStatus(this.layout, progress)
    );
  }

  async sampleStatus(sampleId: string): Promise<SampleStatusReport> {
    checkIds({ sampleId });
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

  /** Records a consent withdrawal and, unless told not to, cuts a release (client-consent.ts). */
  async withdrawConsent(
    sampleId: string,
    options: { requestedBy: string; release: boolean },
  ): Promise<ConsentWithdrawal> {
    checkIds({ sampleId });
    return withdrawConsent(this, sampleId, options);
  }

  async waitForRelease(releaseId: string): Promise<PublishedRelease> {
    checkIds({ releaseId });
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

  /** Whether Temporal answers and a worker polls the task queue (client-health.ts). */
  health() {
    return serviceHealth(this);
  }

  /** See client-campaigns.ts. */
  startCampaign(
    raw: Parameters<typeof startCampaign>[1],
    tuning: Parameters<typeof startCampaign>[2] = {},
  ) {
    return startCampaign(this, raw, tuning);
  }

  campaignProgress(campaignId: string) {
    checkIds({ campaignId });
    return campaignProgress(this, campaignId);
  }

  recentCampaigns(limit: number) {
    return recentCampaigns(this, limit);
  }

  /** The live submissions first, then the newest ended ones (client-recent-submissions.ts). */
  recentSubmissions(limit: number) {
    return recentSubmissions(this, limit);
  }

  controlCampaign(
    campaignId: string,
    action: Parameters<typeof controlCampaign>[2],
    requestedBy: string,
  ) {
    checkIds({ campaignId });
    return controlCampaign(this, campaignId, action, requestedBy);
  }

  async waitForCampaign(campaignId: string): Promise<CampaignProgress> {
    checkIds({ campaignId });
    return this.temporal.workflow
      .getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId))
      .result();
  }

  async releaseStatus(releaseId: string) {
    checkIds({ releaseId });
    return this.temporal.workflow
      .getHandle(frequencyWorkflowId(releaseId))
      .query(releaseStatusQuery);
  }
}
