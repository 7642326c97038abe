/**
 * The fault suite: a rerun campaign over demo genomes on the real single-node Slurm and the
 * embedded Temporal server, with faults injected one after another while it runs, then checked
 * from the sources that would show a loss (verify.ts).
 *
 * How the campaign gets real work: the cohort is first ingested as it is (policy mode `none`,
 * pipeline 1: intake, one adopt job each), then a campaign reruns every sample with pipeline 2 in
 * mode `full` (align, markdup, call from the submitted reads). Pipeline 2 is pipeline 1 under a
 * new number, written into this run's own pipelines folder: the repository's specs are untouched.
 *
 * A fault counts as recovered when the stack is whole again and harmonise has moved on since the
 * fault: a new job in Slurm's records or one more sample finished. Besides form (nothing lost,
 * submitted twice or broken: verify.ts), the suite checks content (content.ts): every read
 * submitted is in the harmonised CRAM, every gVCF calls the planted truth variants, and the
 * release lists exactly the cohort.
 */
import { temporalConnectionOptions } from '../../src/temporal-connection.ts';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { round } from '../../bench/args.ts';
import { generateDemo } from '../../src/demo/generate.ts';
import { HarmoniseClient } from '../../src/client.ts';
import { LOCAL_SLURM_CONF, loadConfig } from '../../src/config.ts';
import { cliEnv, harmonise } from '../helpers/cli.ts';
import { chaosSubmissions, writeSetup } from './cohort.ts';
import { contentOf, minRecall, sampleSetDiff, type SampleContent } from './content.ts';
import { up } from './faults.ts';
import { faultPlan, injectFaults, type FaultRecord } from './plan.ts';
import { slurmJobs } from './slurm-records.ts';
import {
  corruptOutputs,
  duplicateSubmissions,
  lostSamples,
  nodeDownRetries,
  releaseMismatches,
  repeatedSteps,
  type Finding,
} from './verify.ts';
import { Watch } from './watch.ts';

export type { FaultRecord } from './plan.ts';

export interface ChaosOptions {
  samples: number;
  workerKills: number;
  /** The campaign's window while faults are injected: small, so the campaign outlasts them. */
  faultConcurrency: number;
  /** The window once every fault is in: the rest runs at full speed. */
  maxConcurrent: number;
  /** Keep the data root (it is always kept when something was lost or broken). */
  keep: boolean;
  /** Gives up on the campaign after this long. */
  timeoutMinutes: number;
  /** The dev server, or a local cluster (PostgreSQL, mTLS). */
  temporal: 'dev' | 'cluster';
  /** Worker processes on the task queue; a worker fault kills any one of them. */
  workers: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  suite: 'chaos';
  samples: number;
  temporal: 'dev' | 'cluster';
  workers: number;
  pipelineVersion: string;
  campaignId: string;
  campaignState: string;
  faultsInjected: number;
  recoveries: number;
  maxRecoverySeconds: number | null;
  lost: number;
  duplicateSubmissions: number;
  corruptOutputs: number;
  /** Samples with more than one completed run for the version (a sample done twice). */
  doneTwice: number;
  /**
   * Steps that needed more than one attempt for a reason other than the node-down fault: none of
   * the other faults may fail a job.
   */
  repeatedSteps: number;
  /** Steps run again under a new attempt key after the node-down fault killed their job. */
  nodeDownRetries: number;
  /** Samples whose harmonised CRAM does not hold exactly the reads they submitted. */
  readCountMismatches: number;
  /** The lowest fraction of a sample's truth variants its gVCF calls (null: none checked). */
  minRecall: number | null;
  /** The release's samples.tsv lists exactly the cohort: none missing, none extra, none twice. */
  releaseSampleSetExact: boolean;
  release: { releaseId: string; samples: number; sites: number; mismatches: number };
  /** Per sample: reads submitted and in the CRAM, truth variants and how many the gVCF calls. */
  sampleContent: SampleContent[];
  faults: FaultRecord[];
  /** Everything found wrong, one line each; empty when the run is clean. */
  findings: Finding[];
  /** The campaign's window while the faults ran, and after. */
  window: { duringFaults: number; after: number };
  campaignSeconds: number;
  wallSeconds: number;
  slurmJobs: number;
  dataRoot: string | null;
}

const VERSION = '2';
const CONTIGS = ['chr1', 'chr2', 'chr3'];

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log;
  const wallStart = Date.now();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-chaos-'));
  const cli = await cliEnv(root, { temporal: options.temporal });
  Object.assign(cli.env, {
    HARMONISE_WORKERS: String(options.workers),
    HARMONISE_EXECUTOR: 'slurm',
    HARMONISE_PIPELINES: path.join(root, 'pipelines'),
    // The faults act on the project's own cluster: never on one the environment names.
    HARMONISE_SLURM_CONF: LOCAL_SLURM_CONF,
    HARMONISE_SLURM_ACCOUNTING: 'jobcomp',
  });
  const config = loadConfig(cli.env);
  let clean = false;
  let client: HarmoniseClient | null = null;
  try {
    await writeSetup(root, VERSION);
    const layout = await generateDemo({
      dataRoot: root,
      submissions: chaosSubmissions(options.samples),
      log: (line) => log(`demo: ${line}`),
    });
    // The fault suite's pipelines are pipeline 1 and a copy: their reference is chr1–3 alone.
    const reference = layout.references.find((r) => r.version === '1')!.fasta;
    const sampleIds = layout.samples.map((s) => s.sampleId);
    await up(cli);
    client = await HarmoniseClient.connect(config);

    log(`ingesting ${sampleIds.length} samples as submitted (mode none, pipeline 1)`);
    for (const s of layout.submissions)
      await client.completeSubmission(s.region, s.submissionId, { requestedBy: 'chaos' });
    for (const s of layout.submissions) {
      const final = await client.waitForSubmission(s.region, s.submissionId);
      if (final.status !== 'accepted')
        throw new Error(`${s.region}/${s.submissionId} was ${final.status}, not accepted`);
    }

    const earlier = await slurmJobs();
    if (earlier === null) throw new Error('the Slurm controller does not answer');
    const firstJobId = Math.max(0, ...[...earlier.keys()].map(Number)) + 1;
    const { campaignId } = await client.startCampaign({
      name: 'chaos',
      pipelineVersion: VERSION,
      selection: { expression: `pipelineVersion!=${VERSION}` },
      mode: 'full',
      maxConcurrent: options.faultConcurrency,
      requestedBy: 'chaos',
    });
    const campaignStart = Date.now();
    const deadline = campaignStart + options.timeoutMinutes * 60_000;
    const watch = new Watch(client, campaignId, VERSION, firstJobId);
    log(`campaign ${campaignId}: ${sampleIds.length} samples to pipeline ${VERSION}, mode full`);

    const plan = faultPlan(options.workerKills);
    // Jobs must be under way before the first fault.
    while ((await watch.read()) === 0 && Date.now() < deadline) await sleep(500);
    const faults = await injectFaults({ plan, cli, watch, campaignStart, deadline, log });

    if (!watch.ended) {
      const widened = await client.controlCampaign(
        campaignId,
        { maxConcurrent: options.maxConcurrent },
        'chaos',
      );
      log(`faults done; window ${options.faultConcurrency} → ${widened.maxConcurrent}`);
    }
    while (!watch.ended && Date.now() < deadline) {
      await watch.read();
      await sleep(1000);
    }
    const campaignSeconds = round((Date.now() - campaignStart) / 1000);
    const state = watch.progress?.state ?? 'unknown';
    log(`campaign ${state} after ${campaignSeconds} s; verifying`);

    const findings: Finding[] = [];
    if (faults.length < plan.length)
      findings.push({
        sampleId: null,
        problem: `the campaign ended after ${faults.length} of ${plan.length} faults: use more samples`,
      });
    if (state !== 'completed') findings.push({ sampleId: null, problem: `campaign ${state}` });
    const counts = watch.progress?.counts;
    if (counts && (counts.failed > 0 || counts.rejected > 0 || counts.cancelled > 0))
      findings.push({ sampleId: null, problem: `campaign counts ${JSON.stringify(counts)}` });

    watch.add(await slurmJobs());
    const { lost, doneTwice } = await lostSamples(
      root,
      temporalConnectionOptions(config.temporal),
      sampleIds,
      VERSION,
    );
    const duplicates = duplicateSubmissions(watch.jobs, VERSION);
    const killed = new Set(faults.flatMap((f) => f.killedJobs ?? []));
    const retried = repeatedSteps(watch.jobs, VERSION, killed);
    const nodeDown = nodeDownRetries(watch.jobs, VERSION, killed);
    if (faults.some((f) => f.kind === 'node-down') && nodeDown.retried.length === 0)
      findings.push({
        sampleId: null,
        problem: `no step ran again after the node-down fault (killed jobs: ${[...killed].join(', ') || 'none'})`,
      });
    const corrupt = await corruptOutputs(root, reference, CONTIGS, sampleIds, VERSION, watch.jobs);

    log('counting reads and truth variants in every harmonised sample');
    const submissionDirs = new Map(layout.submissions.map((s) => [s.submissionId, s.dir]));
    const content = await contentOf(
      root,
      reference,
      layout.samples.map((s) => ({
        sampleId: s.sampleId,
        submissionDir: submissionDirs.get(s.submissionId)!,
        readType: s.readType,
        truthVcf: s.truthVcf,
      })),
      VERSION,
    );

    log('cutting a frequency release over the campaign and recomputing it independently');
    const releaseId = await client.startRelease({ pipelineVersion: VERSION, requestedBy: 'chaos' });
    const release = await client.waitForRelease(releaseId);
    const scratch = await fs.mkdtemp(path.join(root, 'independent-'));
    const compared = await releaseMismatches(release.dir, reference, scratch);
    if (compared.samples !== sampleIds.length - lost.length)
      findings.push({
        sampleId: null,
        problem: `the release has ${compared.samples} samples, ${sampleIds.length - lost.length} were harmonised`,
      });
    const listed = sampleSetDiff(sampleIds, compared.sampleIds);
    if (!listed.exact)
      findings.push({
        sampleId: null,
        problem:
          `the release's samples.tsv is not the cohort: missing [${listed.missing.join(', ')}], ` +
          `extra [${listed.extra.join(', ')}], listed twice [${listed.repeated.join(', ')}]`,
      });
    findings.push(
      ...lost,
      ...doneTwice,
      ...duplicates.map(({ sampleId, problem }) => ({ sampleId, problem })),
      ...retried,
      ...nodeDown.findings,
      ...corrupt,
      ...content.findings,
      ...compared.mismatches.slice(0, 20).map((problem) => ({ sampleId: null, problem })),
    );

    const recovered = faults.filter((f) => f.recoverySeconds !== null);
    const report: ChaosReport = {
      suite: 'chaos',
      temporal: options.temporal,
      workers: options.workers,
      samples: sampleIds.length,
      pipelineVersion: VERSION,
      campaignId,
      campaignState: state,
      faultsInjected: faults.length,
      recoveries: recovered.length,
      maxRecoverySeconds: recovered.length
        ? Math.max(...recovered.map((f) => f.recoverySeconds!))
        : null,
      lost: lost.length,
      duplicateSubmissions: duplicates.reduce((sum, d) => sum + d.extra, 0),
      corruptOutputs: corrupt.length,
      doneTwice: doneTwice.length,
      repeatedSteps: retried.length,
      nodeDownRetries: nodeDown.retried.length,
      readCountMismatches: content.readCountMismatches,
      minRecall: minRecall(content.rows),
      releaseSampleSetExact: listed.exact,
      release: {
        releaseId,
        samples: compared.samples,
        sites: compared.sites,
        mismatches: compared.mismatches.length,
      },
      sampleContent: content.rows,
      faults,
      findings,
      window: { duringFaults: options.faultConcurrency, after: options.maxConcurrent },
      campaignSeconds,
      wallSeconds: round((Date.now() - wallStart) / 1000),
      slurmJobs: watch.jobs.size,
      dataRoot: null,
    };
    clean = findings.length === 0 && report.recoveries === report.faultsInjected;
    if (!clean || options.keep) report.dataRoot = root;
    return report;
  } finally {
    await client?.close().catch(() => {});
    const down = await harmonise(cli, ['down', '--json']);
    if (down.exitCode !== 0) log(`harmonise down failed: ${down.stderr.slice(-2000)}`);
    if (clean && !options.keep) await fs.rm(root, { recursive: true, force: true });
    else log(`data kept in ${root}`);
  }
}
