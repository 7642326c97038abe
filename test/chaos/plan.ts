/**
 * The fault suite's faults in order, and their injection into the running campaign one after
 * another, each followed until harmonise has moved on (a new job in Slurm's records, one more
 * sample finished, or the campaign's end).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { round } from '../../bench/args.ts';
import type { CliEnv } from '../helpers/cli.ts';
import {
  downNode,
  drainNode,
  killTemporal,
  killWorker,
  restartSlurmctld,
  type FaultKind,
  type Injected,
} from './faults.ts';
import type { Watch } from './watch.ts';

export interface FaultRecord {
  kind: FaultKind;
  at: string;
  /** Seconds since the campaign started. */
  atSeconds: number;
  detail: string;
  recoveredAt: string | null;
  recoverySeconds: number | null;
  /** node-down only: the jobs it killed, whose steps had to run again. */
  killedJobs?: string[];
}

/** The order of faults: the worker kills, with the four one-off faults spread among them. */
export function faultPlan(workerKills: number): FaultKind[] {
  const plan: FaultKind[] = Array.from({ length: workerKills }, () => 'worker-sigkill');
  const specials: FaultKind[] = [
    'temporal-sigkill',
    'slurmctld-restart',
    'node-drain',
    'node-down',
  ];
  const total = workerKills + specials.length;
  specials.forEach((kind, i) =>
    plan.splice(Math.round(((i + 1) * total) / (specials.length + 1)), 0, kind),
  );
  return plan;
}

async function inject(kind: FaultKind, cli: CliEnv): Promise<Injected> {
  switch (kind) {
    case 'worker-sigkill':
      return killWorker(cli);
    case 'temporal-sigkill':
      return killTemporal(cli);
    case 'slurmctld-restart':
      return restartSlurmctld();
    case 'node-drain':
      return drainNode();
    case 'node-down':
      return downNode();
  }
}

/** Injects the plan's faults until it is done, the campaign ends or the deadline passes. */
export async function injectFaults(args: {
  plan: readonly FaultKind[];
  cli: CliEnv;
  watch: Watch;
  campaignStart: number;
  deadline: number;
  log: (line: string) => void;
}): Promise<FaultRecord[]> {
  const { plan, cli, watch, campaignStart, deadline, log } = args;
  const faults: FaultRecord[] = [];
  for (const [i, kind] of plan.entries()) {
    if (watch.ended || Date.now() > deadline) break;
    const before = await watch.read();
    const at = Date.now();
    const injected = await inject(kind, cli);
    const record: FaultRecord = {
      kind,
      at: new Date(at).toISOString(),
      atSeconds: round((at - campaignStart) / 1000),
      detail: injected.detail,
      recoveredAt: null,
      recoverySeconds: null,
      ...(injected.killedJobs ? { killedJobs: injected.killedJobs } : {}),
    };
    faults.push(record);
    // Recovered: harmonise moved on (a new job, a finished sample) or the campaign ended.
    while (Date.now() < deadline) {
      const now = await watch.read();
      if (now > before || watch.ended) {
        record.recoveredAt = new Date().toISOString();
        record.recoverySeconds = round((Date.now() - at) / 1000);
        break;
      }
      await sleep(250);
    }
    log(
      `fault ${i + 1}/${plan.length} ${kind} at ${record.atSeconds} s: ${record.detail}; ` +
        (record.recoverySeconds === null
          ? 'not recovered'
          : `moving again after ${record.recoverySeconds} s`),
    );
    // Spreads the faults over the campaign at varied gaps (not a wait for a condition).
    await sleep(1000 + ((i * 2_654_435_761) % 5000));
  }
  return faults;
}
