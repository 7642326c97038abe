/**
 * The slurm executor's refusals reach activities as the port's JobRejectedError, with Slurm's
 * own message; a busy controller does not. The commands are a fake: only the mapping is tested.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRejectedError, type JobSpec } from '../../src/executors/port.ts';
import { SlurmExecutor } from '../../src/executors/slurm/adapter.ts';
import {
  SlurmRejectedError,
  SlurmUnavailableError,
  type SlurmCommands,
} from '../../src/executors/slurm/commands.ts';
import { SbatchArgsError, type SlurmSiteOptions } from '../../src/executors/slurm/sbatch-args.ts';
import { testLogger } from '../helpers/logger.ts';

const site: SlurmSiteOptions = { partition: null, account: null, qos: null, extraArgs: [] };
let root: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-slurm-rejection-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function executor(sbatch: () => Promise<string>, siteOptions: SlurmSiteOptions = site) {
  const commands = {
    statusCalls: 0,
    lookupCalls: 0,
    sbatchCalls: 0,
    sbatch,
    squeueByNames: () => Promise.resolve([]),
    sacct: () => Promise.resolve([]),
  } as unknown as SlurmCommands;
  return new SlurmExecutor({
    commands,
    site: siteOptions,
    submitRatePerSecond: 100,
    statusIntervalMs: 1000,
    logger: testLogger,
    sbatchAttempts: 1,
  });
}

function spec(): JobSpec {
  return {
    key: 'sample:HOV001:1/run/align/1',
    workDir: path.join(root, 'work', 'align', '1'),
    script: '#!/bin/bash\ntrue\n',
    resources: { cpus: 1, memMiB: 100, timeMinutes: 5 },
  };
}

describe('SlurmExecutor.submit', () => {
  it('turns a refused sbatch into JobRejectedError with Slurm’s message', async () => {
    const message = 'sbatch: error: invalid partition specified: ngc-nope';
    const error = await executor(() => Promise.reject(new SlurmRejectedError(message)))
      .submit(spec())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobRejectedError);
    expect((error as JobRejectedError).message).toBe(message);
    expect((error as JobRejectedError).cause).toBeInstanceOf(SlurmRejectedError);
  });

  it('turns an sbatch value that fails its check into JobRejectedError', async () => {
    const error = await executor(() => Promise.resolve('1'), { ...site, partition: 'no spaces' })
      .submit(spec())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobRejectedError);
    expect((error as JobRejectedError).message).toBe(
      'partition "no spaces" is not acceptable to sbatch',
    );
    expect((error as JobRejectedError).cause).toBeInstanceOf(SbatchArgsError);
  });

  it('leaves a busy controller a transient error', async () => {
    const error = await executor(() =>
      Promise.reject(new SlurmUnavailableError('sbatch: timed out after 30000 ms')),
    )
      .submit(spec())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlurmUnavailableError);
    expect(error).not.toBeInstanceOf(JobRejectedError);
  });
});
