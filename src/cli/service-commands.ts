/**
 * `up`, `down`, `worker` and `demo`: the services and the main job. The API, the worker and the
 * demo are imported when their command runs: every other command starts without loading them.
 */
import type { Command } from 'commander';
import { newReleaseId } from '../client.ts';
import { probeInputSchema } from '../domain/probe.ts';
import {
  context,
  executorChosen,
  executorOption,
  parseInteger,
  serviceOverrides,
  temporalOption,
  withClient,
  workersOption,
} from './context.ts';
import type { DemoReport } from './demo.ts';
import { ExitCode, printJson, printLine, progress } from './output.ts';
import { down, up } from './services.ts';

function printDemo(report: DemoReport): void {
  printLine('harmonise demo: done');
  printLine(`  data root     ${report.dataRoot}`);
  printLine(`  reference     ${report.reference}`);
  printLine(`  Temporal UI   ${report.temporalUi ?? '- (the server has no Web UI)'}`);
  printLine(`  API           ${report.api}`);
  printLine(`  dashboard     ${report.dashboard}`);
  printLine(`  API tokens    ${report.tokensFile}`);
  for (const s of report.submissions)
    printLine(`  submission    ${s.region}/${s.submissionId}: ${s.status}`);
  for (const s of report.samples) {
    printLine(`  sample        ${s.sampleId} (${s.region}, ${s.mode ?? '-'}): ${s.status}`);
    if (s.cram) printLine(`                  ${s.cram}`);
    if (s.gvcf) printLine(`                  ${s.gvcf}`);
  }
  if (report.campaign) {
    const c = report.campaign;
    printLine(
      `  campaign      ${c.campaignId}: ${c.state} (done ${c.counts.done}, skipped ${c.counts.skipped}, failed ${c.counts.failed})`,
    );
  }
  if (report.release) {
    printLine(
      `  release       ${report.release.releaseId}: ${report.release.samples} samples, ${report.release.sites} sites`,
    );
    printLine(`                  ${report.release.vcf}`);
  }
  printLine('The services keep running for the Temporal UI; stop them with: npx harmonise down');
}

export function addServiceCommands(program: Command): void {
  addUp(program);
  addDown(program);
  addForegroundServices(program);
  addDemo(program);
  addProbe(program);
}

function addUp(program: Command): void {
  program
    .command('up')
    .description(
      'install what is missing, start the Temporal server, the workers and the HTTP API in the background',
    )
    .addOption(executorOption())
    .addOption(temporalOption())
    .addOption(workersOption())
    .option('--json', 'print one JSON document: dataRoot, api, temporalUi, tokensFile')
    .option('--no-bootstrap', 'do not install missing tools')
    .action(startServices);
}

function addDown(program: Command): void {
  program
    .command('down')
    .description(
      'stop the HTTP API, the workers, the Temporal server and a single-node Slurm cluster started by "up" (exits 1 when nothing was running under the data root)',
    )
    .option('--json', 'print one JSON document')
    .action(stopServices);
}

/** `api` and `worker`: what `up` starts in the background, in the foreground. */
function addForegroundServices(program: Command): void {
  program
    .command('api')
    .description('run the HTTP API in the foreground (what "up" starts in the background)')
    .action(async () => {
      const ctx = context();
      const { runApi } = await import('../api/run.ts');
      await runApi(ctx.config, ctx.logger);
    });

  program
    .command('worker')
    .description('run a worker in the foreground (what "up" starts in the background)')
    .action(async () => {
      const ctx = context();
      const { runWorker } = await import('../worker.ts');
      await runWorker(ctx.config, ctx.logger);
    });
}

function addDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'the main job: synthetic regions submit, genomes are harmonised, a frequency release is cut, a campaign reruns one region',
    )
    .option('--json', 'print one JSON document (see docs/interfaces.md, "The --json documents")')
    .addOption(executorOption())
    .addOption(temporalOption())
    .addOption(workersOption())
    .option('--seed <n>', 'seed of the synthetic genomes', (v) => parseInteger('--seed', v))
    .option('--no-bootstrap', 'do not install missing tools')
    .action(runTheDemo);
}

function addProbe(program: Command): void {
  program
    .command('probe')
    .description(
      'run one probe job through the worker and its executor (checks a cluster end to end)',
    )
    .option('--sleep <seconds>', 'how long the job sleeps', (v) => parseInteger('--sleep', v), 0)
    .option('--alloc-mib <MiB>', 'memory the job holds', (v) => parseInteger('--alloc-mib', v), 0)
    .option('--exit <code>', 'exit code of the job', (v) => parseInteger('--exit', v), 0)
    .option('--cpus <n>', 'CPUs requested', (v) => parseInteger('--cpus', v), 1)
    .option('--mem-mib <MiB>', 'memory requested', (v) => parseInteger('--mem-mib', v), 256)
    .option(
      '--time-min <minutes>',
      'time limit requested',
      (v) => parseInteger('--time-min', v),
      10,
    )
    .option('--json', 'print one JSON document')
    .action(runProbe);
}

async function startServices(opts: {
  executor?: string;
  temporal?: string;
  workers?: number;
  json?: boolean;
  bootstrap: boolean;
}): Promise<void> {
  const ctx = context(serviceOverrides(opts));
  const result = await up(ctx.config, ctx.logger, {
    bootstrap: opts.bootstrap,
    executorChosen: executorChosen(opts.executor),
  });
  if (opts.json) printJson(result);
  else {
    const t = result.temporal;
    const state = t.server === 'external' ? 'external' : t.started ? 'started' : 'already running';
    printLine(`Temporal      ${result.temporalAddress} (${t.server}, ${t.security}, ${state})`);
    printLine(`Temporal UI   ${result.temporalUi ?? '- (the server has no Web UI)'}`);
    for (const w of result.workers) {
      printLine(
        `worker        pid ${w.pid} (${w.started ? 'started' : 'already running'}), log ${w.log}`,
      );
    }
    printLine(
      `API           ${result.api} (pid ${result.apiProcess.pid}, ${result.apiProcess.started ? 'started' : 'already running'}), log ${result.apiProcess.log}`,
    );
    printLine(`API tokens    ${result.tokensFile}`);
    printLine(`data root     ${result.dataRoot}`);
  }
}

async function stopServices(opts: { json?: boolean }): Promise<void> {
  const ctx = context();
  const result = await down(ctx.config);
  if (opts.json) printJson(result);
  else {
    printLine(
      `stopped: api ${result.api ?? '-'}, workers ${result.workers.join(' ') || '-'}, temporal ${result.temporal ?? '-'}, slurm ${result.slurm?.stopped ? 'stopped' : '-'}`,
    );
    if (result.slurm?.leftRunning) printLine(`left running: ${result.slurm.leftRunning}`);
  }
  if (result.nothingFound) {
    progress(
      `nothing harmonise started was running under the data root ${result.dataRoot}; ` +
        'if the services were started with another HARMONISE_DATA, run "down" with that one',
    );
    process.exitCode = ExitCode.failed;
  }
}

async function runTheDemo(opts: {
  json?: boolean;
  executor?: string;
  temporal?: string;
  workers?: number;
  seed?: number;
  bootstrap: boolean;
}): Promise<void> {
  const ctx = context(serviceOverrides(opts));
  const { demoSucceeded, runDemo } = await import('./demo.ts');
  const report = await runDemo(ctx.config, ctx.logger, {
    bootstrap: opts.bootstrap,
    executorChosen: executorChosen(opts.executor),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  if (opts.json) printJson(report);
  else printDemo(report);
  if (!demoSucceeded(report)) process.exitCode = ExitCode.failed;
}

async function runProbe(opts: {
  sleep: number;
  allocMib: number;
  exit: number;
  cpus: number;
  memMib: number;
  timeMin: number;
  json?: boolean;
}): Promise<void> {
  const ctx = context();
  const input = probeInputSchema.parse({
    probeId: newReleaseId().replace(/\./g, '-'),
    probe: { sleepSeconds: opts.sleep, allocMiB: opts.allocMib, exitCode: opts.exit },
    resources: { cpus: opts.cpus, memMiB: opts.memMib, timeMinutes: opts.timeMin },
    retry: { maxAttempts: 3, maxMemMiB: opts.memMib * 4, maxTimeMinutes: opts.timeMin * 4 },
  });
  const result = await withClient(ctx, (client) => client.runProbe(input));
  if (opts.json) printJson(result);
  else {
    for (const a of result.attempts) {
      printLine(
        `attempt ${a.attempt}: ${a.state} job ${a.jobId ?? '-'} (${a.resources.memMiB} MiB, ${a.resources.timeMinutes} min)`,
      );
    }
  }
}
