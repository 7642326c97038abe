/**
 * `npm run chaos -- [--samples N] [--worker-kills N] [--fault-concurrency N] [--max-concurrent N]
 * [--timeout-minutes N] [--keep] [--json]`: the fault suite (chaos.ts) on the project's single-node Slurm, which it
 * starts when it is not running (and then stops again). Progress goes to stderr; with --json,
 * stdout is exactly the report. Exits 1 unless every fault recovered and nothing was lost,
 * submitted twice, corrupted, short of reads or of truth variants.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import { option } from '../../bench/args.ts';
import { LOCAL_SLURM_CONF } from '../../src/config.ts';
import { SlurmCommands } from '../../src/executors/slurm/commands.ts';
import { SLURM_DOWN, SLURM_UP } from '../helpers/slurm.ts';
import { runChaos } from './chaos.ts';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write(
    'usage: npm run chaos -- [--samples 50] [--worker-kills 20] [--fault-concurrency 2] ' +
      '[--max-concurrent 8] ' +
      '[--timeout-minutes 90] [--keep] [--json]\n',
  );
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
    samples: option(args, '--samples', 50),
    workerKills: option(args, '--worker-kills', 20),
    faultConcurrency: option(args, '--fault-concurrency', 2),
    maxConcurrent: option(args, '--max-concurrent', 8),
    timeoutMinutes: option(args, '--timeout-minutes', 90),
    keep: args.includes('--keep'),
    log,
  });
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
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
