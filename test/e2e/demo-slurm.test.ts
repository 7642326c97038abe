/**
 * The demo on the real single-node Slurm cluster (`harmonise demo --json --executor slurm`):
 * the same checks as on the local executor, and Slurm's own records showing exactly one sbatch
 * per job key. Worker kills on Slurm are the fault suite's (test/slurm/chaos.test.ts).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReport } from '../../src/cli/demo.ts';
import { cliEnv, harmonise, type CliEnv } from '../helpers/cli.ts';
import {
  checkContributions,
  checkDemoReport,
  checkRecall,
  checkRelease,
  checkSampleOutputs,
} from '../helpers/demo-checks.ts';
import { ensureTestSlurm, slurmJobsNamed, slurmJobsNamedLike } from '../helpers/slurm.ts';

let cli: CliEnv;
let root: string;
let report: DemoReport;

beforeAll(async () => {
  await ensureTestSlurm();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-e2e-slurm-'));
  cli = await cliEnv(root);
});

afterAll(async () => {
  const down = await harmonise(cli, ['down', '--json']);
  expect(down.exitCode).toBe(0);
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

describe('harmonise demo --executor slurm', () => {
  it('harmonises every sample on Slurm and cuts a release', async () => {
    const demo = await harmonise(cli, ['demo', '--json', '--executor', 'slurm']);
    expect(demo.exitCode, demo.stderr.slice(-3000)).toBe(0);
    report = JSON.parse(demo.stdout) as DemoReport;
    await checkDemoReport(report, root);
  }, 600_000);

  it('writes the same verified outputs, each step submitted to Slurm exactly once', async () => {
    const provenance = await checkSampleOutputs(report, root, 'slurm');
    for (const step of provenance.flatMap((p) => p.steps)) {
      expect(await slurmJobsNamed(step.key), step.key).toEqual([step.jobId]);
    }
    for (const { provenance: job } of await checkContributions(report, root)) {
      expect(await slurmJobsNamed(job.jobKey), job.jobKey).toEqual([job.jobId]);
    }
    // The release: one batch partial (the samples derived their contributions), a reduce per
    // shard (one per demo contig at the default shard size) and the gather, each submitted once.
    const releaseJobs = await slurmJobsNamedLike(`frequency:${report.release!.releaseId}/`);
    expect(releaseJobs).toHaveLength(7);
  });

  it('publishes a release with the documented summary and counts', async () => {
    await checkRelease(report, root);
  });

  it('recalls at least 98% of the truth variants in every sample', async () => {
    await checkRecall(report, root);
  });

  it('shows every attempt with its Slurm job id, state and resources in sample status --json', async () => {
    const result = await harmonise(cli, ['sample', 'status', 'RSD001', '--json']);
    expect(result.exitCode).toBe(0);
    const status = JSON.parse(result.stdout) as {
      workflows: { status: { steps: { name: string; attempts: Record<string, unknown>[] }[] } }[];
    };
    const attempts = status.workflows[0]!.status.steps.flatMap((s) => s.attempts);
    expect(attempts).toHaveLength(5); // align, markdup, karyotype, call, contribution
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({
        attempt: 1,
        state: 'COMPLETED',
        jobId: expect.stringMatching(/^\d+$/),
      });
      expect(attempt.resources).toMatchObject({
        cpus: expect.any(Number),
        memMiB: expect.any(Number),
      });
    }
  });
});
