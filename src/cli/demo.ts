/**
 * `harmonise demo`: the main job on the embedded default. Synthetic regions place in-place
 * submissions and signal them complete; every genome is harmonised; a frequency release is cut.
 */
import { DEFAULT_SEED, generateDemo } from '../../infra/demo/generate.ts';
import { HarmoniseClient } from '../client.ts';
import { temporalUiUrl, type Config } from '../config.ts';
import { pathExists, writeJsonAtomic } from '../store/atomic.ts';
import type { SubmissionStatus } from '../domain/status.ts';
import type { Logger } from '../logger.ts';
import { progress } from './output.ts';
import { up } from './services.ts';

/** The machine-readable result (DESIGN §8, `harmonise demo --json`). */
export interface DemoReport {
  dataRoot: string;
  reference: string;
  temporalUi: string;
  submissions: { region: string; submissionId: string; status: string }[];
  samples: {
    sampleId: string;
    region: string;
    mode: string | null;
    status: 'done' | 'rejected' | 'failed';
    cram: string | null;
    gvcf: string | null;
  }[];
  release: { releaseId: string; dir: string; vcf: string; samples: number; sites: number } | null;
}

export async function runDemo(
  config: Config,
  logger: Logger,
  options: { seed?: number; bootstrap: boolean; executorChosen: boolean },
): Promise<DemoReport> {
  const services = await up(config, logger, {
    bootstrap: options.bootstrap,
    executorChosen: options.executorChosen,
  });
  progress(`Temporal UI: ${services.temporalUi}`);
  progress('generating the synthetic reference and regional submissions');
  const layout = await generateDemo({
    dataRoot: config.dataRoot,
    seed: options.seed ?? DEFAULT_SEED,
    log: (message) => progress(message),
  });
  // The demo's regions exercise every mode; an operator's own policy file is never replaced.
  if (!(await pathExists(config.policyFile))) {
    await writeJsonAtomic(config.policyFile, layout.policy);
    progress(
      `policy: ${JSON.stringify(layout.policy.regions)} (others ${layout.policy.default}) in ${config.policyFile}`,
    );
  }

  const client = await HarmoniseClient.connect(config);
  try {
    const finals: SubmissionStatus[] = [];
    for (const submission of layout.submissions) {
      const signalled = await client.completeSubmission(
        submission.region,
        submission.submissionId,
        {
          requestedBy: `demo:${submission.region}`,
        },
      );
      progress(
        `${submission.region}/${submission.submissionId}: ${signalled.outcome === 'signalled' ? 'submission complete signalled' : 'already finished earlier'}`,
      );
    }
    for (const submission of layout.submissions) {
      const final = await client.waitForSubmission(submission.region, submission.submissionId);
      progress(`${submission.region}/${submission.submissionId}: ${final.status}`);
      finals.push(final);
    }

    progress('cutting a frequency release');
    const releaseId = await client.startRelease({ requestedBy: 'demo' });
    const release = await client.waitForRelease(releaseId);
    progress(`release ${release.releaseId}: ${release.samples} samples, ${release.sites} sites`);

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
            sample.status === 'done'
              ? 'done'
              : sample.status === 'rejected'
                ? 'rejected'
                : 'failed',
          cram: version?.files.cram ?? null,
          gvcf: version?.files.gvcf ?? null,
        });
      }
    }
    return {
      dataRoot: config.dataRoot,
      reference: layout.referenceFasta,
      temporalUi: temporalUiUrl(config),
      submissions: finals.map((s) => ({
        region: s.region,
        submissionId: s.submissionId,
        status: s.status,
      })),
      samples,
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

export function demoSucceeded(report: DemoReport): boolean {
  return report.release !== null && report.samples.every((s) => s.status === 'done');
}
