/** The "Temporal" variables: the server, the namespace and the task queue harmonise uses. */
import { NONE, type ConfigSection } from './variable.ts';

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
    {
      name: 'HARMONISE_TEMPORAL_SERVER',
      setting: 'temporal.server',
      format: '`dev`, `cluster` or `external`',
      default: {
        computed: 'what `up` last started for the data root (`run/temporal.json`), else `dev`',
      },
      meaning:
        "what `harmonise up` starts: the dev server (SQLite), the data root's local cluster (PostgreSQL, mTLS; infra/temporal/cluster), or nothing (a server of the site's, or Temporal Cloud)",
    },
    {
      name: 'HARMONISE_TEMPORAL_CLUSTER_DIR',
      setting: 'temporal.clusterDir',
      format: 'path',
      default: {
        computed:
          'as root `/var/lib/harmonise/temporal-cluster/<digest of the data root>`, else `<data>/temporal-cluster`',
      },
      meaning: "the local cluster's PostgreSQL data, certificates, config, pids and logs",
    },
    {
      name: 'HARMONISE_TEMPORAL_HISTORY_SHARDS',
      setting: 'temporal.historyShards',
      format: 'a positive integer',
      default: { computed: '512 for a new local cluster; an existing one keeps its own' },
      meaning:
        "the local cluster's history shards, fixed when it is created: Temporal cannot change them afterwards",
    },
    {
      name: 'HARMONISE_TEMPORAL_TLS',
      setting: 'temporal.tls.enabled',
      format: '`true` or `false`',
      default: {
        computed:
          'on when a CA, a client certificate or an API key is set, or for the local cluster',
      },
      meaning: "TLS to the frontend (with no CA given, the system's CAs check the server)",
    },
    {
      name: 'HARMONISE_TEMPORAL_TLS_CA',
      setting: 'temporal.tls.ca',
      format: 'path',
      default: { computed: "the local cluster's CA; otherwise none (the system's CAs)" },
      meaning: "the CA certificate (PEM) that signed the frontend's certificate",
    },
    {
      name: 'HARMONISE_TEMPORAL_TLS_CERT',
      setting: 'temporal.tls.cert',
      format: 'path',
      default: { computed: "the local cluster's client certificate; otherwise none" },
      meaning: "the client certificate (PEM) for mTLS: the worker's, the API's and the CLI's",
    },
    {
      name: 'HARMONISE_TEMPORAL_TLS_KEY',
      setting: 'temporal.tls.key',
      format: 'path',
      default: { computed: "the local cluster's client key; otherwise none" },
      meaning: "the client certificate's private key (PEM)",
    },
    {
      name: 'HARMONISE_TEMPORAL_TLS_SERVER_NAME',
      setting: 'temporal.tls.serverName',
      default: { computed: "`localhost` for the local cluster; otherwise the address's host" },
      meaning: "the name the frontend's certificate is checked against",
    },
    {
      name: 'HARMONISE_TEMPORAL_API_KEY_FILE',
      setting: 'temporal.apiKeyFile',
      format: 'path',
      default: NONE,
      meaning:
        'a file holding an API key (Temporal Cloud), read at each connect; preferred to HARMONISE_TEMPORAL_API_KEY, whose value shows in the process environment',
    },
    {
      name: 'HARMONISE_TEMPORAL_API_KEY',
      setting: 'temporal.apiKey',
      default: NONE,
      meaning: 'an API key (Temporal Cloud) itself; sent only over TLS',
    },
  ],
};
