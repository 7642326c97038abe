/**
 * slurmctld's own count of the RPCs it served, by message type, from `sdiag` (Slurm 22.05 has
 * no `sdiag --json`: the "Remote Procedure Call statistics by message type" block is parsed).
 * Two readings around a run give the controller load the run caused, whoever sent it.
 */
import { execa } from 'execa';

export interface RpcReading {
  /** RPCs served per message type since the counters were last reset. */
  counts: Map<string, number>;
  /** When the counters were last reset (sdiag's "Data since", epoch seconds). */
  since: number | null;
}

export class SdiagParseError extends Error {
  override readonly name = 'SdiagParseError';
}

const BY_TYPE = 'Remote Procedure Call statistics by message type';
/** `\tREQUEST_JOB_INFO                        ( 2003) count:12     ave_time:180    total_time:2160` */
const RPC_LINE = /^\s+([A-Z0-9_]+)\s*\(\s*\d+\)\s+count:(\d+)\b/;

export function parseSdiag(text: string): RpcReading {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === BY_TYPE);
  if (start < 0) throw new SdiagParseError(`sdiag printed no "${BY_TYPE}" block`);
  const counts = new Map<string, number>();
  for (const line of lines.slice(start + 1)) {
    const match = RPC_LINE.exec(line);
    if (!match) break; // the block ends at the blank line before "... by user"
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + Number(match[2]));
  }
  const since = /^Data since\s.*\((\d+)\)\s*$/m.exec(text);
  return { counts, since: since ? Number(since[1]) : null };
}

export async function readSdiag(conf: string): Promise<RpcReading> {
  const { stdout } = await execa('sdiag', [], { env: { SLURM_CONF: conf }, timeout: 30_000 });
  return parseSdiag(stdout);
}

/**
 * What slurmctld served between two readings, per message type (types it did not serve are
 * left out). Null when the counters were reset in between (at midnight UTC, or `sdiag -r`).
 */
export function rpcDelta(before: RpcReading, after: RpcReading): Record<string, number> | null {
  if (before.since !== after.since) return null;
  const delta: Record<string, number> = {};
  for (const [type, count] of [...after.counts].sort(([a], [b]) => a.localeCompare(b))) {
    const served = count - (before.counts.get(type) ?? 0);
    if (served < 0) return null;
    if (served > 0) delta[type] = served;
  }
  return delta;
}
