// The compiled build bin/ may run: the folder `dist` points at, when its build.json names the
// sources the checkout holds (src/build-info.ts decides; its compiled copy is imported, so this
// needs neither tsx nor TypeScript). A build of other sources is never run.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** `{ dir }`: the build's real folder; `{ problem }`: why there is none to run. */
export async function currentBuild(root) {
  const dist = path.join(root, 'dist');
  if (!existsSync(path.join(dist, 'build.json'))) {
    return { problem: 'there is no compiled build (dist/build.json)' };
  }
  try {
    // Its real path: every module of one start comes from one build, even if a new one is
    // published meanwhile.
    const dir = realpathSync(dist);
    const { checkBuild } = await import(pathToFileURL(path.join(dir, 'build-info.js')).href);
    const problem = checkBuild({ dir });
    return problem ? { problem } : { dir };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { problem: `the compiled build in dist/ cannot be checked (${why})` };
  }
}
