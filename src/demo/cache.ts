// A cache of generated demo submissions, shared by data roots: making the demo's reads and
// regional alignments takes about 110 CPU-seconds; copying them takes well under one. An entry is
// named by the generator's sources, the seed and the sample table, so it is used only for data
// this generator would make again byte for byte. One process makes an entry; others wait for it.
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJsonIfExists } from '../store/atomic.ts';
import { digestFiles, filesUnder } from '../store/source-digest.ts';
import { isProcessAlive, writePidFile, type PidRecord } from '../platform/process.ts';
import { layoutPaths } from './layout.ts';
import type { DemoSubmissionSpec } from './model.ts';
import { exists, publish } from './tools.ts';

const GENERATOR_DIR = path.dirname(fileURLToPath(import.meta.url));
/** How long to wait for another process making the same entry before giving up. */
const WAIT_LIMIT_MS = 30 * 60_000;

export async function cacheEntry(
  cacheDir: string,
  seed: number,
  table: readonly DemoSubmissionSpec[],
): Promise<string> {
  const sources = (await filesUnder(GENERATOR_DIR)).filter((f) => f.endsWith('.ts'));
  const tag = `harmonise demo data v1\0seed ${seed}\0${JSON.stringify(table)}`;
  return path.join(cacheDir, `demo-${await digestFiles(tag, GENERATOR_DIR, sources)}`);
}

const ownerFile = (lock: string) => path.join(lock, 'owner.json');

/** True while the lock's owner may still be making the entry (alive, or on another host). */
async function ownerAlive(lock: string): Promise<boolean> {
  const owner = (await readJsonIfExists(ownerFile(lock))) as PidRecord | undefined;
  if (!owner) {
    // Just made and not yet written, or its maker died in between: give it a few seconds.
    const age = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    return age < 10_000;
  }
  if (owner.meta?.host !== os.hostname()) return true;
  return isProcessAlive(owner.pid, owner.startTime);
}

/**
 * The complete cache entry for this seed and table: made by `make` (a full generation into the
 * entry) under a lock, or waited for while another process makes it. A lock left by a dead
 * process is taken over.
 */
export async function ensureCacheEntry(
  entry: string,
  make: (dataRoot: string) => Promise<void>,
  log: (msg: string) => void,
): Promise<void> {
  const complete = () => exists(layoutPaths(entry).layout);
  const lock = `${entry}.lock`;
  await mkdir(path.dirname(entry), { recursive: true });
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let waiting = false;
  while (!(await complete())) {
    const taken = await mkdir(lock).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return false;
        throw err;
      },
    );
    if (taken) {
      try {
        await writePidFile(ownerFile(lock), process.pid, 'demo generator', {
          host: os.hostname(),
        });
        log(`cache: making ${entry}`);
        await make(entry);
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
      return;
    }
    if (!(await ownerAlive(lock))) {
      log(`cache: ${lock} was left by a process that has ended; taking it over`);
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`waited ${WAIT_LIMIT_MS / 60_000} min for ${lock}; remove it if stale`);
    }
    if (!waiting) log(`cache: waiting for another process making ${entry}`);
    waiting = true;
    await sleep(1000);
  }
}

/**
 * Copies each submission from the cache entry into `dataRoot`'s inbox: into a staging folder,
 * then renamed into place, so a submission never appears half-written.
 */
export async function copyFromCache(
  entry: string,
  dataRoot: string,
  submissions: readonly DemoSubmissionSpec[],
  log: (msg: string) => void,
): Promise<void> {
  const from = layoutPaths(entry);
  const to = layoutPaths(dataRoot);
  for (const sub of submissions) {
    const dest = to.submissionDir(sub.region, sub.submissionId);
    await mkdir(path.dirname(dest), { recursive: true });
    const staging = await mkdtemp(path.join(path.dirname(dest), `.${sub.submissionId}.tmp-`));
    try {
      await cp(from.submissionDir(sub.region, sub.submissionId), staging, { recursive: true });
      const fresh = await publish(staging, dest);
      log(
        `submission ${sub.region}/${sub.submissionId}: ${fresh ? 'copied from the cache to' : 'appeared meanwhile, kept'} ${dest}`,
      );
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}
