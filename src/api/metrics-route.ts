/**
 * `/metrics` (Prometheus text): the API's own gauges, read at scrape time (each campaign's
 * samples by state and rate, submissions by outcome), summed with every worker's snapshot
 * (jobs submitted, running and ended by state, step durations, poller calls; see metrics.ts).
 */
import { AggregatorRegistry, Gauge, Registry } from 'prom-client';
import type { HarmoniseClient } from '../client.ts';
import { workerSnapshots } from '../metrics.ts';

const CAMPAIGNS_SHOWN = 50;

export function createApiMetrics(client: HarmoniseClient) {
  const registry = new Registry();
  const samples = new Gauge({
    name: 'harmonise_campaign_samples',
    help: "A campaign's samples by state (pending, running, done, failed, rejected, skipped, cancelled)",
    labelNames: ['campaign', 'state'],
    registers: [registry],
  });
  const rate = new Gauge({
    name: 'harmonise_campaign_samples_per_second',
    help: "A running campaign's recent rate of finished samples",
    labelNames: ['campaign'],
    registers: [registry],
  });
  /** Both campaign gauges from one query per campaign. */
  const readCampaigns = async () => {
    samples.reset();
    rate.reset();
    for (const progress of await client.recentCampaigns(CAMPAIGNS_SHOWN)) {
      // A gauge is now or never: a campaign that did not answer has no series this scrape.
      if (progress.progressUnavailable !== undefined) continue;
      const campaign = progress.campaignId;
      for (const [state, count] of Object.entries(progress.counts) as [string, number][]) {
        if (state !== 'total') samples.set({ campaign, state }, count);
      }
      if (progress.samplesPerSecond !== null) rate.set({ campaign }, progress.samplesPerSecond);
    }
  };
  new Gauge({
    name: 'harmonise_submissions',
    help: 'Submissions by outcome (accepted, partially-accepted, rejected, failed) and running',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const { status } of await client.records.submissionRecords()) {
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
      for (const [status, count] of counts) this.set({ status }, count);
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
      await readCampaigns();
      const own = await registry.getMetricsAsJSON();
      const workers = await workerSnapshots(client.layout.runDir);
      return AggregatorRegistry.aggregate([own, ...workers]).metrics();
    },
  };
}
