/**
 * `/metrics` (Prometheus text): the API's own gauges, read at scrape time (each campaign's
 * samples by state and rate, submissions by outcome), summed with every worker's snapshot
 * (jobs submitted, running and ended by state, step durations, poller calls; see metrics.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AggregatorRegistry, Gauge, Registry } from 'prom-client';
import type { HarmoniseClient } from '../client.ts';
import { workerSnapshots } from '../metrics.ts';
import { readJsonIfExists } from '../store/atomic.ts';

const CAMPAIGNS_SHOWN = 50;

async function campaignIds(client: HarmoniseClient): Promise<string[]> {
  const ids = await fs.readdir(path.join(client.layout.root, 'gdb', 'campaigns')).catch(() => []);
  return ids.sort().reverse().slice(0, CAMPAIGNS_SHOWN);
}

/** Final outcomes recorded under gdb/submissions/<region>/<id>.json, by status. */
async function submissionOutcomes(client: HarmoniseClient): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const root = path.dirname(client.layout.submissionRecord('r', 's'));
  const base = path.dirname(root);
  for (const region of await fs.readdir(base).catch(() => [] as string[])) {
    for (const name of await fs.readdir(path.join(base, region)).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const record = (await readJsonIfExists(path.join(base, region, name))) as
        { status?: string } | undefined;
      if (record?.status) counts.set(record.status, (counts.get(record.status) ?? 0) + 1);
    }
  }
  return counts;
}

export function createApiMetrics(client: HarmoniseClient) {
  const registry = new Registry();
  new Gauge({
    name: 'harmonise_campaign_samples',
    help: "A campaign's samples by state (pending, running, done, failed, rejected, skipped, cancelled)",
    labelNames: ['campaign', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const id of await campaignIds(client)) {
        const progress = await client.campaignProgress(id).catch(() => null);
        if (!progress) continue;
        for (const [state, count] of Object.entries(progress.counts) as [string, number][]) {
          if (state !== 'total') this.set({ campaign: id, state }, count);
        }
      }
    },
  });
  new Gauge({
    name: 'harmonise_campaign_samples_per_second',
    help: "A running campaign's recent rate of finished samples",
    labelNames: ['campaign'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const id of await campaignIds(client)) {
        const progress = await client.campaignProgress(id).catch(() => null);
        if (progress?.samplesPerSecond != null)
          this.set({ campaign: id }, progress.samplesPerSecond);
      }
    },
  });
  new Gauge({
    name: 'harmonise_submissions',
    help: 'Submissions by outcome (accepted, partially-accepted, rejected, failed) and running',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, count] of await submissionOutcomes(client)) this.set({ status }, count);
      const running = await client.temporal.workflow
        .count('WorkflowType="submissionWorkflow" AND ExecutionStatus="Running"')
        .then((r) => r.count)
        .catch(() => null);
      if (running !== null) this.set({ status: 'running' }, running);
    },
  });
  return {
    contentType: registry.contentType,
    async render(): Promise<string> {
      const own = await registry.getMetricsAsJSON();
      const workers = await workerSnapshots(client.layout.runDir);
      return AggregatorRegistry.aggregate([own, ...workers]).metrics();
    },
  };
}
