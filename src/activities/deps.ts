/** What activities are given by the composition root (worker.ts); they create no clients. */
import type { Config } from '../config.ts';
import type { JobWatcher } from '../executors/job-watcher.ts';
import type { JobPoller } from '../executors/poller.ts';
import type { JobExecutor } from '../executors/port.ts';
import type { Logger } from '../logger.ts';
import type { Catalogue } from '../store/catalogue.ts';
import type { Layout } from '../store/layout.ts';
import type { WorkerMetrics } from '../metrics.ts';
import type { PipelineRegistry } from '../store/pipelines.ts';

/** Reads the state of workflows (injected by the worker; activities create no clients). */
export interface WorkflowDescriber {
  /** Temporal's execution status (RUNNING, COMPLETED, TERMINATED...) by workflow id; absent if unknown. */
  statuses(workflowIds: readonly string[]): Promise<Record<string, string>>;
}

export interface ActivityDeps {
  config: Config;
  layout: Layout;
  executor: JobExecutor;
  poller: JobPoller;
  /** Follows submitted jobs and signals their workflows when they end (the worker's; absent in activity tests). */
  watcher?: JobWatcher;
  pipelines: PipelineRegistry;
  catalogue: Catalogue;
  logger: Logger;
  workflows?: WorkflowDescriber;
  /** Job counts and step durations (the worker's; absent in activity tests). */
  metrics?: WorkerMetrics;
}
