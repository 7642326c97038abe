/** What activities are given by the composition root (worker.ts); they create no clients. */
import type { Config } from '../config.ts';
import type { JobPoller } from '../executors/poller.ts';
import type { JobExecutor } from '../executors/port.ts';
import type { Logger } from '../logger.ts';
import type { Catalogue } from '../store/catalogue.ts';
import type { Layout } from '../store/layout.ts';
import type { PipelineRegistry } from '../store/pipelines.ts';

export interface ActivityDeps {
  config: Config;
  layout: Layout;
  executor: JobExecutor;
  poller: JobPoller;
  pipelines: PipelineRegistry;
  catalogue: Catalogue;
  logger: Logger;
}
