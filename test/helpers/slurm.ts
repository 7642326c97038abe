/**
 * The real single-node Slurm for tests, brought up by the project's own infra/slurm/up.sh. A
 * test that needs it fails (never skips) when it cannot be started. The suite's global teardown
 * stops the cluster only if a test started it.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LOCAL_SLURM_CONF, localSlurmDir, PROJECT_ROOT } from '../../src/config.ts';
import { SlurmCommands } from '../../src/executors/slurm/commands.ts';

export const SLURM_UP = path.join(PROJECT_ROOT, 'infra/slurm/up.sh');
export const SLURM_DOWN = path.join(PROJECT_ROOT, 'infra/slurm/down.sh');
/** Present while the cluster runs because the test suite started it. */
export const STARTED_BY_TESTS = path.join(localSlurmDir(), 'run', 'started-by-tests');

export async function ensureTestSlurm(): Promise<string> {
  const commands = new SlurmCommands({ conf: LOCAL_SLURM_CONF, accounting: 'jobcomp' });
  if (
    await fs.access(LOCAL_SLURM_CONF).then(
      () => commands.ping(),
      () => false,
    )
  )
    return LOCAL_SLURM_CONF;
  const up = await execa('sh', [SLURM_UP], { reject: false });
  if (up.exitCode !== 0) {
    throw new Error(
      `the single-node Slurm cluster could not be started (infra/slurm/up.sh):\n${up.stderr}`,
    );
  }
  await fs.writeFile(STARTED_BY_TESTS, `${new Date().toISOString()}\n`);
  return up.stdout.trim();
}

/** Runs a Slurm client command against the test cluster. */
export function slurmCommand(command: string, args: string[]) {
  return execa(command, args, { env: { SLURM_CONF: LOCAL_SLURM_CONF }, reject: false });
}

/** Every job Slurm recorded under this name (squeue while it remembers, then the jobcomp file). */
export async function slurmJobsNamed(name: string): Promise<string[]> {
  const commands = new SlurmCommands({ conf: LOCAL_SLURM_CONF, accounting: 'jobcomp' });
  const live = (await commands.squeueByName(name)).map((row) => row.jobId);
  const done = (await commands.sacct({ name })).map((row) => row.jobId);
  return [...new Set([...live, ...done])];
}

/** Every job Slurm recorded whose name starts with this prefix (live or in the jobcomp file). */
export async function slurmJobsNamedLike(prefix: string): Promise<string[]> {
  const live = await slurmCommand('squeue', ['-h', '-t', 'all', '-o', '%i|%j']);
  const done = await slurmCommand('sacct', ['-c', '-X', '-n', '-P', '-o', 'JobID,JobName']);
  const ids = `${live.stdout}\n${done.stdout}`
    .split('\n')
    .map((line) => line.split('|'))
    .filter(([, name]) => name?.startsWith(prefix))
    .map(([id]) => id!);
  return [...new Set(ids)];
}
