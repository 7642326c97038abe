/**
 * Where the job watchers of the workers on one data root keep their watches, and how the watches
 * of a worker that is gone pass to another. Under `<run>/job-watches/`:
 *
 * - `<identity>/`: a worker's folder, one `<hash>.json` per job it watches, and its `lease`
 *   (watch-lease.ts);
 * - `<identity>.claim-<hex>/`: a folder of a worker that was gone, being taken over by `<identity>`;
 * - `<hash>.json`: a watch in the previous release's layout.
 *
 * A worker takes another's folder by renaming it to a claim folder of its own, which only one
 * rename can do, and then moves each watch file into its own folder. A claim folder whose taker
 * is gone in turn is taken like that taker's folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { pathExists } from '../store/atomic.ts';
import type { JobRef } from './port.ts';
import { LEASE_FILE, LeaseJudge, OwnLease } from './watch-lease.ts';

/** The workflow run waiting for a job. */
export interface WatchTarget {
  workflowId: string;
  runId: string;
}

/** One watch: the job, and the workflow run waiting for it. */
export interface WatchRecord {
  ref: JobRef;
  target: WatchTarget;
}

/** A watch file's name: the same for a job in every worker's folder. */
const RECORD_NAME = /^[0-9a-f]{32}\.json$/;
/** A worker's folder, `<identity>`, or a folder it is taking over, `<identity>.claim-<hex>`. */
const FOLDER_NAME = /^([A-Za-z0-9_-]+)(\.claim-[0-9a-f]+)?$/;
const IDENTITY = /^[A-Za-z0-9_-]+$/;

export interface WatchFoldersOptions {
  /** `<run>/job-watches`. */
  dir: string;
  identity: string;
  /** `processTableKey()` of this worker. */
  processTable: string;
  /** How long another host's lease may stand unrenewed before its worker counts as gone. */
  leaseGraceMs: number;
  logger: Logger;
}

export class WatchFolders {
  readonly identity: string;
  readonly lease: OwnLease;
  private readonly judge: LeaseJudge;

  constructor(private readonly options: WatchFoldersOptions) {
    if (!IDENTITY.test(options.identity)) {
      throw new Error(
        `a job watcher's identity must be letters, digits, _ and -: ${options.identity}`,
      );
    }
    this.identity = options.identity;
    this.lease = new OwnLease(
      path.join(this.ownDir(), LEASE_FILE),
      this.identity,
      options.processTable,
    );
    this.judge = new LeaseJudge(options.processTable, options.leaseGraceMs);
  }

  ownDir(): string {
    return path.join(this.options.dir, this.identity);
  }

  /** The job's watch file in this worker's folder. */
  file(key: string): string {
    return path.join(this.ownDir(), recordName(key));
  }

  /** The watches in this worker's folder. */
  async own(): Promise<WatchRecord[]> {
    const names = await fs.readdir(this.ownDir()).catch(() => [] as string[]);
    const files = names.filter((n) => RECORD_NAME.test(n));
    return this.read(files.map((n) => path.join(this.ownDir(), n)));
  }

  /**
   * Moves into this worker's folder the watches of every worker that is gone, those of the
   * previous release's layout, and those of claims this worker did not finish; returns the
   * watches moved. A folder that cannot be taken now is logged and tried again next time.
   */
  async claimLeft(): Promise<WatchRecord[]> {
    const moved: string[] = [];
    const folders = new Map<string, string[]>();
    for (const entry of await this.entries()) {
      if (entry.isFile() && RECORD_NAME.test(entry.name)) {
        const file = await this.moveIn(path.join(this.options.dir, entry.name));
        if (file) moved.push(file);
      }
      const owner = ownerOf(entry);
      if (owner !== undefined) folders.set(owner, [...(folders.get(owner) ?? []), entry.name]);
    }
    this.judge.keepOnly(new Set(folders.keys()));
    for (const [owner, names] of folders) {
      try {
        moved.push(...(await this.claimOwner(owner, names)));
      } catch (error) {
        this.options.logger.warn(
          { err: error, identity: this.identity, owner },
          "could not take over a worker's job watches; trying again at the next round",
        );
      }
    }
    return this.read(moved);
  }

  /**
   * Whether this worker may watch a job that the workflow's recheck asks about: not while another
   * live worker holds its watch. The watches of a holder that is gone are moved in now.
   */
  async mayWatch(key: string): Promise<{ may: boolean; moved: WatchRecord[] }> {
    const holder = await this.holderOf(key);
    if (holder === null || holder === this.identity) return { may: true, moved: [] };
    if (!(await this.isGone(holder))) {
      this.options.logger.debug({ key, holder }, 'job watched by another worker');
      return { may: false, moved: [] };
    }
    const names = (await this.entries()).filter((e) => ownerOf(e) === holder).map((e) => e.name);
    const moved = await this.read(await this.claimOwner(holder, names));
    // Another worker may have taken the folder first: then the watch is that one's.
    const now = await this.holderOf(key);
    return { may: now === null || now === this.identity, moved };
  }

  /** The worker whose folder holds the job's watch (perhaps this one), or null. */
  private async holderOf(key: string): Promise<string | null> {
    const name = recordName(key);
    for (const entry of await this.entries()) {
      const owner = ownerOf(entry);
      if (owner === undefined) continue;
      if (await pathExists(path.join(this.options.dir, entry.name, name))) return owner;
    }
    return null;
  }

  private isGone(owner: string): Promise<boolean> {
    return this.judge.gone(owner, path.join(this.options.dir, owner, LEASE_FILE));
  }

  private async claimOwner(owner: string, names: string[]): Promise<string[]> {
    const moved: string[] = [];
    if (owner === this.identity) {
      // Claims this worker began and did not finish (a file system error stopped them).
      for (const name of names.filter((n) => n !== owner)) {
        moved.push(...(await this.empty(path.join(this.options.dir, name))));
      }
    } else if (await this.isGone(owner)) {
      for (const name of names) moved.push(...(await this.claimFolder(name)));
    }
    return moved;
  }

  /** Renames a folder of a worker that is gone to a claim folder of this one, and empties it. */
  private async claimFolder(name: string): Promise<string[]> {
    const suffix = randomBytes(4).toString('hex');
    const claim = path.join(this.options.dir, `${this.identity}.claim-${suffix}`);
    try {
      await fs.rename(path.join(this.options.dir, name), claim);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // Another worker renamed it first; but a rename retransmitted over NFS may also report
      // ENOENT for the rename that succeeded.
      if (!(await pathExists(claim))) return [];
    }
    this.options.logger.info(
      { identity: this.identity, from: name },
      'taking over the job watches of a worker that is gone',
    );
    return this.empty(claim);
  }

  /** Moves the watches of a claim folder of this worker's into its folder; removes the claim. */
  private async empty(claim: string): Promise<string[]> {
    const moved: string[] = [];
    for (const name of (await fs.readdir(claim)).filter((n) => RECORD_NAME.test(n))) {
      const file = await this.moveIn(path.join(claim, name));
      if (file) moved.push(file);
    }
    await fs.rm(claim, { recursive: true, force: true });
    return moved;
  }

  /** Moves a watch file into this worker's folder; null when another worker moved it first. */
  private async moveIn(file: string): Promise<string | null> {
    const mine = path.join(this.ownDir(), path.basename(file));
    try {
      await fs.rename(file, mine);
      return mine;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** The records of watch files in this worker's folder; an unreadable one is removed. */
  private async read(files: string[]): Promise<WatchRecord[]> {
    const records: WatchRecord[] = [];
    for (const file of files) {
      const record = await readRecord(file);
      if (record) records.push(record);
      else {
        this.options.logger.warn({ file }, 'job watch file unreadable; removed');
        await fs.rm(file, { force: true });
      }
    }
    return records;
  }

  private async entries(): Promise<Dirent[]> {
    try {
      return await fs.readdir(this.options.dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

function ownerOf(entry: Dirent): string | undefined {
  return entry.isDirectory() ? FOLDER_NAME.exec(entry.name)?.[1] : undefined;
}

function recordName(key: string): string {
  return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`;
}

/** A watch file's record; null when it cannot be read (half-written by a crash). */
async function readRecord(file: string): Promise<WatchRecord | null> {
  try {
    const record = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<WatchRecord>;
    const { ref, target } = record;
    if (typeof ref?.key !== 'string' || typeof ref.jobId !== 'string') return null;
    if (typeof target?.workflowId !== 'string' || typeof target.runId !== 'string') return null;
    return { ref, target };
  } catch {
    return null;
  }
}
