/**
 * The whole path as a user runs it: `harmonise demo --json` on a fresh data root, with the
 * worker SIGKILLed in the middle and a new one started; then every output is checked with the
 * tools directly, the release against an independent computation, and the calls against truth.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReport } from '../../src/cli/demo.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import { NATIONAL_PIPELINE_VERSION } from '../../src/demo/model.ts';
import { isProcessAlive, processStartTime } from '../../src/platform/process.ts';
import { cliEnv, harmonise, type CliEnv } from '../helpers/cli.ts';
import {
  checkContributions,
  checkDemoReport,
  checkKaryotypes,
  checkRecall,
  checkRelease,
  checkSampleOutputs,
  demoLayout,
  runDemoKillingWorker,
} from '../helpers/demo-checks.ts';
import {
  checkLookups,
  checkRawAgainstPeer,
  checkSexChromosomeAlleles,
} from '../helpers/demo-sex-checks.ts';
import {
  checkLookupApi,
  checkPublicFilesHoldNoSampleId,
  lookupAccess,
  type LookupAccess,
} from '../helpers/demo-lookup-checks.ts';
import { checkLookupPage } from '../helpers/lookup-page-checks.ts';
import { checkBeacon } from '../helpers/beacon-checks.ts';
import { pathExists } from '../../src/store/atomic.ts';
import { Catalogue } from '../../src/store/catalogue.ts';
import { createLayout } from '../../src/store/layout.ts';
import { hashTree, writeSubmission } from '../helpers/inbox.ts';
import { processGroup } from '../helpers/processes.ts';
import {
  HOVEDSTADEN,
  jobSteps,
  prepareReuseEnv,
  provenanceOf,
  rerunHovedstaden,
  sampleDir,
  stepOf,
  variantQuals,
} from '../helpers/step-reuse.ts';
import { writeCallerVariant } from '../helpers/pipeline-variants.ts';
import { waitFor } from '../helpers/wait.ts';

let cli: CliEnv;
let root: string;
let report: DemoReport;
let startedBeforeKill: string[] = [];
/** The API and a department's reader token, made once the demo has published its release. */
let access: LookupAccess;
let reuseEnv: Awaited<ReturnType<typeof prepareReuseEnv>>;

interface LedgerEntry {
  key: string;
  jobId: string;
  pid: number;
}

async function ledger(): Promise<LedgerEntry[]> {
  const text = await fs.readFile(path.join(root, 'run/local-jobs.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LedgerEntry);
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-e2e-'));
  cli = await cliEnv(root);
  reuseEnv = await prepareReuseEnv(cli);
  // Shards of 100 kb: boundaries inside chr1 and chr2, so the release checks below (equal to
  // an independent unsharded computation) cover variants and reference blocks at boundaries.
  cli.env.HARMONISE_FREQUENCY_SHARD_BASES = '100000';
  // The lookup checks read every site of the release twice, faster than a department may.
  cli.env.HARMONISE_API_READER_RATE = '10000';
  cli.env.HARMONISE_API_READER_BURST = '10000';
});

afterAll(async () => {
  const down = await harmonise(cli, ['down', '--json']);
  expect(down.exitCode).toBe(0);
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

describe('harmonise demo', () => {
  it('harmonises every sample and cuts a release, surviving a SIGKILLed worker', async () => {
    const run = await runDemoKillingWorker(cli, [], async () => {
      startedBeforeKill = (await ledger()).map((e) => e.key);
      return startedBeforeKill.length >= 5;
    });
    report = run.report;
    await checkDemoReport(report, root);
  }, 600_000);

  it('ran every step exactly once: finished steps were not re-run, running ones were re-attached', async () => {
    const keys = (await ledger()).map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    // Every job the samples' provenance names, plus the release's, and nothing else.
    const stepKeys: string[] = [];
    for (const sample of report.samples) {
      const provenance = JSON.parse(
        await fs.readFile(path.join(path.dirname(sample.cram!), 'provenance.json'), 'utf8'),
      ) as { steps: { key: string }[] };
      stepKeys.push(...provenance.steps.map((s) => s.key));
    }
    // Each sample's contribution job, run by its own workflow right after publication.
    stepKeys.push(...(await checkContributions(report, root)).map((c) => c.provenance.jobKey));
    // The rerun campaign's noop jobs: align, markdup and call of each hovedstaden sample.
    const rerunKeys = keys.filter((k) => /^sample:HOV\d+:noop\//.test(k));
    expect(rerunKeys).toHaveLength(3 * report.campaign!.counts.done);
    expect(
      keys.filter((k) => !k.startsWith('frequency:') && !rerunKeys.includes(k)).sort(),
    ).toEqual(stepKeys.sort());
    // The release: no contribution job (the samples derived theirs), one batch partial, nine
    // shard reduces (chr1 3, chr2 2, chr3 1, chrX 2, chrY 1) and the gather.
    expect(keys.filter((k) => k.startsWith('frequency:'))).toHaveLength(11);
    for (const key of keys) expect(key).toMatch(/\/1$/); // first attempt of every step
    // Jobs the killed worker started finished without a second start.
    for (const key of startedBeforeKill) expect(keys.filter((k) => k === key)).toHaveLength(1);
    const log = await fs.readFile(path.join(root, 'logs/worker.log'), 'utf8');
    expect(log).toMatch(/"found":"(running|finished)".*"msg":"re-attached to job"/);
    // The new worker took the workflow bundle the killed one had made or found, unchanged.
    const bundles = log
      .split('\n')
      .filter((line) => line.includes('"msg":"workflow bundle"'))
      .map((line) => JSON.parse(line) as { bundle: string; reused: boolean });
    expect(bundles.length).toBeGreaterThanOrEqual(2);
    expect(bundles.at(-1)).toEqual(expect.objectContaining({ reused: true }));
    expect(new Set(bundles.map((b) => b.bundle)).size).toBe(1);
  });

  it('writes CRAMs on the national reference and indexed gVCFs, with honest provenance', async () => {
    await checkSampleOutputs(report, root, 'local');
  });

  it('publishes a release with the documented summary and counts', async () => {
    await checkRelease(report, root);
  });

  it('recalls at least 98% of the truth variants in every sample', async () => {
    await checkRecall(report, root);
  });

  it('recalls at least 98% of them with calls that pass adj, where the national caller called 25x short reads', async () => {
    const layout = await demoLayout(root);
    const called = (id: string) => {
      const sample = layout.samples.find((s) => s.sampleId === id)!;
      return sample.readType === 'short' && sample.expectedMode === 'full';
    };
    await checkRecall(
      { ...report, samples: report.samples.filter((s) => called(s.sampleId)) },
      root,
      0.98,
      'adj',
    );
  });

  it('records every karyotype: stated, inferred from depth, and a contradicted one warned', async () => {
    await checkKaryotypes(report, root);
  });

  it('counts non-PAR X once per XY and twice per XX, Y only in XY, the PAR twice in both', async () => {
    await checkSexChromosomeAlleles(report, root);
  });

  it('keeps raw counts equal to the -m all merge of the gVCFs on the autosomes', async () => {
    await checkRawAgainstPeer(report, root);
  });

  it('tells a position nobody covers (AN 0) from a covered one without a variant', async () => {
    await checkLookups(cli, report, root);
  });

  it('serves the release to departments: every site as in the VCF, under the floor for readers', async () => {
    access = await lookupAccess(cli, 'demo-klinisk-genetik');
    await checkLookupApi(access, report);
    await checkPublicFilesHoldNoSampleId(access, report);
  });

  it('shows a department the release on the lookup page, in chromium, with the floor held', async () => {
    await checkLookupPage({
      api: access.api,
      readerToken: access.reader,
      vcf: report.release!.vcf,
      screenshot: path.join(PROJECT_ROOT, 'test-artifacts', 'frequency-lookup.png'),
    });
  });

  it('answers the GA4GH Beacon v2 as its JSON schemas say, with the VCF’s counts', async () => {
    await checkBeacon(
      access.api,
      { reader: access.reader, operator: access.operator },
      report.release!.vcf,
    );
  });

  it('answers status commands with the documented JSON', async () => {
    const submission = await harmonise(cli, [
      'submission',
      'status',
      'hovedstaden',
      'HOV-2026-0001',
      '--json',
    ]);
    expect(submission.exitCode).toBe(0);
    const status = JSON.parse(submission.stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ status: 'accepted', errors: [] });
    expect(status.samples).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sampleId: 'HOV002', status: 'done', mode: 'full', errors: [] }),
      ]),
    );

    const sample = await harmonise(cli, ['sample', 'status', 'HOV002', '--json']);
    expect(sample.exitCode).toBe(0);
    const sampleReport = JSON.parse(sample.stdout) as {
      record: { region: string; versions: Record<string, { status: string }> };
      workflows: {
        workflowId: string;
        execution: string;
        status: { steps: { attempts: { jobId: string }[] }[] };
      }[];
    };
    expect(sampleReport.record.region).toBe('hovedstaden');
    expect(sampleReport.record.versions[NATIONAL_PIPELINE_VERSION]!.status).toBe('harmonised');
    expect(sampleReport.workflows[0]).toMatchObject({
      workflowId: `sample:HOV002:${NATIONAL_PIPELINE_VERSION}`,
      execution: 'COMPLETED',
    });
    // align, markdup, karyotype, call, and the contribution job.
    expect(sampleReport.workflows[0]!.status.steps.flatMap((s) => s.attempts)).toHaveLength(5);
    // The demo's rerun campaign left a benchmark version beside the harmonised one.
    expect(sampleReport.record.versions.noop!.status).toBe('benchmark');
    expect(sampleReport.workflows[1]).toMatchObject({
      workflowId: 'sample:HOV002:noop',
      execution: 'COMPLETED',
    });

    const release = await harmonise(cli, ['frequency', 'release', '--json']);
    expect(release.exitCode, release.stderr.slice(-2000)).toBe(0);
    const cut = JSON.parse(release.stdout) as {
      releaseId: string;
      sites: number;
      samples: number;
      latest: boolean;
    };
    expect(cut).toMatchObject({
      samples: report.release!.samples,
      sites: report.release!.sites,
      latest: true,
    });
    await fs.access(path.join(root, 'freq/releases', cut.releaseId, 'summary.json'));

    const unknown = await harmonise(cli, ['sample', 'status', 'NOPE001']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no sample NOPE001');
    const usage = await harmonise(cli, ['submission', 'complete', 'hovedstaden']);
    expect(usage.exitCode).toBe(2);
    const unreachable = await harmonise(cli, ['submission', 'status', 'a1', 'b1'], {
      HARMONISE_TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    expect(unreachable.exitCode).toBe(3);
    expect(unreachable.stderr).toContain('harmonise up');
  });

  it('reruns hovedstaden after a caller-only change without aligning or marking duplicates again', async () => {
    await writeCallerVariant(cli.env.HARMONISE_PIPELINES!, 'rerun-caller');
    const jobsBefore = (await ledger()).length;
    const progress = await rerunHovedstaden(cli, 'rerun-caller', 'steps');
    const steps = jobSteps(
      (await ledger()).slice(jobsBefore).map((e) => e.key),
      'rerun-caller',
    );
    for (const sampleId of HOVEDSTADEN) {
      // The tool-version look, the karyotype (its ploidy file is not published) and the caller.
      expect(steps[sampleId]).toEqual(['call', 'karyotype', 'versions']);
      const before = await provenanceOf(root, sampleId, '2');
      const after = await provenanceOf(root, sampleId, 'rerun-caller');
      for (const name of ['align', 'markdup']) {
        expect(stepOf(before, name).fingerprint).toMatch(/^[0-9a-f]{64}$/);
        expect(stepOf(after, name)).toMatchObject({
          reusedFrom: { version: '2', step: name, fingerprint: stepOf(before, name).fingerprint },
          fingerprint: stepOf(before, name).fingerprint,
          jobId: stepOf(before, name).jobId,
        });
      }
      expect(stepOf(after, 'call').reusedFrom).toBeUndefined();
      expect(stepOf(after, 'call').fingerprint).not.toBe(stepOf(before, 'call').fingerprint);
      // The CRAM is the very file version 2 published; the gVCF is new, with the new prior.
      const cram = (v: string) => fs.stat(path.join(sampleDir(root, sampleId, v), 'sample.cram'));
      expect((await cram('rerun-caller')).ino).toBe((await cram('2')).ino);
      expect(after.outputs['sample.cram']).toEqual(before.outputs['sample.cram']);
      expect(after.outputs['sample.g.vcf.gz']).not.toEqual(before.outputs['sample.g.vcf.gz']);
      const gvcf = (v: string) => path.join(sampleDir(root, sampleId, v), 'sample.g.vcf.gz');
      const [oldQuals, newQuals] = await Promise.all([
        variantQuals(gvcf('2')),
        variantQuals(gvcf('rerun-caller')),
      ]);
      expect(newQuals.length).toBeGreaterThan(0);
      expect(newQuals).not.toEqual(oldQuals);
    }
    expect(progress).toMatchObject({
      stepsReused: 2 * HOVEDSTADEN.length,
      stepsRun: 2 * HOVEDSTADEN.length,
    });
    expect(progress.cpuHoursSaved).toBeGreaterThan(0);
  }, 600_000);

  it('runs every step of the same rerun with --reuse none', async () => {
    await writeCallerVariant(cli.env.HARMONISE_PIPELINES!, 'rerun-none');
    const jobsBefore = (await ledger()).length;
    const progress = await rerunHovedstaden(cli, 'rerun-none', 'none');
    const steps = jobSteps(
      (await ledger()).slice(jobsBefore).map((e) => e.key),
      'rerun-none',
    );
    for (const sampleId of HOVEDSTADEN) {
      expect(steps[sampleId]).toEqual(['align', 'call', 'karyotype', 'markdup']);
      const provenance = await provenanceOf(root, sampleId, 'rerun-none');
      expect(provenance.steps.filter((s) => s.reusedFrom)).toEqual([]);
      // Alignment reads the same submitted files with the same tools and arguments: the same
      // fingerprint. (Later steps read files whose headers name this run's work folders.)
      const reused = await provenanceOf(root, sampleId, 'rerun-caller');
      expect(stepOf(provenance, 'align').fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(stepOf(provenance, 'align').fingerprint).toBe(stepOf(reused, 'align').fingerprint);
    }
    expect(progress).toMatchObject({
      stepsReused: 0,
      stepsRun: 4 * HOVEDSTADEN.length,
      cpuHoursSaved: 0,
    });
  }, 600_000);

  it('aligns again when the cluster reports another bwa: a new fingerprint, not a false reuse', async () => {
    await writeCallerVariant(cli.env.HARMONISE_PIPELINES!, 'rerun-bwa');
    await reuseEnv.upgradeBwa('0.7.99-r9999-silently-upgraded');
    try {
      const jobsBefore = (await ledger()).length;
      await rerunHovedstaden(cli, 'rerun-bwa', 'steps');
      const steps = jobSteps(
        (await ledger()).slice(jobsBefore).map((e) => e.key),
        'rerun-bwa',
      );
      for (const sampleId of HOVEDSTADEN) {
        expect(steps[sampleId]).toContain('align');
        const before = await provenanceOf(root, sampleId, '2');
        const align = stepOf(await provenanceOf(root, sampleId, 'rerun-bwa'), 'align');
        expect(align.reusedFrom).toBeUndefined();
        expect(align.toolVersions.bwa).toBe('0.7.99-r9999-silently-upgraded');
        expect(align.fingerprint).not.toBe(stepOf(before, 'align').fingerprint);
      }
    } finally {
      await reuseEnv.upgradeBwa('');
    }
  }, 600_000);

  it('rejects a bad submission with reasons and leaves the inbox byte-identical', async () => {
    await writeSubmission(root, 'syddanmark', 'RSD-BAD-9', [{ sampleId: 'RSD999' }], (m) => {
      m.region = 'hovedstaden';
    });
    const before = await hashTree(path.join(root, 'inbox'));
    const result = await harmonise(cli, [
      'submission',
      'complete',
      'syddanmark',
      'RSD-BAD-9',
      '--wait',
      '--json',
    ]);
    expect(result.exitCode).toBe(1);
    const output = JSON.parse(result.stdout) as {
      submission: { status: string; errors: unknown[] };
    };
    expect(output.submission.status).toBe('rejected');
    expect(output.submission.errors).toEqual([
      {
        code: 'MANIFEST_REGION_MISMATCH',
        path: 'region',
        message: expect.stringContaining('hovedstaden'),
      },
    ]);
    expect(await hashTree(path.join(root, 'inbox'))).toBe(before);
  });

  it('keeps workflow state across a restart of the embedded Temporal server', async () => {
    const down = await harmonise(cli, ['down', '--json']);
    expect(down.exitCode, down.stderr).toBe(0);
    const stopped = JSON.parse(down.stdout) as { worker: number | null; temporal: number | null };
    expect(stopped.temporal).toBeGreaterThan(0);
    expect(stopped.worker).toBeGreaterThan(0);
    for (const pid of [stopped.temporal!, stopped.worker!]) {
      expect(isProcessAlive(pid, processStartTime(pid) ?? '')).toBe(false);
    }
    const up = await harmonise(cli, ['up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ temporal: { started: true }, dataRoot: root });
    // Answered by the workflow itself (a query replays its history from the SQLite file).
    const status = await harmonise(cli, [
      'submission',
      'status',
      'syddanmark',
      'RSD-2026-0001',
      '--json',
    ]);
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'accepted', signals: 1 });
  });

  it('runs again on the same data root without redoing finished work', async () => {
    const jobsBefore = (await ledger()).length;
    const again = await harmonise(cli, ['demo', '--json']);
    expect(again.exitCode, again.stderr.slice(-2000)).toBe(0);
    const second = JSON.parse(again.stdout) as DemoReport;
    expect(second.submissions.map((s) => s.status)).toEqual(
      report.submissions.map(() => 'accepted'),
    );
    expect(second.samples.map((s) => s.cram)).toEqual(report.samples.map((s) => s.cram));
    expect(second.release!.releaseId).not.toBe(report.release!.releaseId);
    // The campaign finds its samples already rerun with noop and runs none of them again.
    expect(second.campaign).toMatchObject({ state: 'completed', counts: { done: 0, failed: 0 } });
    const newKeys = (await ledger()).slice(jobsBefore).map((e) => e.key);
    // Only the new release's jobs ran: one reduce per shard (chr1 3, chr2 2, chr3 1, chrX 2,
    // chrY 1), then the gather; no gVCF was read again and the one batch's partial was reused.
    expect(newKeys).toHaveLength(10);
    expect(newKeys.every((key) => /^frequency:.*\/(shard-000[1-9]|gather)\/1$/.test(key))).toBe(
      true,
    );
    // The earlier release is untouched; latest moved to the new one.
    await fs.access(path.join(report.release!.dir, 'summary.json'));
    expect(await fs.readlink(path.join(root, 'freq/latest'))).toBe(
      path.join('releases', second.release!.releaseId),
    );
  });

  it('keeps freq/latest on the previous release while a release is interrupted', async () => {
    const latest = () => fs.readlink(path.join(root, 'freq/latest'));
    const before = await latest();
    const keysBefore = new Set((await ledger()).map((e) => e.key));
    const release = harmonise(cli, ['frequency', 'release', '--json']);
    const shardKey = await waitFor(
      async () =>
        (await ledger())
          .map((e) => e.key)
          .find((k) => !keysBefore.has(k) && /^frequency:.*\/shard-\d{4}\//.test(k)),
      { what: 'the release to start a shard job', timeoutMs: 60_000, intervalMs: 250 },
    );
    const releaseId = /^frequency:([^/]+)\//.exec(shardKey)![1]!;
    const pidFile = JSON.parse(await fs.readFile(path.join(root, 'run/worker.pid'), 'utf8')) as {
      pid: number;
    };
    process.kill(pidFile.pid, 'SIGKILL');
    // With no worker, the shard jobs it started finish on their own; nothing is published
    // meanwhile (by them, or by anyone else: no worker runs).
    const started = (await ledger()).filter((e) => e.key.includes(releaseId));
    expect(started.length).toBeGreaterThan(0);
    await waitFor(() => started.every((job) => processGroup(job.pid).length === 0), {
      what: `the release's running jobs (${started.map((j) => j.key).join(', ')}) to end`,
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    expect(await latest()).toBe(before);
    await expect(fs.access(path.join(root, 'freq/releases', releaseId))).rejects.toThrow();

    const up = await harmonise(cli, ['up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const done = await release;
    expect(done.exitCode, done.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ releaseId, latest: true });
    expect(await latest()).toBe(path.join('releases', releaseId));
    // Every job of the release started once: the new worker re-attached, it did not resubmit.
    const keys = (await ledger()).map((e) => e.key).filter((k) => k.includes(releaseId));
    expect(keys).toHaveLength(10);
    expect(new Set(keys).size).toBe(10);
  });

  it('leaves a withdrawn sample out of the next release and keeps the earlier ones as they were', async () => {
    const latest = () => fs.readlink(path.join(root, 'freq/latest'));
    const before = path.join(root, 'freq', await latest());
    const beforeHash = await hashTree(before);
    const withdraw = await harmonise(cli, ['consent', 'withdraw', 'HOV001', '--wait', '--json']);
    expect(withdraw.exitCode, withdraw.stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(withdraw.stdout) as {
      withdrawnAt: string;
      alreadyWithdrawn: boolean;
      releaseId: string;
      release: { dir: string; samples: number };
    };
    expect(result.alreadyWithdrawn).toBe(false);
    const after = result.release.dir;
    expect(await latest()).toBe(path.join('releases', result.releaseId));

    const tsv = async (dir: string) =>
      (await fs.readFile(path.join(dir, 'samples.tsv'), 'utf8')).split('\n').filter(Boolean);
    expect((await tsv(before)).some((l) => l.startsWith('HOV001\t'))).toBe(true);
    expect((await tsv(after)).some((l) => l.startsWith('HOV001\t'))).toBe(false);
    expect(await tsv(after)).toHaveLength((await tsv(before)).length - 1);
    const summary = JSON.parse(await fs.readFile(path.join(after, 'summary.json'), 'utf8')) as {
      excluded: { sampleId: string; reason: string }[];
    };
    expect(summary.excluded).toContainEqual({
      sampleId: 'HOV001',
      reason: `consent withdrawn at ${result.withdrawnAt}`,
    });

    // AN drops by HOV001's two alleles wherever it was called; never by more.
    const an = async (dir: string) => {
      const { stdout } = await execa('bcftools', [
        'query',
        '-f',
        '%CHROM:%POS:%REF:%ALT\t%INFO/AN\n',
        path.join(dir, 'frequencies.vcf.gz'),
      ]);
      return new Map(
        stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t') as [string, string]),
      );
    };
    const [anBefore, anAfter] = [await an(before), await an(after)];
    let dropped = 0;
    for (const [site, value] of anAfter) {
      const was = anBefore.get(site);
      if (was === undefined) continue;
      const drop = Number(was) - Number(value);
      expect([0, 2]).toContain(drop);
      if (drop === 2) dropped += 1;
    }
    expect(dropped).toBeGreaterThan(0.9 * anAfter.size);

    // The earlier release is byte-identical; the audit log and the record say what happened.
    expect(await hashTree(before)).toBe(beforeHash);
    const audit = (await fs.readFile(path.join(root, 'gdb/audit.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.at(-1)).toMatchObject({
      action: 'consent-withdrawn',
      sampleId: 'HOV001',
      releaseId: result.releaseId,
    });
    const sample = await harmonise(cli, ['sample', 'status', 'HOV001', '--json']);
    expect(JSON.parse(sample.stdout)).toMatchObject({
      record: { consent: { withdrawnAt: result.withdrawnAt } },
    });
    // A second withdrawal is logged and starts nothing.
    const again = await harmonise(cli, ['consent', 'withdraw', 'HOV001', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyWithdrawn: true, releaseId: null });
  });

  it('cuts the release of a withdrawal whose client and worker were SIGKILLed right after it was recorded', async () => {
    const layout = createLayout(root);
    const withdrawn = async () =>
      (await new Catalogue(layout).get('HOV002'))?.consent.withdrawnAt ?? null;
    const workerPid = (
      JSON.parse(await fs.readFile(path.join(root, 'run/worker.pid'), 'utf8')) as { pid: number }
    ).pid;
    const client = harmonise(cli, ['consent', 'withdraw', 'HOV002', '--json']);
    // The moment the catalogue says so, the client and the worker that recorded it die.
    await waitFor(async () => (await withdrawn()) !== null, {
      what: 'the withdrawal in the catalogue',
      timeoutMs: 60_000,
      intervalMs: 5,
    });
    process.kill(workerPid, 'SIGKILL');
    client.kill('SIGKILL');
    expect((await client).exitCode).not.toBe(0);
    const up = await harmonise(cli, ['up', '--json']);
    expect(up.exitCode, up.stderr.slice(-2000)).toBe(0);

    // The next worker finishes the withdrawal: one audit line, and a release without HOV002.
    const audited = async () =>
      (await fs.readFile(path.join(root, 'gdb/audit.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { action: string; sampleId?: string; releaseId?: string })
        .filter((e) => e.action === 'consent-withdrawn' && e.sampleId === 'HOV002');
    await waitFor(async () => (await audited()).length > 0, {
      what: 'the audit line',
      timeoutMs: 120_000,
    });
    const [entry, ...more] = await audited();
    expect(more).toEqual([]);
    expect(entry!.releaseId).toEqual(expect.any(String));
    const summary = path.join(root, 'freq/releases', entry!.releaseId!, 'summary.json');
    await waitFor(() => pathExists(summary), {
      what: 'the release without HOV002',
      timeoutMs: 300_000,
      intervalMs: 1000,
    });
    const samples = await fs.readFile(path.join(path.dirname(summary), 'samples.tsv'), 'utf8');
    expect(samples).not.toMatch(/^HOV002\t/m);
    expect(samples).not.toMatch(/^HOV001\t/m);
    expect(JSON.parse(await fs.readFile(summary, 'utf8'))).toMatchObject({
      excluded: expect.arrayContaining([
        { sampleId: 'HOV002', reason: `consent withdrawn at ${await withdrawn()}` },
      ]),
    });
  }, 600_000);
});
