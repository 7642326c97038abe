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
 * fault: a new job in Slurm's records or one more sample finished.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { round } from '../../bench/args.ts';
import { generateDemo } from '../../infra/demo/generate.ts';
import { HarmoniseClient } from '../../src/client.ts';
import { LOCAL_SLURM_CONF, loadConfig, PROJECT_ROOT } from '../../src/config.ts';
import type { CampaignProgress } from '../../src/domain/campaign.ts';
import { cliEnv, harmonise, type CliEnv } from '../helpers/cli.ts';
import { chaosSubmissions } from './cohort.ts';
import {
  drainNode,
  killTemporal,
  killWorker,
  restartSlurmctld,
  up,
  type FaultKind,
  type Injected,
} from './faults.ts';
import { slurmJobs, type SlurmJob } from './slurm-records.ts';
import {
  corruptOutputs,
  duplicateSubmissions,
  isCampaignJob,
  lostSamples,
  releaseMismatches,
  repeatedSteps,
  type Finding,
} from './verify.ts';

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
  log: (line: string) => void;
}

export interface FaultRecord {
  kind: FaultKind;
  at: string;
  /** Seconds since the campaign started. */
  atSeconds: number;
  detail: string;
  recoveredAt: string | null;
  recoverySeconds: number | null;
}

export interface ChaosReport {
  suite: 'chaos';
  samples: number;
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
  /** Steps that needed more than one attempt: none of these faults may fail a job. */
  repeatedSteps: number;
  release: { releaseId: string; samples: number; sites: number; mismatches: number };
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

/** The order of faults: the worker kills, with the three one-off faults spread among them. */
export function faultPlan(workerKills: number): FaultKind[] {
  const plan: FaultKind[] = Array.from({ length: workerKills }, () => 'worker-sigkill');
  const total = workerKills + 3;
  const specials: FaultKind[] = ['temporal-sigkill', 'slurmctld-restart', 'node-drain'];
  specials.forEach((kind, i) => plan.splice(Math.round(((i + 1) * total) / 4), 0, kind));
  return plan;
}

async function writeSetup(root: string): Promise<void> {
  const pipelines = path.join(root, 'pipelines');
  await fs.mkdir(pipelines, { recursive: true });
  const one = await fs.readFile(path.join(PROJECT_ROOT, 'pipelines/1.json'), 'utf8');
  await fs.writeFile(path.join(pipelines, '1.json'), one);
  const two = {
    ...(JSON.parse(one) as Record<string, unknown>),
    version: VERSION,
    description: 'Fault suite: national pipeline 1 under a new number, so a campaign reruns all.',
  };
  await fs.writeFile(path.join(pipelines, `${VERSION}.json`), JSON.stringify(two, null, 2));
  const policy = { schema: 'harmonise.policy/v1', default: 'none', pipelineVersion: '1' };
  await fs.writeFile(path.join(root, 'policy.json'), JSON.stringify(policy, null, 2));
}

/** Jobs Slurm recorded for the campaign, remembered across moments it does not answer. */
class Watch {
  readonly jobs = new Map<string, SlurmJob>();
  finished = 0;
  progress: CampaignProgress | null = null;

  constructor(
    private readonly client: HarmoniseClient,
    private readonly campaignId: string,
    /** Jobs up to this id were there before the campaign (the cluster outlives data roots). */
    private readonly firstJobId: number,
  ) {}

  /** Keeps the campaign's jobs among Slurm's records. */
  add(jobs: ReadonlyMap<string, SlurmJob> | null): void {
    for (const job of jobs?.values() ?? [])
      if (Number(job.jobId) >= this.firstJobId && isCampaignJob(VERSION)(job.name))
        this.jobs.set(job.jobId, job);
  }

  /** Jobs seen plus samples finished: grows only when harmonise moves on. */
  async read(): Promise<number> {
    this.add(await slurmJobs().catch(() => null));
    const progress = await within(5000, this.client.campaignProgress(this.campaignId));
    if (progress) {
      this.progress = progress;
      const c = progress.counts;
      this.finished = c.done + c.failed + c.rejected + c.skipped + c.cancelled;
    }
    return this.jobs.size + this.finished;
  }

  get ended(): boolean {
    const state = this.progress?.state;
    return state === 'completed' || state === 'cancelled';
  }
}

/** The promise's value, or null when it fails or takes longer (a server being restarted). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function inject(kind: FaultKind, cli: CliEnv): Promise<Injected> {
  switch (kind) {
    case 'worker-sigkill':
      return killWorker(cli);
    case 'temporal-sigkill':
      return killTemporal(cli);
    case 'slurmctld-restart':
      return restartSlurmctld();
    case 'node-drain':
      return drainNode();
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log;
  const wallStart = Date.now();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-chaos-'));
  const cli = await cliEnv(root);
  Object.assign(cli.env, {
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
    await writeSetup(root);
    const layout = await generateDemo({
      dataRoot: root,
      submissions: chaosSubmissions(options.samples),
      log: (line) => log(`demo: ${line}`),
    });
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
    const watch = new Watch(client, campaignId, firstJobId);
    log(`campaign ${campaignId}: ${sampleIds.length} samples to pipeline ${VERSION}, mode full`);

    const faults: FaultRecord[] = [];
    const plan = faultPlan(options.workerKills);
    // Jobs must be under way before the first fault.
    while ((await watch.read()) === 0 && Date.now() < deadline) await sleep(500);
    for (const [i, kind] of plan.entries()) {
      if (watch.ended || Date.now() > deadline) break;
      const before = await watch.read();
      const at = Date.now();
      const injected = await inject(kind, cli);
      const record: FaultRecord = {
        kind,
        at: new Date(at).toISOString(),
        atSeconds: round((at - campaignStart) / 1000),
        detail: injected.detail,
        recoveredAt: null,
        recoverySeconds: null,
      };
      faults.push(record);
      // Recovered: harmonise moved on (a new job, a finished sample) or the campaign ended.
      while (Date.now() < deadline) {
        const now = await watch.read();
        if (now > before || watch.ended) {
          record.recoveredAt = new Date().toISOString();
          record.recoverySeconds = round((Date.now() - at) / 1000);
          break;
        }
        await sleep(250);
      }
      log(
        `fault ${i + 1}/${plan.length} ${kind} at ${record.atSeconds} s: ${record.detail}; ` +
          (record.recoverySeconds === null
            ? 'not recovered'
            : `moving again after ${record.recoverySeconds} s`),
      );
      await sleep(1000 + ((i * 2_654_435_761) % 5000));
    }

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
      config.temporal.address,
      sampleIds,
      VERSION,
    );
    const duplicates = duplicateSubmissions(watch.jobs, VERSION);
    const retried = repeatedSteps(watch.jobs, VERSION);
    const corrupt = await corruptOutputs(
      root,
      layout.referenceFasta,
      CONTIGS,
      sampleIds,
      VERSION,
      watch.jobs,
    );

    log('cutting a frequency release over the campaign and recomputing it independently');
    const releaseId = await client.startRelease({ pipelineVersion: VERSION, requestedBy: 'chaos' });
    const release = await client.waitForRelease(releaseId);
    const scratch = await fs.mkdtemp(path.join(root, 'independent-'));
    const compared = await releaseMismatches(release.dir, layout.referenceFasta, scratch);
    if (compared.samples !== sampleIds.length - lost.length)
      findings.push({
        sampleId: null,
        problem: `the release has ${compared.samples} samples, ${sampleIds.length - lost.length} were harmonised`,
      });
    findings.push(
      ...lost,
      ...doneTwice,
      ...duplicates.map(({ sampleId, problem }) => ({ sampleId, problem })),
      ...retried,
      ...corrupt,
      ...compared.mismatches.slice(0, 20).map((problem) => ({ sampleId: null, problem })),
    );

    const recovered = faults.filter((f) => f.recoverySeconds !== null);
    const report: ChaosReport = {
      suite: 'chaos',
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
      release: {
        releaseId,
        samples: compared.samples,
        sites: compared.sites,
        mismatches: compared.mismatches.length,
      },
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
