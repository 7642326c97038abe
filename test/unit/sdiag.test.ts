import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSdiag, rpcDelta, SdiagParseError } from '../../bench/sdiag.ts';

/** Captured from the real single-node cluster (test/fixtures/slurm/capture.sh). */
const captured = readFileSync(new URL('../fixtures/slurm/sdiag.txt', import.meta.url), 'utf8');

describe('sdiag', () => {
  it('reads the count of every RPC type slurmctld served, and since when', () => {
    const reading = parseSdiag(captured);
    for (const type of ['REQUEST_JOB_INFO', 'REQUEST_PARTITION_INFO', 'REQUEST_SUBMIT_BATCH_JOB']) {
      expect(reading.counts.get(type), type).toBeGreaterThan(0);
    }
    // Every RPC came from root on this cluster: the types add up to the user's total.
    const byUser = /^\s+root\s+\(\s*0\) count:(\d+)/m.exec(captured);
    const total = [...reading.counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(Number(byUser?.[1]));
    expect(reading.counts.has('root')).toBe(false);
    expect(reading.since).toBe(Number(/^Data since .*\((\d+)\)$/m.exec(captured)?.[1]));
  });

  it('gives what was served between two readings, per type', () => {
    const before = parseSdiag(captured);
    const jobInfo = before.counts.get('REQUEST_JOB_INFO')!;
    const after = parseSdiag(
      captured
        .replace(
          /(REQUEST_JOB_INFO +\( 2003\) count:)\d+/,
          (_, head: string) => `${head}${jobInfo + 7}`,
        )
        .replace(
          /(REQUEST_SUBMIT_BATCH_JOB +\( 4003\) count:)(\d+)/,
          (_, head: string, n: string) => `${head}${Number(n) + 2}`,
        ),
    );
    expect(rpcDelta(before, after)).toEqual({ REQUEST_JOB_INFO: 7, REQUEST_SUBMIT_BATCH_JOB: 2 });
  });

  it('gives nothing when the counters were reset in between', () => {
    const before = parseSdiag(captured);
    const restarted = parseSdiag(
      captured.replace(
        /^(Data since .*\()(\d+)\)$/m,
        (_, head: string, n: string) => `${head}${Number(n) + 60})`,
      ),
    );
    expect(rpcDelta(before, restarted)).toBeNull();
    const lower = parseSdiag(
      captured.replace(/(REQUEST_JOB_INFO +\( 2003\) count:)\d+/, (_, head: string) => `${head}0`),
    );
    expect(rpcDelta(before, lower)).toBeNull();
  });

  it('refuses output without the RPC block', () => {
    expect(() => parseSdiag('sdiag: error: Unable to contact slurm controller')).toThrow(
      SdiagParseError,
    );
  });
});
