/** What file-level activities need, on a data root, without an executor (no job runs). */
import type { ActivityDeps } from '../../src/activities/deps.ts';
import { loadConfig } from '../../src/config.ts';
import { Catalogue } from '../../src/store/catalogue.ts';
import { createLayout } from '../../src/store/layout.ts';
import { PipelineRegistry } from '../../src/store/pipelines.ts';
import { testLogger } from './logger.ts';

export function fileActivityDeps(root: string, env: Record<string, string> = {}): ActivityDeps {
  const config = loadConfig({ HARMONISE_DATA: root, ...env });
  const layout = createLayout(root);
  return {
    config,
    layout,
    pipelines: new PipelineRegistry(config.pipelinesDir, root),
    catalogue: new Catalogue(layout),
    logger: testLogger,
    executor: undefined as never,
    poller: undefined as never,
  };
}
