// A cache of generated demo submissions, shared by data roots: making the demo's reads and
// regional alignments takes about 110 CPU-seconds; copying them takes well under one. An entry is
// named by the generator's sources, the seed and the sample table, so it is used only for data
// this generator would make again byte for byte. One process makes an entry; others wait for it.
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestFiles, filesUnder } from '../store/source-digest.ts';
import { withFileLock } from '../store/file-lock.ts';
import { layoutPaths } from './layout.ts';
import type { DemoSubmissionSpec } from './model.ts';
import { exists, publish } from './tools.ts';

const GENERATOR_DIR = path.dirname(fileURLToPath(import.meta.url));
/**
 * The generator's TypeScript sources: this folder, or, in the compiled build (dist/demo/), the
 * checkout's src/demo/, so that both name an entry alike.
 */
const SOURCES_DIR = path.resolve(GENERATOR_DIR, '..', '..', 'src', 'demo');
/** How long to wait for another process making the same entry before giving up. */
const WAIT_LIMIT_MS = 30 * 60_000;

export async function cacheEntry(
  cacheDir: string,
  seed: number,
  table: readonly DemoSubmissionSpec[],
): Promise<string> {
  // An install without src/ names entries by the compiled generator.
  const [dir, extension] = (await exists(SOURCES_DIR))
    ? [SOURCES_DIR, '.ts']
    : [GENERATOR_DIR, '.js'];
  const sources = filesUnder(dir).filter((f) => f.endsWith(extension));
  const tag = `harmonise demo data v1\0seed ${seed}\0${JSON.stringify(table)}`;
  return path.join(cacheDir, `demo-${digestFiles(tag, dir, sources)}`);
}

/**
 * The complete cache entry for this seed and table: made by `make` (a full generation into the
 * entry) under the entry's lock, or waited for while another process makes it. A lock left by a
 * process that has ended is taken over.
 */
export async function ensureCacheEntry(
  entry: string,
  make: (dataRoot: string) => Promise<void>,
  log: (msg: string) => void,
): Promise<void> {
  const complete = () => exists(layoutPaths(entry).layout);
  if (await complete()) return;
  await mkdir(path.dirname(entry), { recursive: true });
  await withFileLock(
    entry,
    async () => {
      // Made by the process this one waited for.
      if (await complete()) return;
      log(`cache: making ${entry}`);
      await make(entry);
    },
    {
      waitMs: WAIT_LIMIT_MS,
      onWait: () => log(`cache: waiting for another process making ${entry}`),
      onTakeOver: (lock) =>
        log(`cache: ${lock} was left by a process that has ended; taking it over`),
    },
  );
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
