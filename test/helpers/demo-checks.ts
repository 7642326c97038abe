/**
 * The checks every demo run must pass, whatever the executor: the documented JSON, CRAMs on the
 * national reference, indexed gVCFs, provenance that matches the files, a release equal to an
 * independent computation (AN right in the zero-coverage stretch), and recall of the truth.
 */
import { testTemporalKind } from './temporal.ts';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { DemoReport } from '../../src/cli/demo.ts';
import { NATIONAL_PIPELINE_VERSION, UNCOVERED } from '../../src/demo/model.ts';
import type { KaryotypeVerdict } from '../../src/domain/karyotype.ts';
import { provenanceSchema, type Provenance } from '../../src/domain/provenance.ts';
import { harmonise, type CliEnv } from './cli.ts';
import { releaseCounts } from './frequency-peer.ts';
import { ADJ, carriedVariants, headerMd5s, recallOf, recallUnderAdj } from './genomics.ts';

export interface DemoRun {
  report: DemoReport;
  killedWorker: number;
}

/**
 * Runs `harmonise demo --json`, SIGKILLs the worker once `killWhen` says some jobs have started,
 * starts a new worker with `harmonise up`, and returns the demo's report.
 */
export async function runDemoKillingWorker(
  cli: CliEnv,
  args: string[],
  killWhen: () => Promise<boolean>,
): Promise<DemoRun> {
  const demo = harmonise(cli, ['demo', '--json', ...args]);
  const deadline = Date.now() + 240_000;
  while (!(await killWhen())) {
    if (Date.now() > deadline)
      throw new Error('the demo never reached the point to kill its worker');
    if (demo.exitCode !== undefined && demo.exitCode !== null) {
      const ended = await demo;
      throw new Error(`the demo ended early (${ended.exitCode}):\n${ended.stderr.slice(-3000)}`);
    }
    await sleep(250);
  }
  const pidFile = JSON.parse(
    await fs.readFile(path.join(cli.dataRoot, 'run/worker.pid'), 'utf8'),
  ) as {
    pid: number;
  };
  process.kill(pidFile.pid, 'SIGKILL');

  const restarted = await harmonise(cli, ['up', '--json']);
  expect(restarted.exitCode, restarted.stderr).toBe(0);
  const up = JSON.parse(restarted.stdout) as {
    worker: { pid: number; started: boolean };
    temporalUi: string | null;
  };
  expect(up.worker.started).toBe(true);
  expect(up.worker.pid).not.toBe(pidFile.pid);
  // The dev server has a Web UI; a Temporal cluster has none (null).
  if (testTemporalKind() === 'cluster') expect(up.temporalUi).toBeNull();
  else expect(up.temporalUi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  const result = await demo;
  expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
  return { report: JSON.parse(result.stdout) as DemoReport, killedWorker: pidFile.pid };
}

interface DemoLayoutFile {
  sequences: { name: string; length: number; md5: string }[];
  sexChromosomes: { x: string; y: string };
  submissions: { region: string; submissionId: string }[];
  samples: {
    sampleId: string;
    region: string;
    readType: 'short' | 'long';
    expectedMode: string;
    /** The karyotype the sample's reads have, and the one its manifest states. */
    karyotype: 'XX' | 'XY';
    statedKaryotype: 'XX' | 'XY' | null;
  }[];
}

/** What the generator made, from `<root>/demo/layout.json`: the expectations of every check. */
export async function demoLayout(root: string): Promise<DemoLayoutFile> {
  return JSON.parse(
    await fs.readFile(path.join(root, 'demo/layout.json'), 'utf8'),
  ) as DemoLayoutFile;
}

export async function checkDemoReport(report: DemoReport, root: string): Promise<void> {
  const layout = await demoLayout(root);
  expect(report.dataRoot).toBe(root);
  expect(path.isAbsolute(report.reference)).toBe(true);
  // Where a newcomer goes next: the dashboard answers, and the tokens file opens it.
  expect(report.dashboard).toBe(`${report.api}/`);
  const page = await fetch(report.dashboard);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect((await fs.stat(report.tokensFile)).mode & 0o777).toBe(0o600);
  const tokens = JSON.parse(await fs.readFile(report.tokensFile, 'utf8')) as Record<string, string>;
  const dashboardData = await fetch(`${report.api}/api/v1/dashboard`, {
    headers: { authorization: `Bearer ${tokens.viewer}` },
  });
  expect(dashboardData.status).toBe(200);
  expect(report.submissions).toEqual(
    layout.submissions.map((s) => ({
      region: s.region,
      submissionId: s.submissionId,
      status: 'accepted',
    })),
  );
  expect(report.samples.map((s) => [s.sampleId, s.mode, s.status])).toEqual(
    layout.samples.map((s) => [s.sampleId, s.expectedMode, 'done']),
  );
  expect(new Set(layout.samples.map((s) => s.expectedMode))).toEqual(
    new Set(['full', 'partial', 'none']),
  );
  for (const sample of report.samples) {
    expect(path.isAbsolute(sample.cram!)).toBe(true);
    await fs.access(sample.cram!);
    await fs.access(sample.gvcf!);
  }
  const released = layout.samples.filter((s) => s.expectedMode !== 'none').length;
  expect(report.release).toMatchObject({ samples: released });
  // The rerun campaign: every hovedstaden sample rerun with the noop pipeline, nothing lost.
  const rerun = layout.samples.filter((s) => s.region === 'hovedstaden').length;
  expect(report.campaign).toMatchObject({
    state: 'completed',
    counts: { total: rerun, done: rerun, failed: 0, rejected: 0, running: 0, pending: 0 },
  });
  expect(report.release!.sites).toBeGreaterThan(200);
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

/** The steps each treatment takes: what provenance must show. */
/** Every demo sample has a CRAM, so each plan measures its karyotype (before the call, if any). */
function expectedSteps(verdict: { alignment: string; variants: string }): string[] {
  if (verdict.alignment === 'registered') return ['adopt', 'karyotype'];
  if (verdict.alignment === 'kept')
    return verdict.variants === 'kept' ? ['adopt', 'karyotype'] : ['adopt', 'karyotype', 'call'];
  return ['align', 'markdup', 'karyotype', 'call'];
}

/** Checks every sample's files; returns the provenance records, one per sample. */
export async function checkSampleOutputs(
  report: DemoReport,
  root: string,
  executor: 'local' | 'slurm',
): Promise<Provenance[]> {
  const layout = await demoLayout(root);
  const dict = await headerMd5s(report.reference.replace(/\.fa$/, '.dict'), report.reference);
  expect([...dict.entries()]).toEqual(layout.sequences.map((s) => [s.name, s.md5]));
  const all: Provenance[] = [];
  for (const sample of report.samples) {
    const expected = layout.samples.find((s) => s.sampleId === sample.sampleId)!;
    const quick = await execa('samtools', ['quickcheck', '-v', sample.cram!], { reject: false });
    expect(quick.exitCode).toBe(0);
    expect(await headerMd5s(sample.cram!, report.reference)).toEqual(dict);
    const decoded = await execa('samtools', [
      'view',
      '-c',
      '--reference',
      report.reference,
      sample.cram!,
    ]);
    expect(Number(decoded.stdout)).toBeGreaterThan(expected.readType === 'long' ? 300 : 50_000);
    const type = await execa('htsfile', [sample.gvcf!]);
    expect(type.stdout).toContain('BGZF-compressed');
    await fs.access(`${sample.gvcf!}.tbi`);
    const indexed = await execa('tabix', ['-l', sample.gvcf!]);
    // Records wherever the sample has reads: an XX sample has none on chrY.
    const read = layout.sequences
      .map((s) => s.name)
      .filter((name) => name !== 'chrY' || expected.karyotype === 'XY');
    expect(indexed.stdout.split('\n'), sample.sampleId).toEqual(read);

    const dir = path.dirname(sample.cram!);
    // What a later rerun reads back: a document the schema accepts, of this sample.
    const provenance = provenanceSchema.parse(
      JSON.parse(await fs.readFile(path.join(dir, 'provenance.json'), 'utf8')),
    );
    expect(provenance.sampleId).toBe(sample.sampleId);
    expect(provenance.pipeline.version).toBe(NATIONAL_PIPELINE_VERSION);
    expect(provenance.mode).toBe(expected.expectedMode);
    expect(provenance.reference.sequences.map((s) => [s.name, s.md5])).toEqual([...dict.entries()]);
    expect(provenance.steps.map((s) => s.name)).toEqual(expectedSteps(provenance.verdict));
    expect(provenance.verdict.reasons.length).toBeGreaterThan(0);
    if (provenance.steps[0]!.name === 'align') {
      const aligner = expected.readType === 'long' ? 'minimap2' : 'bwa';
      expect(provenance.tools[aligner]).toMatch(/^\d/);
      expect(provenance.steps[0]!.commands.join('\n')).toContain(
        aligner === 'bwa' ? 'bwa mem' : 'minimap2 -ax',
      );
    }
    for (const step of provenance.steps) {
      expect(step.executor).toBe(executor);
      expect(step.jobId).toMatch(executor === 'local' ? /^local-/ : /^\d+$/);
    }
    for (const [name, entry] of Object.entries(provenance.outputs)) {
      expect(await sha256(path.join(dir, name))).toBe(entry.sha256);
    }
    // Job scratch is removed once the sample is registered.
    await expect(
      fs.access(path.join(root, 'work', `sample:${sample.sampleId}:${NATIONAL_PIPELINE_VERSION}`)),
    ).rejects.toThrow();
    all.push(provenance);
  }
  return all;
}

export async function checkRelease(report: DemoReport, root: string): Promise<void> {
  const release = report.release!;
  expect(await fs.readlink(path.join(root, 'freq/latest'))).toBe(
    path.join('releases', release.releaseId),
  );
  const samplesTsv = (await fs.readFile(path.join(release.dir, 'samples.tsv'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string, string]);
  const layout = await demoLayout(root);
  const released = layout.samples.filter((s) => s.expectedMode !== 'none');
  expect(samplesTsv.map((r) => r[0]).sort()).toEqual(released.map((s) => s.sampleId).sort());
  const perRegion: Record<string, number> = {};
  for (const s of released) perRegion[s.region] = (perRegion[s.region] ?? 0) + 1;
  const summary = JSON.parse(await fs.readFile(path.join(release.dir, 'summary.json'), 'utf8')) as {
    samples: number;
    sites: number;
    samplesPerRegion: Record<string, number>;
    excluded: { sampleId: string; reason: string }[];
    files: Record<string, { sha256: string }>;
  };
  expect(summary).toMatchObject({
    schema: 'harmonise.release/v1',
    releaseId: release.releaseId,
    createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    pipelineVersions: [NATIONAL_PIPELINE_VERSION],
    samples: released.length,
    sites: release.sites,
    samplesPerRegion: perRegion,
    samplesPerMode: {
      full: released.filter((s) => s.expectedMode === 'full').length,
      partial: released.filter((s) => s.expectedMode === 'partial').length,
    },
    policy: { includeModeNone: false },
  });
  for (const name of ['frequencies.vcf.gz', 'frequencies.vcf.gz.tbi', 'samples.tsv']) {
    const bytes = await fs.readFile(path.join(release.dir, name));
    expect(summary.files[name]!.sha256, name).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  }
  // A release holds counts, not genotypes: the VCF names no sample.
  const header = (await execa('bcftools', ['view', '-h', release.vcf])).stdout.trim().split('\n');
  expect(header.at(-1)).toBe('#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO');
  for (const s of layout.samples.filter((x) => x.expectedMode === 'none')) {
    expect(summary.excluded).toContainEqual({
      sampleId: s.sampleId,
      reason: expect.stringMatching(/mode none/),
    });
  }
  // The headline counts keep adj genotypes only and count the sex chromosomes by karyotype, so
  // the -m all merge of the gVCFs is compared with the raw counts on the autosomes
  // (demo-sex-checks.ts, checkRawAgainstPeer).
  const published = await releaseCounts(release.vcf, Object.keys(perRegion).sort());
  const records = (await execa('bcftools', ['view', '-H', release.vcf])).stdout
    .split('\n')
    .filter(Boolean).length;
  expect(records).toBe(release.sites);
  // A site is published when a raw genotype carries it; its headline AC may be 0.
  expect(published.size).toBeGreaterThan(0);
  expect(published.size).toBeLessThanOrEqual(release.sites);

  // The zero-coverage stretch of HOV002: its alleles are not counted there.
  const stretch = [...published.entries()].filter(([key]) => {
    const [chrom, pos] = key.split(':');
    return chrom === 'chr2' && Number(pos) >= 100_001 && Number(pos) <= 120_000;
  });
  expect(stretch.length).toBeGreaterThan(0);
  const others = 2 * (released.length - 1);
  const hovedstaden = 2 * (perRegion.hovedstaden! - 1);
  for (const [, counts] of stretch) {
    expect(counts.AN).toBeLessThanOrEqual(others);
    expect(counts.AN_hovedstaden).toBeLessThanOrEqual(hovedstaden);
  }
  expect(stretch.some(([, c]) => c.AN === others && c.AN_hovedstaden === hovedstaden)).toBe(true);

  // No sample has reads over UNCOVERED: nothing can be called there.
  const uncovered = [...published.keys()].filter((key) => {
    const [chrom, pos] = key.split(':');
    return (
      chrom === UNCOVERED.contig && Number(pos) >= UNCOVERED.start && Number(pos) <= UNCOVERED.end
    );
  });
  expect(uncovered).toEqual([]);
}

/**
 * Recall of each sample's truth in its gVCF: carried at all (`raw`; a haploid call `1` counts
 * where the truth is haploid), or with a call that passes adj (`adj`: GQ, DP, het allele balance).
 */
export async function checkRecall(
  report: DemoReport,
  root: string,
  minimum = 0.98,
  under: 'raw' | 'adj' = 'raw',
): Promise<void> {
  const layout = await demoLayout(root);
  for (const sample of report.samples) {
    const truthFile = path.join(root, 'demo/truth', `${sample.sampleId}.truth.vcf.gz`);
    // A sample stated to be what its reads are not is called with the stated ploidy on chrX and
    // chrY (the region's word is kept, with a warning): its truth there is not what was called.
    const made = layout.samples.find((s) => s.sampleId === sample.sampleId)!;
    const misstated = made.statedKaryotype !== null && made.statedKaryotype !== made.karyotype;
    const { x, y } = layout.sexChromosomes;
    const only = misstated
      ? layout.sequences.map((s) => s.name).filter((n) => n !== x && n !== y)
      : undefined;
    const adj =
      under === 'adj'
        ? await recallUnderAdj(truthFile, sample.gvcf!, report.reference, ADJ, only)
        : null;
    const recall =
      adj ??
      recallOf(
        await carriedVariants(truthFile, report.reference, only),
        await carriedVariants(sample.gvcf!, report.reference, only),
      );
    // About 120 truth variants a genome, about 90 of them on the autosomes.
    expect(recall.truth).toBeGreaterThan(only ? 60 : 100);
    // Which rule dropped a called truth variant, for the finding.
    const dropped = adj ? [...adj.dropped].slice(0, 5).join('; ') : '';
    expect(
      recall.recall,
      `${sample.sampleId} (${under}): ${recall.recalled}/${recall.truth} ${dropped}`,
    ).toBeGreaterThanOrEqual(minimum);
  }
}

/**
 * Each sample is counted as its manifest states, or as its depth says when nothing is stated; a
 * stated karyotype the reads contradict (RSD002) is kept with a warning. Every sample harmonise
 * measures (all but mode none) has its depth ratios, and they say the truth.
 */
export async function checkKaryotypes(report: DemoReport, root: string): Promise<void> {
  const layout = await demoLayout(root);
  for (const sample of report.samples) {
    const expected = layout.samples.find((s) => s.sampleId === sample.sampleId)!;
    const record = JSON.parse(
      await fs.readFile(path.join(root, 'gdb/catalogue', `${sample.sampleId}.json`), 'utf8'),
    ) as { versions: Record<string, { karyotype?: KaryotypeVerdict }> };
    const verdict = record.versions[NATIONAL_PIPELINE_VERSION]?.karyotype;
    const id = sample.sampleId;
    expect(verdict, id).toBeDefined();
    expect(verdict!.karyotype, id).toBe(expected.statedKaryotype ?? expected.karyotype);
    expect(verdict!.inferred, id).toBe(expected.statedKaryotype === null);
    if (expected.expectedMode !== 'none') expect(verdict!.ratios, id).not.toBeNull();
    if (verdict!.ratios === null) continue;
    expect(verdict!.depthSays, id).toBe(expected.karyotype);
    const contradicted =
      expected.statedKaryotype !== null && expected.statedKaryotype !== expected.karyotype;
    expect(verdict!.warning === null, `${id}: ${verdict!.warning}`).toBe(!contradicted);
    expect(sample.karyotype, id).toEqual({
      karyotype: verdict!.karyotype,
      inferred: verdict!.inferred,
      warning: verdict!.warning,
    });
  }
  expect(layout.samples.some((s) => s.statedKaryotype && s.statedKaryotype !== s.karyotype)).toBe(
    true,
  );
}

/** A published contribution, as a test reads it (never through harmonise's reader). */
export interface ContributionOnDisk {
  sampleId: string;
  gvcf: { path: string; sha256: string };
  provenance: { jobKey: string; jobId: string };
}

/**
 * Every released-or-releasable demo sample has exactly one contribution beside its gVCF, read
 * from the gVCF the catalogue records (same sha256), by a job of its own sample workflow.
 */
export async function checkContributions(
  report: DemoReport,
  root: string,
): Promise<ContributionOnDisk[]> {
  const found: ContributionOnDisk[] = [];
  for (const sample of report.samples.filter((s) => s.gvcf)) {
    const record = JSON.parse(
      await fs.readFile(path.join(root, 'gdb/catalogue', `${sample.sampleId}.json`), 'utf8'),
    ) as {
      versions: Record<
        string,
        { sha256: Record<string, string>; verdict: { registeredGvcf?: { releasable: boolean } } }
      >;
    };
    const version = record.versions[NATIONAL_PIPELINE_VERSION]!;
    const releasable = sample.mode !== 'none' || version.verdict.registeredGvcf?.releasable;
    const dir = path.join(path.dirname(sample.gvcf!), 'contributions');
    const keys = await fs.readdir(dir).catch(() => []);
    if (!releasable) {
      expect(keys, sample.sampleId).toEqual([]);
      continue;
    }
    expect(keys, sample.sampleId).toHaveLength(1);
    const contribution = JSON.parse(
      await fs.readFile(path.join(dir, keys[0]!, 'contribution.json'), 'utf8'),
    ) as ContributionOnDisk;
    expect(contribution.sampleId).toBe(sample.sampleId);
    expect(contribution.gvcf.sha256).toBe(version.sha256[path.basename(sample.gvcf!)]);
    expect(contribution.provenance.jobKey).toMatch(
      new RegExp(
        `^sample:${sample.sampleId}:${NATIONAL_PIPELINE_VERSION}/[^/]+/contrib-0001/\\d+$`,
      ),
    );
    found.push(contribution);
  }
  expect(found.length).toBeGreaterThan(0);
  return found;
}
