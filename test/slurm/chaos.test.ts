/**
 * The fault suite's short form (`npm run chaos` is the full one): a rerun campaign over six demo
 * genomes on the real Slurm, with a worker SIGKILL, a SIGKILLed and restarted Temporal
 * server, a slurmctld restart and a node drained under a running job. Nothing may be lost,
 * submitted twice or corrupted, and the release must equal an independent recomputation.
 */
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
    ]);
    expect(faultPlan(3)).toEqual([
      'worker-sigkill',
      'worker-sigkill',
      'temporal-sigkill',
      'slurmctld-restart',
      'worker-sigkill',
      'node-drain',
    ]);
    const full = faultPlan(20);
    expect(full).toHaveLength(23);
    expect(full.filter((k) => k === 'worker-sigkill')).toHaveLength(20);
    expect(full.indexOf('temporal-sigkill')).toBeGreaterThan(0);
    expect(full.indexOf('node-drain')).toBeLessThan(22);
  });
});

describe('chaos (short form)', () => {
  it('loses nothing, submits nothing twice and corrupts nothing under every kind of fault', async () => {
    await ensureTestSlurm();
    const lines: string[] = [];
    const report: ChaosReport = await runChaos({
      samples: 6,
      workerKills: 1,
      faultConcurrency: 1,
      maxConcurrent: 3,
      timeoutMinutes: 12,
      keep: false,
      log: (line) => lines.push(line),
    });
    const context = `${JSON.stringify(report, null, 2)}\n${lines.join('\n')}`;
    expect(report.findings, context).toEqual([]);
    expect(report).toMatchObject({
      samples: 6,
      campaignState: 'completed',
      faultsInjected: 4,
      recoveries: 4,
      lost: 0,
      duplicateSubmissions: 0,
      corruptOutputs: 0,
      doneTwice: 0,
      repeatedSteps: 0,
      release: { samples: 6, mismatches: 0 },
    });
    expect(report.faults.map((f) => f.kind).sort()).toEqual([
      'node-drain',
      'slurmctld-restart',
      'temporal-sigkill',
      'worker-sigkill',
    ]);
    expect(report.release.sites).toBeGreaterThan(200);
    // Three steps per sample at least, each in Slurm's records.
    expect(report.slurmJobs).toBeGreaterThanOrEqual(18);
  }, 900_000);
});
