/** The "Executor" variables: where jobs run, the local budget, and how jobs are polled. */
import type { ConfigSection } from './variable.ts';

export const EXECUTOR_SECTION: ConfigSection = {
  title: 'Executor',
  variables: [
    {
      name: 'HARMONISE_EXECUTOR',
      setting: 'executor.kind',
      default: { value: 'local' },
      meaning: 'where jobs run: on this machine, or through Slurm',
    },
    {
      name: 'HARMONISE_WORKERS',
      setting: 'workers',
      default: { value: 1 },
      meaning:
        'worker processes `harmonise up` starts on the task queue (with the local executor, each gets 1/N of the CPU and memory budgets)',
    },
    {
      name: 'HARMONISE_LOCAL_CPUS',
      setting: 'executor.local.cpus',
      default: { computed: "every core (Node's `os.availableParallelism()`)" },
      meaning: "the local executor's CPU budget, shared by the jobs it runs at once",
    },
    {
      name: 'HARMONISE_LOCAL_MEM_MIB',
      setting: 'executor.local.memMiB',
      default: { computed: "75% of the machine's memory" },
      meaning: "the local executor's memory budget in MiB, shared by the jobs it runs at once",
    },
    {
      name: 'HARMONISE_POLL_INTERVAL_MS',
      setting: 'executor.pollIntervalMs',
      default: { value: 1000 },
      meaning:
        "how often the worker's one poller looks at the local executor's jobs (under Slurm: every 250 ms, or the status interval if shorter)",
    },
    {
      name: 'HARMONISE_MISSING_GRACE_MS',
      setting: 'executor.missingGraceMs',
      default: { value: 120_000 },
      meaning: 'how long a job may be missing from status polls before it counts as lost',
    },
    {
      name: 'HARMONISE_JOB_RECHECK_SECONDS',
      setting: 'executor.jobRecheckSeconds',
      default: { value: 300 },
      meaning:
        "when a step whose job's end was not signalled first asks a worker about the job again (the backstop of the job watcher; doubling after each ask)",
    },
    {
      name: 'HARMONISE_JOB_RECHECK_MAX_SECONDS',
      setting: 'executor.jobRecheckMaxSeconds',
      default: { value: 1800 },
      meaning: 'the longest pause between two such asks, however long the job queues or runs',
    },
  ],
};
