/**
 * The leases of the job watchers that share one data root (several workers, on one host or on
 * several sharing the data root's file system). Each worker's watcher keeps a lease file in its
 * own watch folder and renews it every few seconds. Another worker judges it gone when it released
 * its lease (it stopped), when its process is dead (same process table: the pid decides at once),
 * or, on another host, when its lease has not changed for a grace period as the judge's own clock
 * measures it (no clocks of two hosts are compared). A live process in the judge's own process
 * table is never judged gone, however late its lease: only a dead worker's jobs change hands.
 *
 * The lease is rewritten in place, never renamed over: a reader on another NFS client that opens
 * it sees the last write (close-to-open consistency), which a stat of cached attributes does not
 * promise.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive, processStartTime } from '../platform/process.ts';

export interface WatchTimings {
  /** How often a worker renews its lease. */
  leaseRenewMs: number;
  /** How long another host's worker may leave its lease unrenewed before it counts as gone. */
  leaseGraceMs: number;
  /** How often a worker looks for the watches of workers that are gone. */
  claimIntervalMs: number;
}

export const DEFAULT_WATCH_TIMINGS: WatchTimings = {
  leaseRenewMs: 5000,
  leaseGraceMs: 45_000,
  claimIntervalMs: 10_000,
};

/** The lease's name in its worker's watch folder. */
export const LEASE_FILE = 'lease';

interface Lease {
  identity: string;
  /** `processTableKey()` of the worker: who may judge it by its pid. */
  processTable: string;
  pid: number;
  pidStartTime: string;
  renewals: number;
  renewedAt: string;
  /** The worker stopped and left its watches to be taken at once. */
  released?: true;
}

/** A name for this worker among those on the data root: `<host>-<pid>-<random>`. */
export function workerIdentity(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9_-]/g, '_')
      .slice(0, 64) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** This worker's own lease; its writes are made one at a time, and none after its release. */
export class OwnLease {
  private renewals = 0;
  private released = false;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly pidStartTime = processStartTime(process.pid) ?? '';

  constructor(
    private readonly file: string,
    private readonly identity: string,
    private readonly processTable: string,
  ) {}

  /** Writes the lease (and makes its folder when missing). */
  take(): Promise<void> {
    return this.serially(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await fs.writeFile(this.file, this.text());
    });
  }

  /** Renews the lease; false when it is gone: another worker took this worker's folder. */
  renew(): Promise<boolean> {
    return this.serially(() => (this.released ? Promise.resolve(true) : this.rewrite(this.text())));
  }

  /** Marks the lease released, so that other workers take its folder without waiting. */
  async release(): Promise<void> {
    this.released = true;
    await this.serially(() => this.rewrite(this.text({ released: true })));
  }

  /** Runs `write` after the writes before it (a renewal in flight never overwrites a release). */
  private serially<T>(write: () => Promise<T>): Promise<T> {
    const done = this.writes.then(write);
    this.writes = done.catch(() => undefined);
    return done;
  }

  private async rewrite(text: string): Promise<boolean> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      await handle.write(text, 0);
      await handle.truncate(Buffer.byteLength(text));
    } finally {
      await handle.close();
    }
    return true;
  }

  private text(extra: Partial<Lease> = {}): string {
    this.renewals += 1;
    const lease: Lease = {
      identity: this.identity,
      processTable: this.processTable,
      pid: process.pid,
      pidStartTime: this.pidStartTime,
      renewals: this.renewals,
      renewedAt: new Date().toISOString(),
      ...extra,
    };
    return `${JSON.stringify(lease)}\n`;
  }
}

/** Judges from their leases whether other workers are gone, remembering what it saw of each. */
export class LeaseJudge {
  private readonly seen = new Map<string, { text: string; since: number }>();

  constructor(
    private readonly processTable: string,
    private readonly graceMs: number,
  ) {}

  /** Whether the worker `identity`, whose lease is `file` (perhaps missing), is gone. */
  async gone(identity: string, file: string): Promise<boolean> {
    const text = await readLeaseText(file);
    const lease = parseLease(text);
    if (lease?.released) return true;
    if (lease?.processTable === this.processTable) {
      return !isProcessAlive(lease.pid, lease.pidStartTime);
    }
    // Another host's worker, or a lease that cannot be read: gone once it stops changing.
    const now = performance.now();
    const seen = this.seen.get(identity);
    if (seen?.text !== text) {
      this.seen.set(identity, { text, since: now });
      return false;
    }
    return now - seen.since >= this.graceMs;
  }

  /** Forgets the workers not in `identities` (their folders have gone). */
  keepOnly(identities: ReadonlySet<string>): void {
    for (const identity of this.seen.keys()) {
      if (!identities.has(identity)) this.seen.delete(identity);
    }
  }
}

/** The lease's text; empty when it is missing (its folder made, the lease not yet written). */
async function readLeaseText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    throw error;
  }
}

function parseLease(text: string): Lease | null {
  try {
    const lease = JSON.parse(text) as Partial<Lease>;
    if (typeof lease.pid !== 'number' || typeof lease.pidStartTime !== 'string') return null;
    if (typeof lease.processTable !== 'string') return null;
    return lease as Lease;
  } catch {
    return null;
  }
}
