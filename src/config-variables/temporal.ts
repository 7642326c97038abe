/** The "Temporal" variables: the server, the namespace and the task queue harmonise uses. */
import type { ConfigSection } from './variable.ts';

export const TEMPORAL_SECTION: ConfigSection = {
  title: 'Temporal',
  variables: [
    {
      name: 'HARMONISE_TEMPORAL_ADDRESS',
      setting: 'temporal.address',
      format: '`host:port`',
      default: { value: '127.0.0.1:7233' },
      meaning: "Temporal's frontend; the embedded dev server listens here",
    },
    {
      name: 'HARMONISE_TEMPORAL_NAMESPACE',
      setting: 'temporal.namespace',
      default: { value: 'default' },
      meaning: 'the Temporal namespace of every workflow',
    },
    {
      name: 'HARMONISE_TASK_QUEUE',
      setting: 'temporal.taskQueue',
      default: { value: 'harmonise' },
      meaning: 'the task queue workers poll and workflows are started on',
    },
    {
      name: 'HARMONISE_TEMPORAL_UI_PORT',
      setting: 'temporal.uiPort',
      default: { computed: 'the port of `HARMONISE_TEMPORAL_ADDRESS` + 1000' },
      meaning: "the embedded dev server's Web UI",
    },
    {
      name: 'HARMONISE_TEMPORAL_CLI',
      setting: 'temporal.cli',
      format: 'path',
      default: { computed: '`.tools/temporal/bin/temporal` of this checkout' },
      meaning: 'the Temporal CLI that runs the embedded dev server',
    },
  ],
};
