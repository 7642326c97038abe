/** `submission`, `sample`, `consent` and `frequency`: signalling work and reading its state. */
import { Option, type Command } from 'commander';
import { checkIds } from '../client-checks.ts';
import type { SampleStatusReport } from '../client.ts';
import { harmonisationModeSchema } from '../domain/policy.ts';
import type { SubmissionStatus } from '../domain/status.ts';
import { HarmoniseError, UsageError } from '../errors.ts';
import { FrequencyLookup } from '../lookup/service.ts';
import { context, operatorIdentity, withClient } from './context.ts';
import { ExitCode, printJson, printLine } from './output.ts';

export function addRecordCommands(program: Command): void {
  addSubmissionCommands(program);
  addSampleStatus(program);
  addConsentWithdraw(program);
  addFrequencyRelease(program);
}

function addSubmissionCommands(program: Command): void {
  const submission = program.command('submission').description('regional in-place submissions');
  submission
    .command('complete <region> <submissionId>')
    .description(
      'signal that a submission folder in the inbox is complete (starts its harmonisation once)',
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'operator override of the policy mode (needs an operator token in HARMONISE_TOKEN)',
      ).choices(['full', 'partial', 'none']),
    )
    .option('--wait', 'wait for the outcome')
    .option('--json', 'print one JSON document')
    .action(completeSubmission);
  submission
    .command('status <region> <submissionId>')
    .description('the status of a submission, with every error and each sample')
    .option('--json', 'print one JSON document: status, errors, samples')
    .action(async (region: string, submissionId: string, opts: { json?: boolean }) => {
      checkIds({ region, submissionId });
      const ctx = context();
      await withClient(ctx, async (client) => {
        const status = await client.submissionStatus(region, submissionId);
        if (status === null)
          throw new HarmoniseError('NOT_FOUND', `no submission ${region}/${submissionId}`);
        if (opts.json) {
          printJson(status);
          return;
        }
        printSubmissionStatus(region, submissionId, status);
      });
    });
}

function addSampleStatus(program: Command): void {
  program
    .command('sample')
    .description('samples in the catalogue')
    .command('status <sampleId>')
    .description('a sample: its catalogue record and its workflows with every step attempt')
    .option('--json', 'print one JSON document')
    .action(async (sampleId: string, opts: { json?: boolean }) => {
      checkIds({ sampleId });
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
        printSampleReport(sampleId, report);
      });
    });
}

function addConsentWithdraw(program: Command): void {
  program
    .command('consent')
    .description("citizens' consent to secondary use")
    .command('withdraw <sampleId>')
    .description(
      'record a withdrawal (catalogue and audit log) and cut a new release without the sample; earlier releases stay as they were',
    )
    .option('--no-release', 'record only; the next release leaves the sample out')
    .option('--wait', 'wait for the new release')
    .option(
      '--json',
      'print one JSON document: { sampleId, withdrawnAt, alreadyWithdrawn, releaseId[, release] }',
    )
    .action(withdrawConsent);
}

function addFrequencyRelease(program: Command): void {
  const frequency = program.command('frequency').description('national allele-frequency releases');
  frequency
    .command('lookup')
    .description(
      "what a release says about one position: its variants' counts, and the alleles called there (AN) from the all-sites track, which tells a variant not seen from a position not covered",
    )
    .argument('<position>', 'chrom:pos (1-based), for example chrX:52001')
    .option('--release <id>', 'release id', 'latest')
    .option(
      '--json',
      'print one JSON document: { releaseId, chrom, pos, variants, alleleNumber, verdict }',
    )
    .action(lookupFrequency);
  frequency
    .command('release')
    .description('cut a new release from every eligible harmonised gVCF and wait for it')
    .option('--pipeline <version>', 'pipeline version (default: the newest)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { pipeline?: string; json?: boolean }) => {
      if (opts.pipeline !== undefined) checkIds({ pipelineVersion: opts.pipeline });
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
}

async function lookupFrequency(position: string, opts: { release: string; json?: boolean }) {
  const match = /^([^:\s]+):([0-9]+)$/.exec(position);
  if (!match) throw new UsageError(`"${position}" is not chrom:pos (for example chrX:52001)`);
  if (opts.release !== 'latest') checkIds({ releaseId: opts.release });
  const found = await FrequencyLookup.ofConfig(context().config).position({
    releaseId: opts.release,
    chrom: match[1]!,
    pos: Number(match[2]),
  });
  if (opts.json) return printJson(found);
  const where = `${found.chrom}:${found.pos} in release ${found.releaseId}`;
  const an = found.alleleNumber?.AN;
  if (found.verdict === 'not-covered') printLine(`${where}: not covered (AN 0)`);
  else if (found.verdict === 'not-seen') printLine(`${where}: no variant among ${an} alleles`);
  else if (found.verdict === 'unknown')
    printLine(
      `${where}: no variant (the release has no all-sites track to say whether it is covered)`,
    );
  for (const v of found.variants) {
    const { AC, AN, AF, nhomalt } = v.info;
    printLine(`${v.variant}: AC ${AC} / AN ${AN} (AF ${AF}), nhomalt ${nhomalt}`);
  }
}

interface CompleteOptions {
  mode?: string;
  wait?: boolean;
  json?: boolean;
}

async function completeSubmission(
  region: string,
  submissionId: string,
  opts: CompleteOptions,
): Promise<void> {
  checkIds({ region, submissionId });
  const ctx = context();
  const mode = opts.mode === undefined ? undefined : harmonisationModeSchema.parse(opts.mode);
  // A regional pipeline runs this command too: only an operator may choose the mode.
  const requestedBy = mode ? await operatorIdentity(ctx, '--mode') : `cli:${region}`;
  await withClient(ctx, async (client) => {
    const signalled = await client.completeSubmission(region, submissionId, {
      requestedBy,
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
}

function printSubmissionStatus(
  region: string,
  submissionId: string,
  status: SubmissionStatus,
): void {
  printLine(
    `${region}/${submissionId}: ${status.status} (mode ${status.mode ?? '-'}, pipeline ${status.pipelineVersion ?? '-'})`,
  );
  for (const e of status.errors) printLine(`  error ${e.code} at ${e.path}: ${e.message}`);
  // What a live submission waits on: a validation that keeps failing says so here.
  for (const a of status.pendingActivities ?? []) {
    const failure = a.lastFailure === null ? '' : `; last failure: ${a.lastFailure}`;
    printLine(`  waiting on ${a.activity} (${a.state}), attempt ${a.attempt}${failure}`);
  }
  for (const s of status.samples) {
    printLine(`  ${s.sampleId}: ${s.status}`);
    for (const e of s.errors) printLine(`    error ${e.code} at ${e.path}: ${e.message}`);
  }
}

function printSampleReport(sampleId: string, report: SampleStatusReport): void {
  printLine(`${sampleId}: region ${report.record?.region ?? '-'}`);
  for (const [version, v] of Object.entries(report.record?.versions ?? {})) {
    printLine(`  pipeline ${version}: ${v.status} (${v.mode}) in ${v.dir}`);
    for (const reason of v.verdict.reasons) printLine(`    ${reason}`);
    const k = v.karyotype;
    if (k) {
      const how = k.inferred ? 'inferred from depth' : 'stated';
      const ratios = k.ratios
        ? `, X/autosomes ${k.ratios.xAutosome.toFixed(2)}, Y/autosomes ${k.ratios.yAutosome.toFixed(2)}`
        : '';
      printLine(`    karyotype ${k.karyotype} (${how}${ratios})`);
      for (const note of [k.warning, k.reason]) if (note) printLine(`    ${note}`);
    }
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
}

async function withdrawConsent(
  sampleId: string,
  opts: { release: boolean; wait?: boolean; json?: boolean },
): Promise<void> {
  checkIds({ sampleId });
  await withClient(context(), async (client) => {
    const withdrawn = await client.withdrawConsent(sampleId, {
      requestedBy: 'operator:cli',
      release: opts.release,
    });
    const release =
      opts.wait && withdrawn.releaseId ? await client.waitForRelease(withdrawn.releaseId) : null;
    if (opts.json) printJson({ ...withdrawn, ...(release ? { release } : {}) });
    else {
      printLine(
        `${sampleId}: consent withdrawn at ${withdrawn.withdrawnAt}${withdrawn.alreadyWithdrawn ? ' (already)' : ''}`,
      );
      if (withdrawn.releaseId) printLine(`release ${withdrawn.releaseId} started without it`);
      if (release)
        printLine(
          `release ${release.releaseId}: ${release.samples} samples, ${release.sites} sites`,
        );
    }
  });
}
