/**
 * The whole path as a user runs it: `harmonise demo --json` on a fresh data root, with the
 * worker SIGKILLed in the middle and a new one started; then every output is checked with the
 * tools directly, the release against an independent computation, and the calls against truth.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReport } from '../../src/cli/demo.ts';
import { isProcessAlive, processStartTime } from '../../src/executors/local-proc.ts';
import { cliEnv, harmonise, type CliEnv } from '../helpers/cli.ts';
import {
  carriedVariants,
  headerMd5s,
  independentFrequencies,
  releaseFrequencies,
} from '../helpers/genomics.ts';
import { hashTree, writeSubmission } from '../helpers/inbox.ts';

let cli: CliEnv;
let root: string;
let report: DemoReport;
let killedWorker: number;
let runningAtKill: string[] = [];

interface LedgerEntry {
  key: string;
  jobId: string;
}

async function ledger(): Promise<LedgerEntry[]> {
  const text = await fs.readFile(path.join(root, 'run/local-jobs.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LedgerEntry);
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-e2e-'));
  cli = await cliEnv(root);
});

afterAll(async () => {
  const down = await harmonise(cli, ['down', '--json']);
  expect(down.exitCode).toBe(0);
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

describe('harmonise demo', () => {
  it('harmonises every sample and cuts a release, surviving a SIGKILLed worker', async () => {
    const demo = harmonise(cli, ['demo', '--json']);
    // Kill the worker once some steps have finished and others are running.
    const deadline = Date.now() + 240_000;
    while ((await ledger()).length < 5) {
      if (Date.now() > deadline) throw new Error('the demo never reached its fifth job');
      if (demo.exitCode !== undefined && demo.exitCode !== null)
        throw new Error('demo ended early');
      await sleep(250);
    }
    const pidFile = JSON.parse(await fs.readFile(path.join(root, 'run/worker.pid'), 'utf8')) as {
      pid: number;
    };
    killedWorker = pidFile.pid;
    const inFlight = await ledger();
    process.kill(killedWorker, 'SIGKILL');
    runningAtKill = inFlight.map((e) => e.key);

    const restarted = await harmonise(cli, ['up', '--json']);
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    const up = JSON.parse(restarted.stdout) as {
      worker: { pid: number; started: boolean };
      temporalUi: string;
    };
    expect(up.worker.started).toBe(true);
    expect(up.worker.pid).not.toBe(killedWorker);
    expect(up.temporalUi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const result = await demo;
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    report = JSON.parse(result.stdout) as DemoReport;

    expect(report.dataRoot).toBe(root);
    expect(path.isAbsolute(report.reference)).toBe(true);
    expect(report.submissions).toEqual([
      { region: 'hovedstaden', submissionId: 'HOV-2026-0001', status: 'accepted' },
      { region: 'syddanmark', submissionId: 'RSD-2026-0001', status: 'accepted' },
    ]);
    expect(report.samples).toHaveLength(6);
    for (const sample of report.samples) {
      expect(sample).toMatchObject({ status: 'done', mode: 'full' });
      expect(path.isAbsolute(sample.cram!)).toBe(true);
      await fs.access(sample.cram!);
      await fs.access(sample.gvcf!);
    }
    expect(report.release).toMatchObject({ samples: 6 });
    expect(report.release!.sites).toBeGreaterThan(200);
  });

  it('ran every step exactly once: finished steps were not re-run, running ones were re-attached', async () => {
    const entries = await ledger();
    const keys = entries.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(6 * 3 + 1);
    for (const key of keys) expect(key).toMatch(/\/1$/); // first attempt of every step
    // Jobs started by the killed worker are among those that finished, each started once.
    for (const key of runningAtKill) expect(keys.filter((k) => k === key)).toHaveLength(1);
    const log = await fs.readFile(path.join(root, 'logs/worker.log'), 'utf8');
    expect(log).toMatch(/"found":"(running|finished)".*"msg":"re-attached to job"/);
  });

  it('writes CRAMs on the national reference and indexed gVCFs, with honest provenance', async () => {
    const dict = await headerMd5s(report.reference.replace(/\.fa$/, '.dict'), report.reference);
    expect(dict.size).toBe(3);
    for (const sample of report.samples) {
      const quick = await execa('samtools', ['quickcheck', '-v', sample.cram!], { reject: false });
      expect(quick.exitCode).toBe(0);
      expect(await headerMd5s(sample.cram!, report.reference)).toEqual(dict);
      const gvcfType = await execa('htsfile', [sample.gvcf!]).catch(() => null);
      if (gvcfType) expect(gvcfType.stdout).toContain('BGZF-compressed');
      await fs.access(`${sample.gvcf!}.tbi`);
      const indexed = await execa('tabix', ['-l', sample.gvcf!]);
      expect(indexed.stdout.split('\n')).toEqual(['chr1', 'chr2', 'chr3']);

      const dir = path.dirname(sample.cram!);
      const provenance = JSON.parse(
        await fs.readFile(path.join(dir, 'provenance.json'), 'utf8'),
      ) as {
        pipeline: { version: string; specSha256: string };
        reference: { sequences: { name: string; md5: string }[] };
        tools: Record<string, string>;
        steps: { name: string; jobId: string; commands: string[] }[];
        outputs: Record<string, { sha256: string }>;
      };
      expect(provenance.pipeline.version).toBe('1');
      expect(provenance.reference.sequences.map((s) => [s.name, s.md5])).toEqual([
        ...dict.entries(),
      ]);
      expect(Object.keys(provenance.tools).sort()).toEqual([
        'bcftools',
        'bwa',
        'htslib',
        'samtools',
      ]);
      expect(provenance.steps.map((s) => s.name)).toEqual(['align', 'markdup', 'call']);
      expect(provenance.steps[0]!.commands.join('\n')).toContain('bwa mem');
      for (const step of provenance.steps) expect(step.jobId).toMatch(/^local-/);
      for (const [name, entry] of Object.entries(provenance.outputs)) {
        expect(await sha256(path.join(dir, name))).toBe(entry.sha256);
      }
      // Job scratch is removed once the sample is registered.
      await expect(
        fs.access(path.join(root, 'work', `sample:${sample.sampleId}:1`)),
      ).rejects.toThrow();
    }
  });

  it('publishes a release equal to an independent bcftools merge -g + fill-tags', async () => {
    const release = report.release!;
    const latest = await fs.readlink(path.join(root, 'freq/latest'));
    expect(latest).toBe(path.join('releases', release.releaseId));
    const samplesTsv = (await fs.readFile(path.join(release.dir, 'samples.tsv'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string, string]);
    expect(samplesTsv.map((r) => r[0]).sort()).toEqual(
      report.samples.map((s) => s.sampleId).sort(),
    );
    const summary = JSON.parse(
      await fs.readFile(path.join(release.dir, 'summary.json'), 'utf8'),
    ) as {
      samples: number;
      sites: number;
      samplesPerRegion: Record<string, number>;
    };
    expect(summary).toMatchObject({
      samples: 6,
      sites: release.sites,
      samplesPerRegion: { hovedstaden: 3, syddanmark: 3 },
    });

    const regions = ['hovedstaden', 'syddanmark'];
    const independent = await independentFrequencies(
      report.reference,
      samplesTsv.map(([sampleId, region, gvcf]) => ({ sampleId, region, gvcf })),
      root,
    );
    const published = await releaseFrequencies(release.vcf, regions);
    expect(published.size).toBe(release.sites);
    expect([...published.keys()].sort()).toEqual([...independent.keys()].sort());
    for (const [key, counts] of independent) expect(published.get(key), key).toEqual(counts);

    // The zero-coverage stretch of HOV002: its alleles are not counted there.
    const stretch = [...published.entries()].filter(([key]) => {
      const [chrom, pos] = key.split(':');
      return chrom === 'chr2' && Number(pos) >= 100_001 && Number(pos) <= 120_000;
    });
    expect(stretch.length).toBeGreaterThan(0);
    for (const [, counts] of stretch) {
      expect(counts.AN).toBeLessThanOrEqual(10);
      expect(counts.perRegion.hovedstaden!.AN).toBeLessThanOrEqual(4);
    }
    expect(stretch.some(([, c]) => c.AN === 10 && c.perRegion.hovedstaden!.AN === 4)).toBe(true);
  });

  it('recalls at least 98% of the truth variants in every sample', async () => {
    for (const sample of report.samples) {
      const truthFile = path.join(root, 'demo/truth', `${sample.sampleId}.truth.vcf.gz`);
      const truth = await carriedVariants(truthFile, report.reference);
      const called = await carriedVariants(sample.gvcf!, report.reference);
      const found = [...truth].filter((key) => called.has(key)).length;
      expect(truth.size).toBeGreaterThan(100);
      expect(
        found / truth.size,
        `${sample.sampleId}: ${found}/${truth.size}`,
      ).toBeGreaterThanOrEqual(0.98);
    }
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
    expect(sampleReport.record.versions['1']!.status).toBe('harmonised');
    expect(sampleReport.workflows[0]).toMatchObject({
      workflowId: 'sample:HOV002:1',
      execution: 'COMPLETED',
    });
    expect(sampleReport.workflows[0]!.status.steps.flatMap((s) => s.attempts)).toHaveLength(3);

    const release = await harmonise(cli, ['frequency', 'release', '--json']);
    expect(release.exitCode, release.stderr.slice(-2000)).toBe(0);
    const cut = JSON.parse(release.stdout) as {
      releaseId: string;
      sites: number;
      samples: number;
      latest: boolean;
    };
    expect(cut).toMatchObject({ samples: 6, sites: report.release!.sites, latest: true });
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
    expect(second.submissions.map((s) => s.status)).toEqual(['accepted', 'accepted']);
    expect(second.samples.map((s) => s.cram)).toEqual(report.samples.map((s) => s.cram));
    expect(second.release!.releaseId).not.toBe(report.release!.releaseId);
    const newKeys = (await ledger()).slice(jobsBefore).map((e) => e.key);
    expect(newKeys).toEqual([expect.stringMatching(/^frequency:.*\/frequency\/1$/)]);
    // The earlier release is untouched; latest moved to the new one.
    await fs.access(path.join(report.release!.dir, 'summary.json'));
    expect(await fs.readlink(path.join(root, 'freq/latest'))).toBe(
      path.join('releases', second.release!.releaseId),
    );
  });
});
