/**
 * `npm run chaos -- [--samples N] [--worker-kills N] [--fault-concurrency N] [--max-concurrent N]
 * [--timeout-minutes N] [--keep] [--json]`: the fault suite (chaos.ts) on the project's single-node Slurm, which it
 * starts when it is not running (and then stops again). Progress goes to stderr; with --json,
 * stdout is exactly the report. Exits 1 unless every fault recovered and nothing was lost,
 * submitted twice, corrupted, short of reads or of truth variants.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import { LOCAL_SLURM_CONF } from '../../src/config.ts';
import { SlurmCommands } from '../../src/executors/slurm/commands.ts';
import { SLURM_DOWN, SLURM_UP } from '../helpers/slurm.ts';
import { runChaos } from './chaos.ts';
import { CHAOS_USAGE, parseChaosOptions, type ChaosOptions } from './options.ts';

let options: ChaosOptions;
try {
  options = parseChaosOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`chaos: ${(error as Error).message}\n${CHAOS_USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${CHAOS_USAGE}\n`);
  process.exit(0);
}
const log = (line: string) => process.stderr.write(`chaos: ${line}\n`);

const slurm = new SlurmCommands({ conf: LOCAL_SLURM_CONF, accounting: 'jobcomp' });
const wasUp = await fs.access(LOCAL_SLURM_CONF).then(
  () => slurm.ping(),
  () => false,
);
if (!wasUp) {
  const started = await execa('sh', [SLURM_UP], { reject: false });
  if (started.exitCode !== 0) {
    log(`the single-node Slurm cluster did not start (infra/slurm/up.sh):\n${started.stderr}`);
    process.exit(1);
  }
}
let exitCode = 1;
try {
  const report = await runChaos({
    samples: options.samples,
    workerKills: options.workerKills,
    faultConcurrency: options.faultConcurrency,
    maxConcurrent: options.maxConcurrent,
    timeoutMinutes: options.timeoutMinutes,
    temporal: options.temporal,
    workers: options.workers,
    keep: options.keep,
    log,
  });
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const f of report.faults)
      log(`${f.at} ${f.kind}: ${f.detail} (recovered after ${f.recoverySeconds ?? '-'} s)`);
    for (const f of report.findings) log(`FOUND ${f.sampleId ?? ''} ${f.problem}`);
    log(
      `faults ${report.faultsInjected}, recovered ${report.recoveries} (max ${report.maxRecoverySeconds} s); ` +
        `lost ${report.lost}, duplicate submissions ${report.duplicateSubmissions}, corrupt outputs ${report.corruptOutputs}; ` +
        `node-down retries ${report.nodeDownRetries}, read count mismatches ${report.readCountMismatches}, ` +
        `min recall ${report.minRecall ?? '-'}, release sample set exact ${report.releaseSampleSetExact}`,
    );
  }
  const clean = report.findings.length === 0 && report.recoveries === report.faultsInjected;
  exitCode = clean ? 0 : 1;
} finally {
  if (!wasUp) await execa('sh', [SLURM_DOWN], { reject: false });
}
process.exit(exitCode);
