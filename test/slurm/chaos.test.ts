/**
 * The fault suite's short form (`npm run chaos` is the full one): a rerun campaign over six demo
 * genomes on the real Slurm, with a worker SIGKILL, a SIGKILLed and restarted Temporal
 * server, a slurmctld restart, a node drained under a running job and the node set DOWN under
 * one. Nothing may be lost, submitted twice or corrupted; the job the DOWN node killed runs again
 * under a new attempt key; every CRAM holds every submitted read, every gVCF the truth variants;
 * and the release lists exactly the cohort and equals an independent recomputation.
 */
import { testTemporalKind } from '../helpers/temporal.ts';
import { describe, expect, it } from 'vitest';
import { runChaos, type ChaosReport } from '../chaos/chaos.ts';
import { faultPlan } from '../chaos/plan.ts';
import { ensureTestSlurm } from '../helpers/slurm.ts';

describe('fault plan', () => {
  it('spreads the one-off faults among the worker kills', () => {
    expect(faultPlan(1)).toEqual([
      'worker-sigkill',
      'temporal-sigkill',
      'slurmctld-restart',
      'node-drain',
      'node-down',
    ]);
    expect(faultPlan(3)).toEqual([
      'worker-sigkill',
      'temporal-sigkill',
      'worker-sigkill',
      'slurmctld-restart',
      'node-drain',
      'worker-sigkill',
      'node-down',
    ]);
    const full = faultPlan(20);
    expect(full).toHaveLength(24);
    expect(full.filter((k) => k === 'worker-sigkill')).toHaveLength(20);
    expect(full.indexOf('temporal-sigkill')).toBeGreaterThan(0);
    expect(full.indexOf('node-down')).toBeLessThan(23);
  });
});

describe('chaos (short form)', () => {
  it('loses nothing, submits nothing twice, corrupts nothing and keeps every read and variant under every kind of fault', async () => {
    await ensureTestSlurm();
    const lines: string[] = [];
    const report: ChaosReport = await runChaos({
      samples: 6,
      workerKills: 1,
      faultConcurrency: 1,
      maxConcurrent: 3,
      timeoutMinutes: 12,
      temporal: testTemporalKind(),
      workers: 1,
      keep: false,
      log: (line) => lines.push(line),
    });
    const context = `${JSON.stringify(report, null, 2)}\n${lines.join('\n')}`;
    expect(report.findings, context).toEqual([]);
    expect(report).toMatchObject({
      samples: 6,
      campaignState: 'completed',
      faultsInjected: 5,
      recoveries: 5,
      lost: 0,
      duplicateSubmissions: 0,
      corruptOutputs: 0,
      doneTwice: 0,
      repeatedSteps: 0,
      readCountMismatches: 0,
      releaseSampleSetExact: true,
      release: { samples: 6, mismatches: 0 },
    });
    expect(report.nodeDownRetries).toBeGreaterThanOrEqual(1);
    expect(report.minRecall).toBeGreaterThanOrEqual(0.98);
    expect(report.sampleContent).toHaveLength(6);
    for (const row of report.sampleContent) {
      expect(row.cramReads, row.sampleId).toBe(row.inputReads);
      // The fault suite runs on pipeline 1's reference (chr1-3): about 90 truth variants a
      // genome there, now that the demo genome also has chrX and chrY.
      expect(row.truthVariants, row.sampleId).toBeGreaterThan(60);
    }
    expect(report.faults.map((f) => f.kind).sort()).toEqual([
      'node-down',
      'node-drain',
      'slurmctld-restart',
      'temporal-sigkill',
      'worker-sigkill',
    ]);
    // Six genomes on pipeline 1's reference (chr1-3): about 200 sites.
    expect(report.release.sites).toBeGreaterThan(150);
    // Three steps per sample at least, each in Slurm's records.
    expect(report.slurmJobs).toBeGreaterThanOrEqual(18);
  }, 900_000);
});
