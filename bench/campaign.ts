/**
 * campaign: a rerun campaign over a seeded national catalogue on the embedded stack (Temporal
 * dev server on SQLite, one `harmonise worker` process, the local executor) with the `noop`
 * pipeline: the same workflows, activities, intake and job scripts as a real rerun, but jobs that
 * only exit. Measures wall time, throughput, the largest history of any run it started, and the
 * peak RSS of the worker and of the Temporal server (sampled from /proc every second).
 *
 * `npm run bench -- campaign [--samples N] [--max-concurrent N] [--keep] --json`
 */
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedCatalogue } from '../infra/demo/seed-catalogue.ts';
import { HarmoniseClient } from '../src/client.ts';
import { DEFAULT_REGIONS, loadConfig, PROJECT_ROOT } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startBenchTemporal } from './temporal.ts';
import { option, round } from './args.ts';

/** Resident set size of a process in MiB, or null once it is gone. */
function rssMiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export async function runCampaignBench(args: string[]): Promise<Record<string, unknown>> {
  const samples = option(args, '--samples', 1000);
  const maxConcurrent = option(args, '--max-concurrent', 200);
  const profileAt = args.indexOf('--profile');
  const profileDir = profileAt >= 0 ? path.resolve(args[profileAt + 1] ?? 'profile') : null;
  const logger = createLogger(process.env.HARMONISE_LOG_LEVEL ?? 'warn');
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'harmonise-bench-campaign-'));
  const progress = (text: string) => process.stderr.write(`bench campaign: ${text}\n`);

  const seedStart = Date.now();
  await seedCatalogue({ dataRoot: root, samples, regions: DEFAULT_REGIONS });
  const seedSeconds = (Date.now() - seedStart) / 1000;
  progress(`seeded ${samples} samples in ${round(seedSeconds)} s under ${root}`);

  const temporal = await startBenchTemporal(root, logger);
  const { address } = temporal;
  const env = {
    ...process.env,
    HARMONISE_DATA: root,
    HARMONISE_TEMPORAL_ADDRESS: address,
    HARMONISE_EXECUTOR: 'local',
    // noop jobs use no CPU: the budget only limits how many run at once.
    HARMONISE_LOCAL_CPUS: String(Math.max(64, maxConcurrent)),
    HARMONISE_LOG_LEVEL: 'warn',
  };
  const workerLog = fs.openSync(path.join(root, 'worker.log'), 'a');
  // --profile <dir>: a V8 CPU profile of the worker, written when it exits.
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const worker = spawn(
    process.execPath,
    [...nodeFlags, path.join(PROJECT_ROOT, 'bin/harmonise.js'), 'worker'],
    {
      env,
      stdio: ['ignore', workerLog, workerLog],
    },
  );
  fs.closeSync(workerLog);
  const workerPid = worker.pid!;
  const serverPid = temporal.pid!;

  let workerRss = 0;
  let serverRss = 0;
  const sampler = setInterval(() => {
    workerRss = Math.max(workerRss, rssMiB(workerPid) ?? 0);
    serverRss = Math.max(serverRss, rssMiB(serverPid) ?? 0);
  }, 1000);

  const config = loadConfig(env);
  const client = await HarmoniseClient.connect(config);
  try {
    const cpuBefore = { worker: cpuSeconds(workerPid) ?? 0, server: cpuSeconds(serverPid) ?? 0 };
    const started = Date.now();
    const { campaignId } = await client.startCampaign({
      name: 'bench',
      pipelineVersion: 'noop',
      selection: { expression: 'pipelineVersion!=noop' },
      maxConcurrent,
      requestedBy: 'bench',
    });
    let last = '';
    for (;;) {
      const p = await client.campaignProgress(campaignId);
      if (p?.state === 'completed' || p?.state === 'cancelled') break;
      if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode})`);
      const line = p
        ? `${p.counts.done + p.counts.failed + p.counts.rejected}/${p.counts.total} ${p.samplesPerSecond?.toFixed(1) ?? '-'}/s run ${p.run}`
        : 'starting';
      if (line !== last) progress(line);
      last = line;
      await sleep(5000);
    }
    const final = await client.waitForCampaign(campaignId);
    const wallSeconds = (Date.now() - started) / 1000;
    const cpu = {
      workerSeconds: round((cpuSeconds(workerPid) ?? 0) - cpuBefore.worker),
      serverSeconds: round((cpuSeconds(serverPid) ?? 0) - cpuBefore.server),
    };
    const histories = await historyLengths(address, campaignId);
    return {
      benchmark: 'campaign',
      machine: { cpus: os.availableParallelism(), memGiB: Math.round(os.totalmem() / 2 ** 30) },
      samples,
      succeeded: final.counts.done,
      failed: final.counts.failed + final.counts.rejected,
      wallSeconds: round(wallSeconds),
      samplesPerSecond: round(final.counts.done / wallSeconds, 2),
      maxHistoryEvents: histories.max,
      workerRssMB: round(workerRss),
      serverRssMB: round(serverRss),
      maxConcurrent,
      campaignRuns: histories.campaignRuns,
      campaignMaxHistoryEvents: histories.campaignMax,
      sampleWorkflows: histories.samples,
      cpu,
      seedSeconds: round(seedSeconds),
      campaignId,
      dataRoot: root,
    };
  } finally {
    clearInterval(sampler);
    await client.close();
    if (worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await temporal.stop();
    if (!args.includes('--keep')) await fsp.rm(root, { recursive: true, force: true });
  }
}

/** History lengths of every run the campaign started (its own runs and its children). */
async function historyLengths(address: string, campaignId: string) {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    let max = 0;
    let campaignMax = 0;
    let campaignRuns = 0;
    let samples = 0;
    for await (const run of client.workflow.list({ query: `CampaignId='${campaignId}'` })) {
      const length = run.historyLength;
      max = Math.max(max, length);
      if (run.type === 'campaignWorkflow') {
        campaignRuns += 1;
        campaignMax = Math.max(campaignMax, length);
      } else samples += 1;
    }
    return { max, campaignMax, campaignRuns, samples };
  } finally {
    await connection.close();
  }
}
