/** Stops the single-node Slurm cluster at the end of the suite, if the suite started it. */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import { SLURM_DOWN, STARTED_BY_TESTS } from './helpers/slurm.ts';

export default function setup(): () => Promise<void> {
  return async () => {
    const started = await fs.access(STARTED_BY_TESTS).then(
      () => true,
      () => false,
    );
    if (!started) return;
    await execa('sh', [SLURM_DOWN], { reject: false });
    await fs.rm(STARTED_BY_TESTS, { force: true });
  };
}
