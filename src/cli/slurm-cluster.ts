/**
 * Makes sure a Slurm controller answers before a slurm worker starts: the site's cluster when
 * configured, else the project's single-node cluster, started by infra/slurm/up.sh when this
 * machine allows it (root, Debian packages).
 */
import { execa } from 'execa';
import path from 'node:path';
import { LOCAL_SLURM_CONF, PROJECT_ROOT, type Config } from '../config.ts';
import { ServiceUnreachableError } from '../errors.ts';
import { SlurmCommands } from '../executors/slurm/commands.ts';

export interface SlurmClusterState {
  /** slurm.conf in use; null for the system default. */
  conf: string | null;
  /** True when this call started the single-node cluster. */
  started: boolean;
}

export async function ensureSlurmCluster(config: Config): Promise<SlurmClusterState> {
  const { slurm } = config;
  const commands = new SlurmCommands({ conf: slurm.conf, accounting: slurm.accounting });
  if (await commands.ping()) return { conf: slurm.conf, started: false };
  const where = slurm.conf ?? "the system's slurm.conf";
  if (slurm.conf !== LOCAL_SLURM_CONF || !slurm.startLocal) {
    throw new ServiceUnreachableError(
      `no Slurm controller answers with ${where}: check the cluster, or set HARMONISE_SLURM_CONF`,
    );
  }
  const script = path.join(PROJECT_ROOT, 'infra', 'slurm', 'up.sh');
  const result = await execa('sh', [script], { stdin: 'ignore', stderr: 2, reject: false });
  if (result.exitCode !== 0 || !(await commands.ping())) {
    throw new ServiceUnreachableError(
      `no Slurm controller answers and the single-node cluster could not be started (${script}); ` +
        'it needs root and the Debian packages munge, slurmctld, slurmd and slurm-client',
    );
  }
  return { conf: slurm.conf, started: true };
}
