/**
 * Composition root of the worker: the one place where the executor, the poller, the store and
 * the activities are put together and connected to Temporal.
 */
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
} from '@temporalio/worker';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createActivities, type Activities } from './activities/index.ts';
import type { WorkflowDescriber } from './activities/deps.ts';
import type { Config } from './config.ts';
import { LocalExecutor } from './executors/local.ts';
import { JobWatcher, type JobEndNotifier } from './executors/job-watcher.ts';
import { JobPoller } from './executors/poller.ts';
import { createWorkerMetrics, publishWorkerMetrics, type WorkerMetrics } from './metrics.ts';
import type { JobExecutor } from './executors/port.ts';
import { SlurmExecutor } from './executors/slurm/adapter.ts';
import { SlurmCommands } from './executors/slurm/commands.ts';
import type { Logger } from './logger.ts';
import { Catalogue } from './store/catalogue.ts';
import { createLayout } from './store/layout.ts';
import { PipelineRegistry } from './store/pipelines.ts';
import { temporalConnectionOptions } from './temporal-connection.ts';
import { workerBundle } from './workflow-bundle.ts';
import { jobEndedSignal } from './workflows/messages.ts';

export interface HarmoniseWorker {
  worker: Worker;
  executor: JobExecutor;
  poller: JobPoller;
  watcher: JobWatcher;
  activities: Activities;
  metrics: WorkerMetrics;
  /** Stops polling Temporal; running jobs keep running and are re-attached by the next worker. */
  shutdown(): Promise<void>;
}

let runtimeInstalled = false;

/** Routes the SDK's own logs into the pino root logger (once per process). */
function installRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (
    logger.level === 'debug' || logger.level === 'trace' ? 'DEBUG' : 'INFO'
  ) as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const fields = { ...entry.meta, sdk: true };
      const message = entry.message;
      if (entry.level === 'ERROR') logger.error(fields, message);
      else if (entry.level === 'WARN') logger.warn(fields, message);
      else if (entry.level === 'DEBUG' || entry.level === 'TRACE') logger.debug(fields, message);
      else logger.info(fields, message);
    }),
  });
}

export function createExecutor(config: Config, logger: Logger): JobExecutor {
  const layout = createLayout(config.dataRoot);
  if (config.executor.kind === 'slurm') {
    const { slurm } = config;
    return new SlurmExecutor({
      commands: new SlurmCommands({ conf: slurm.conf, accounting: slurm.accounting }),
      site: {
        partition: slurm.partition,
        account: slurm.account,
        qos: slurm.qos,
        extraArgs: slurm.extraArgs,
      },
      submitRatePerSecond: slurm.submitRatePerSecond,
      submitBurst: slurm.submitBurst,
      statusIntervalMs: slurm.statusIntervalMs,
      logger: logger.child({ component: 'slurm-executor' }),
    });
  }
  return new LocalExecutor({
    cpus: config.executor.local.cpus,
    memMiB: config.executor.local.memMiB,
    ledgerFile: layout.localJobLedger,
    logger: logger.child({ component: 'local-executor' }),
  });
}

/**
 * How often the worker's one poller looks at its jobs. Under Slurm it reads the jobs' markers
 * this often, while Slurm itself is asked only once per status interval.
 */
export function pollIntervalMs(config: Config): number {
  return config.executor.kind === 'slurm'
    ? Math.min(250, config.slurm.statusIntervalMs)
    : config.executor.pollIntervalMs;
}

export async function createHarmoniseWorker(
  config: Config,
  logger: Logger,
  overrides: { activities?: Partial<Activities> } = {},
): Promise<HarmoniseWorker> {
  installRuntime(logger);
  const layout = createLayout(config.dataRoot);
  await fs.mkdir(layout.runDir, { recursive: true });
  await fs.mkdir(path.join(layout.root, 'work'), { recursive: true });
  const executor = createExecutor(config, logger);
  const poller = new JobPoller(executor, {
    intervalMs: pollIntervalMs(config),
    missingGraceMs: config.executor.missingGraceMs,
    logger: logger.child({ component: 'poller' }),
  });
  // A client of its own for activities that read workflow states (campaign bookkeeping).
  const clientConnection = await Connection.connect(temporalConnectionOptions(config.temporal));
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const workflows = describerFor(client);
  const watcher = new JobWatcher({
    poller,
    executor,
    notifier: signallerFor(client),
    dir: path.join(layout.runDir, 'job-watches'),
    logger: logger.child({ component: 'job-watcher' }),
  });
  const metrics = createWorkerMetrics(executor.kind, poller, watcher);
  const activities = {
    ...createActivities({
      config,
      layout,
      executor,
      poller,
      watcher,
      pipelines: new PipelineRegistry(config.pipelinesDir, config.dataRoot),
      catalogue: new Catalogue(layout),
      logger,
      workflows,
      metrics,
    }),
    ...overrides.activities,
  };
  const bundle = await workerBundle(layout.runDir);
  logger.info({ bundle: bundle.path, reused: bundle.reused }, 'workflow bundle');
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { codePath: bundle.path },
    activities,
    // Steps hold a slot only to submit a job and to read what it left; a job in flight holds
    // none (the job watcher signals its end), so this bounds intake and bookkeeping, not jobs.
    maxConcurrentActivityTaskExecutions: 200,
    shutdownGraceTime: '5 seconds',
  });
  // The worker has read it; a bundle made for this worker alone is not kept.
  if (bundle.temporary) await fs.rm(bundle.path, { force: true });
  // Takes over the watches of workers that are gone, now and every few seconds (job-watcher.ts).
  const restored = await watcher.start();
  if (restored > 0) logger.info({ jobs: restored }, 'watching the jobs a previous worker left');
  return {
    worker,
    executor,
    poller,
    watcher,
    activities,
    metrics,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await watcher.close();
      poller.close();
      await executor.close();
      await clientConnection.close();
    },
  };
}

/** Runs a worker until SIGTERM or SIGINT (the `harmonise worker` command). */
export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const layout = createLayout(config.dataRoot);
  const handle = await createHarmoniseWorker(config, logger);
  const stop = () => {
    logger.info('worker stopping; running jobs continue and will be re-attached');
    handle.worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      address: config.temporal.address,
      executor: handle.executor.kind,
    },
    'worker running',
  );
  const stopMetrics = publishWorkerMetrics(handle.metrics, layout.runDir);
  try {
    await handle.worker.run();
  } finally {
    stopMetrics();
    await handle.shutdown();
  }
}

/** Signals a job's end to its workflow run; a run that has closed or gone is `gone`. */
function signallerFor(client: Client): JobEndNotifier {
  return {
    async notify(target, ended) {
      try {
        await client.workflow
          .getHandle(target.workflowId, target.runId)
          .signal(jobEndedSignal, ended);
        return 'delivered';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return 'gone';
        throw error;
      }
    },
  };
}

/** Temporal's status of each workflow, a few dozen questions at a time. */
function describerFor(client: Client): WorkflowDescriber {
  return {
    async statuses(workflowIds) {
      const statuses: Record<string, string> = {};
      for (let i = 0; i < workflowIds.length; i += 50) {
        await Promise.all(
          workflowIds.slice(i, i + 50).map(async (id) => {
            try {
              statuses[id] = (await client.workflow.getHandle(id).describe()).status.name;
            } catch (error) {
              if (!(error instanceof WorkflowNotFoundError)) throw error;
            }
          }),
        );
      }
      return statuses;
    },
  };
}
