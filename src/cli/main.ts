/**
 * The `harmonise` command. Exit codes: 0 success, 1 the thing asked for failed or was rejected,
 * 2 bad usage or input, 3 the service is unreachable (DESIGN §8).
 */
import { Command, CommanderError, Option } from 'commander';
import { HarmoniseClient } from '../client.ts';
import { loadConfig, type Config } from '../config.ts';
import { harmonisationModeSchema } from '../domain/policy.ts';
import { HarmoniseError, ServiceUnreachableError, UsageError, errorMessage } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { runWorker } from '../worker.ts';
import { demoSucceeded, runDemo, type DemoReport } from './demo.ts';
import { ExitCode, printJson, printLine } from './output.ts';
import { down, up } from './services.ts';

interface Context {
  config: Config;
  logger: Logger;
}

function context(overrides: Record<string, string | undefined> = {}): Context {
  const config = loadConfig({ ...process.env, ...overrides });
  return { config, logger: createLogger(config.logLevel) };
}

async function withClient<T>(
  ctx: Context,
  fn: (client: HarmoniseClient) => Promise<T>,
): Promise<T> {
  const client = await HarmoniseClient.connect(ctx.config);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const executorOption = new Option('--executor <kind>', 'where jobs run').choices([
  'local',
  'slurm',
]);

function printDemo(report: DemoReport): void {
  printLine('harmonise demo: done');
  printLine(`  data root     ${report.dataRoot}`);
  printLine(`  reference     ${report.reference}`);
  printLine(`  Temporal UI   ${report.temporalUi}`);
  for (const s of report.submissions)
    printLine(`  submission    ${s.region}/${s.submissionId}: ${s.status}`);
  for (const s of report.samples) {
    printLine(`  sample        ${s.sampleId} (${s.region}, ${s.mode ?? '-'}): ${s.status}`);
    if (s.cram) printLine(`                  ${s.cram}`);
    if (s.gvcf) printLine(`                  ${s.gvcf}`);
  }
  if (report.release) {
    printLine(
      `  release       ${report.release.releaseId}: ${report.release.samples} samples, ${report.release.sites} sites`,
    );
    printLine(`                  ${report.release.vcf}`);
  }
  printLine('The services keep running for the Temporal UI; stop them with: npx harmonise down');
}

export function buildProgram(): Command {
  const program = new Command('harmonise')
    .description(
      "Harmonised re-processing of Denmark's national genome database on Temporal (local executor by default).\n" +
        'Configuration comes from HARMONISE_* environment variables (see README, "Configure").',
    )
    .showHelpAfterError()
    .exitOverride();

  program
    .command('up')
    .description(
      'install what is missing, start the embedded Temporal server and a worker in the background',
    )
    .addOption(executorOption)
    .option('--json', 'print one JSON document: dataRoot, api, temporalUi, tokensFile')
    .option('--no-bootstrap', 'do not install missing tools')
    .action(async (opts: { executor?: string; json?: boolean; bootstrap: boolean }) => {
      const ctx = context(opts.executor ? { HARMONISE_EXECUTOR: opts.executor } : {});
      const result = await up(ctx.config, ctx.logger, { bootstrap: opts.bootstrap });
      if (opts.json) printJson(result);
      else {
        printLine(
          `Temporal      ${result.temporalAddress} (${result.temporal.started ? 'started' : 'already running'})`,
        );
        printLine(`Temporal UI   ${result.temporalUi}`);
        printLine(
          `worker        pid ${result.worker.pid} (${result.worker.started ? 'started' : 'already running'}), log ${result.worker.log}`,
        );
        printLine(`data root     ${result.dataRoot}`);
      }
    });

  program
    .command('down')
    .description('stop the worker and the embedded Temporal server started by "up"')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const ctx = context();
      const result = await down(ctx.config);
      if (opts.json) printJson(result);
      else printLine(`stopped: worker ${result.worker ?? '-'}, temporal ${result.temporal ?? '-'}`);
    });

  program
    .command('worker')
    .description('run a worker in the foreground (what "up" starts in the background)')
    .action(async () => {
      const ctx = context();
      await runWorker(ctx.config, ctx.logger);
    });

  program
    .command('demo')
    .description(
      'the main job: synthetic regions submit, genomes are harmonised, a frequency release is cut',
    )
    .option('--json', 'print one JSON document (DESIGN §8)')
    .option('--seed <n>', 'seed of the synthetic genomes', (v) => parseInteger('--seed', v))
    .option('--no-bootstrap', 'do not install missing tools')
    .action(async (opts: { json?: boolean; seed?: number; bootstrap: boolean }) => {
      const ctx = context();
      const report = await runDemo(ctx.config, ctx.logger, {
        bootstrap: opts.bootstrap,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      });
      if (opts.json) printJson(report);
      else printDemo(report);
      if (!demoSucceeded(report)) process.exitCode = ExitCode.failed;
    });

  const submission = program.command('submission').description('regional in-place submissions');
  submission
    .command('complete <region> <submissionId>')
    .description(
      'signal that a submission folder in the inbox is complete (starts its harmonisation once)',
    )
    .addOption(
      new Option('--mode <mode>', 'operator override of the policy mode').choices([
        'full',
        'partial',
        'none',
      ]),
    )
    .option('--wait', 'wait for the outcome')
    .option('--json', 'print one JSON document')
    .action(
      async (
        region: string,
        submissionId: string,
        opts: { mode?: string; wait?: boolean; json?: boolean },
      ) => {
        const ctx = context();
        const mode = opts.mode === undefined ? undefined : harmonisationModeSchema.parse(opts.mode);
        await withClient(ctx, async (client) => {
          const signalled = await client.completeSubmission(region, submissionId, {
            requestedBy: mode ? 'operator:cli' : `cli:${region}`,
            ...(mode ? { mode } : {}),
          });
          const status = opts.wait
            ? await client.waitForSubmission(region, submissionId)
            : await client.submissionStatus(region, submissionId);
          if (opts.json) printJson({ ...signalled, submission: status });
          else
            printLine(
              `${signalled.workflowId}: ${signalled.outcome}; status ${status?.status ?? 'unknown'}`,
            );
          if (opts.wait && status && !['accepted', 'partially-accepted'].includes(status.status)) {
            process.exitCode = ExitCode.failed;
          }
        });
      },
    );
  submission
    .command('status <region> <submissionId>')
    .description('the status of a submission, with every error and each sample')
    .option('--json', 'print one JSON document (DESIGN §8)')
    .action(async (region: string, submissionId: string, opts: { json?: boolean }) => {
      const ctx = context();
      await withClient(ctx, async (client) => {
        const status = await client.submissionStatus(region, submissionId);
        if (status === null)
          throw new HarmoniseError('NOT_FOUND', `no submission ${region}/${submissionId}`);
        if (opts.json) {
          printJson(status);
          return;
        }
        printLine(
          `${region}/${submissionId}: ${status.status} (mode ${status.mode ?? '-'}, pipeline ${status.pipelineVersion ?? '-'})`,
        );
        for (const e of status.errors) printLine(`  error ${e.code} at ${e.path}: ${e.message}`);
        for (const s of status.samples) {
          printLine(`  ${s.sampleId}: ${s.status}`);
          for (const e of s.errors) printLine(`    error ${e.code} at ${e.path}: ${e.message}`);
        }
      });
    });

  program
    .command('sample')
    .description('samples in the catalogue')
    .command('status <sampleId>')
    .description('a sample: its catalogue record and its workflows with every step attempt')
    .option('--json', 'print one JSON document')
    .action(async (sampleId: string, opts: { json?: boolean }) => {
      const ctx = context();
      await withClient(ctx, async (client) => {
        const report = await client.sampleStatus(sampleId);
        if (report.record === null && report.workflows.length === 0) {
          throw new HarmoniseError('NOT_FOUND', `no sample ${sampleId}`);
        }
        if (opts.json) {
          printJson(report);
          return;
        }
        printLine(`${sampleId}: region ${report.record?.region ?? '-'}`);
        for (const [version, v] of Object.entries(report.record?.versions ?? {})) {
          printLine(`  pipeline ${version}: ${v.status} (${v.mode}) in ${v.dir}`);
        }
        for (const w of report.workflows) {
          printLine(`  ${w.workflowId}: ${w.execution}, stage ${w.status?.stage ?? '-'}`);
          for (const step of w.status?.steps ?? []) {
            for (const a of step.attempts) {
              printLine(
                `    ${step.name} #${a.attempt}: ${a.state} job ${a.jobId ?? '-'} (${a.resources.cpus} cpu, ${a.resources.memMiB} MiB, ${a.resources.timeMinutes} min)`,
              );
            }
          }
        }
      });
    });

  program
    .command('frequency')
    .description('national allele-frequency releases')
    .command('release')
    .description('cut a new release from every eligible harmonised gVCF and wait for it')
    .option('--pipeline <version>', 'pipeline version (default: the newest)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { pipeline?: string; json?: boolean }) => {
      const ctx = context();
      await withClient(ctx, async (client) => {
        const releaseId = await client.startRelease({
          requestedBy: 'operator:cli',
          ...(opts.pipeline ? { pipelineVersion: opts.pipeline } : {}),
        });
        const release = await client.waitForRelease(releaseId);
        if (opts.json) printJson(release);
        else
          printLine(
            `release ${release.releaseId}: ${release.samples} samples, ${release.sites} sites in ${release.dir}`,
          );
      });
    });

  return program;
}

function parseInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`${name} must be an integer, not "${value}"`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    process.stderr.write(`harmonise: ${describe(error)}\n`);
    if (error instanceof UsageError) return ExitCode.usage;
    if (error instanceof ServiceUnreachableError) return ExitCode.unreachable;
    if (error instanceof HarmoniseError && error.code === 'CONFIG_INVALID') return ExitCode.usage;
    if (error instanceof Error && error.name === 'ZodError') return ExitCode.usage;
    return ExitCode.failed;
  }
}

function describe(error: unknown): string {
  const cause =
    error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${errorMessage(error)}${cause}`;
}
