/** The "Slurm" variables: the cluster, the options of every job, the pace of sbatch and squeue. */
import { ALLOWED_EXTRA_OPTIONS } from '../executors/slurm/sbatch-args.ts';
import { NONE, type ConfigSection } from './variable.ts';

export const SLURM_SECTION: ConfigSection = {
  title: 'Slurm',
  variables: [
    {
      name: 'HARMONISE_SLURM_CONF',
      setting: 'slurm.conf',
      format: 'path, or `system`',
      default: {
        computed: "this checkout's single-node cluster (`etc/slurm.conf` in its runtime folder)",
      },
      meaning: "the `slurm.conf` of every Slurm command; `system`: Slurm's own default",
    },
    {
      name: 'HARMONISE_SLURM_START_LOCAL',
      setting: 'slurm.startLocal',
      format: '`false`, or anything else for true',
      default: { value: true },
      meaning: "start the project's single-node cluster (infra/slurm) when no controller answers",
    },
    {
      name: 'HARMONISE_SLURM_BASE',
      setting: null,
      format: 'path',
      default: { computed: '`/var/lib/harmonise/slurm`' },
      meaning: "where each checkout's single-node cluster keeps its runtime folder",
    },
    {
      name: 'HARMONISE_SLURM_DIR',
      setting: null,
      format: 'path',
      default: {
        computed:
          "a folder in `HARMONISE_SLURM_BASE` named by a digest of the checkout's real path",
      },
      meaning: "this checkout's runtime folder itself",
    },
    {
      name: 'HARMONISE_SLURM_PARTITION',
      setting: 'slurm.partition',
      default: NONE,
      meaning: 'the partition of every job',
    },
    {
      name: 'HARMONISE_SLURM_ACCOUNT',
      setting: 'slurm.account',
      default: NONE,
      meaning: 'the account of every job',
    },
    {
      name: 'HARMONISE_SLURM_QOS',
      setting: 'slurm.qos',
      default: NONE,
      meaning: "the QoS of every job (NGC's reruns, so that they never starve clinical work)",
    },
    {
      name: 'HARMONISE_SLURM_EXTRA_ARGS',
      setting: 'slurm.extraArgs',
      format: 'whitespace-separated `--option=value`',
      default: { value: [] },
      meaning: `site options added to every sbatch; allowed: ${ALLOWED_EXTRA_OPTIONS.map((o) => `\`${o}\``).join(', ')}`,
    },
    {
      name: 'HARMONISE_SLURM_ACCOUNTING',
      setting: 'slurm.accounting',
      default: { computed: '`jobcomp` while `HARMONISE_SLURM_CONF` is unset, else `db`' },
      meaning:
        'where ended jobs are found once squeue forgets them: slurmdbd, the jobcomp file, or nowhere',
    },
    {
      name: 'HARMONISE_SLURM_STATUS_INTERVAL_MS',
      setting: 'slurm.statusIntervalMs',
      default: { value: 1000 },
      meaning: 'Slurm is asked about the jobs in flight at most this often (one squeue for all)',
    },
    {
      name: 'HARMONISE_SLURM_SUBMIT_RATE',
      setting: 'slurm.submitRatePerSecond',
      default: { value: 20 },
      meaning: 'sbatch calls per second at most, sustained',
    },
    {
      name: 'HARMONISE_SLURM_SUBMIT_BURST',
      setting: 'slurm.submitBurst',
      default: { value: 100 },
      meaning:
        "sbatch calls that may go at once before the rate applies (a campaign's first window)",
    },
  ],
};
