/**
 * `harmonise demo`: the main job on the embedded default. Synthetic regions place in-place
 * submissions and signal them complete; every genome is harmonised; a frequency release is cut;
 * a campaign reruns one region.
 */
import type { PublishedRelease } from '../activities/frequency.ts';
import { DEFAULT_SEED, generateDemo, type DemoLayout } from '../demo/generate.ts';
import { HarmoniseClient } from '../client.ts';
import { temporalUiUrl, type Config } from '../config.ts';
import { pathExists, writeJsonAtomic } from '../store/atomic.ts';
import type { CampaignCounts } from '../domain/campaign.ts';
import type { SubmissionStatus } from '../domain/status.ts';
import type { Logger } from '../logger.ts';
import { progress } from './output.ts';
import { up } from './services.ts';

/** The machine-readable result (`harmonise demo --json`, see docs/interfaces.md). */
export interface DemoReport {
  dataRoot: string;
  reference: string;
  /** The Temporal Web UI; null when the server has none (a Temporal cluster). */
  temporalUi: string | null;
  /** The HTTP API's base URL; the dashboard is its root page. */
  api: string;
  dashboard: string;
  /** Development tokens for the API and the dashboard, role → token (mode 0600). */
  tokensFile: string;
  submissions: { region: string; submissionId: string; status: string }[];
  samples: {
    sampleId: string;
    region: string;
    mode: string | null;
    status: 'done' | 'rejected' | 'failed';
    cram: string | null;
    gvcf: string | null;
    /** How the sample is counted on the sex chromosomes (null: its pipeline names none). */
    karyotype: { karyotype: string; inferred: boolean; warning: string | null } | null;
  }[];
  /** The demo's rerun campaign (hovedstaden, noop pipeline). */
  campaign: { campaignId: string; state: string; counts: CampaignCounts } | null;
  release: { releaseId: string; dir: string; vcf: string; samples: number; sites: number } | null;
}

const DEMO_CAMPAIGN = {
  name: 'demo rerun',
  pipelineVersion: 'noop',
  selection: { expression: 'region=hovedstaden' },
  maxConcurrent: 4,
  requestedBy: 'demo',
};

export async function runDemo(
  config: Config,
  logger: Logger,
  options: { seed?: number; bootstrap: boolean; executorChosen: boolean },
): Promise<DemoReport> {
  const services = await up(config, logger, {
    bootstrap: options.bootstrap,
    executorChosen: options.executorChosen,
  });
  if (services.temporalUi) progress(`Temporal UI: ${services.temporalUi}`);
  progress(`API and dashboard: ${services.api}/ (tokens in ${services.tokensFile})`);
  const layout = await prepareDemo(config, options.seed ?? DEFAULT_SEED);

  const client = await HarmoniseClient.connect(config);
  try {
    const finals = await harmoniseSubmissions(client, layout);
    const release = await cutRelease(client);
    const campaign = await rerunCampaign(client);
    return {
      dataRoot: config.dataRoot,
      reference: layout.referenceFasta,
      temporalUi: temporalUiUrl(config),
      api: services.api,
      dashboard: `${services.api}/`,
      tokensFile: services.tokensFile,
      submissions: finals.map((s) => ({
        region: s.region,
        submissionId: s.submissionId,
        status: s.status,
      })),
      samples: await sampleOutcomes(client, finals),
      campaign,
      release: {
        releaseId: release.releaseId,
        dir: release.dir,
        vcf: release.vcf,
        samples: release.samples,
        sites: release.sites,
      },
    };
  } finally {
    await client.close();
  }
}

/** The synthetic reference and regional submissions, and a policy file if there is none. */
async function prepareDemo(config: Config, seed: number): Promise<DemoLayout> {
  progress('generating the synthetic reference and regional submissions');
  const layout = await generateDemo({
    dataRoot: config.dataRoot,
    seed,
    ...(config.demoCache ? { cacheDir: config.demoCache } : {}),
    log: (message) => progress(message),
  });
  // The demo's regions exercise every mode; an operator's own policy file is never replaced.
  if (!(await pathExists(config.policyFile))) {
    await writeJsonAtomic(config.policyFile, layout.policy);
    progress(
      `policy: ${JSON.stringify(layout.policy.regions)} (others ${layout.policy.default}) in ${config.policyFile}`,
    );
  }
  return layout;
}

/** Signals every submission complete, then waits for each to end. */
async function harmoniseSubmissions(
  client: HarmoniseClient,
  layout: DemoLayout,
): Promise<SubmissionStatus[]> {
  for (const submission of layout.submissions) {
    const signalled = await client.completeSubmission(submission.region, submission.submissionId, {
      requestedBy: `demo:${submission.region}`,
    });
    progress(
      `${submission.region}/${submission.submissionId}: ${signalled.outcome === 'signalled' ? 'submission complete signalled' : 'already finished earlier'}`,
    );
  }
  const finals: SubmissionStatus[] = [];
  for (const submission of layout.submissions) {
    const final = await client.waitForSubmission(submission.region, submission.submissionId);
    progress(`${submission.region}/${submission.submissionId}: ${final.status}`);
    finals.push(final);
  }
  return finals;
}

async function cutRelease(client: HarmoniseClient): Promise<PublishedRelease> {
  progress('cutting a frequency release');
  const releaseId = await client.startRelease({ requestedBy: 'demo' });
  const release = await client.waitForRelease(releaseId);
  progress(`release ${release.releaseId}: ${release.samples} samples, ${release.sites} sites`);
  return release;
}

/**
 * A rerun campaign over one region with the noop pipeline: intake is checked again and every
 * step runs as a job, and nothing published is touched. A second demo skips them.
 */
async function rerunCampaign(
  client: HarmoniseClient,
): Promise<NonNullable<DemoReport['campaign']>> {
  progress(`rerunning ${DEMO_CAMPAIGN.selection.expression} in a campaign (noop pipeline)`);
  const { campaignId } = await client.startCampaign(DEMO_CAMPAIGN);
  const campaign = await client.waitForCampaign(campaignId);
  const counts = campaign.counts;
  progress(
    `campaign ${campaignId}: ${campaign.state}, ${counts.done} done, ${counts.failed} failed, ${counts.rejected} rejected, ${counts.skipped} skipped`,
  );
  return { campaignId, state: campaign.state, counts };
}

/** Each sample's outcome and, where it was harmonised, its published files. */
async function sampleOutcomes(
  client: HarmoniseClient,
  finals: readonly SubmissionStatus[],
): Promise<DemoReport['samples']> {
  const samples: DemoReport['samples'] = [];
  for (const submission of finals) {
    for (const sample of submission.samples) {
      const record = await client.sampleStatus(sample.sampleId).then((r) => r.record);
      const version = submission.pipelineVersion
        ? record?.versions[submission.pipelineVersion]
        : undefined;
      samples.push({
        sampleId: sample.sampleId,
        region: submission.region,
        mode: sample.mode,
        status:
          sample.status === 'done' ? 'done' : sample.status === 'rejected' ? 'rejected' : 'failed',
        cram: version?.files.cram ?? null,
        gvcf: version?.files.gvcf ?? null,
        karyotype: version?.karyotype
          ? {
              karyotype: version.karyotype.karyotype,
              inferred: version.karyotype.inferred,
              warning: version.karyotype.warning,
            }
          : null,
      });
    }
  }
  return samples;
}

export function demoSucceeded(report: DemoReport): boolean {
  return (
    report.release !== null &&
    report.samples.every((s) => s.status === 'done') &&
    report.campaign?.state === 'completed' &&
    report.campaign.counts.failed === 0 &&
    report.campaign.counts.rejected === 0
  );
}
