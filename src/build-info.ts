/**
 * The compiled build (`npm run build`, tools/build.ts): src/ compiled by tsc into a folder
 * beside it (`dist`, a symbolic link to `.dist-<time>-<random>/`), the workflow bundle made once
 * from the compiled workflows, and `build.json`, which names the sources the build was made
 * from. bin/harmonise.js runs a build only when it was made from the sources as they are now;
 * the worker of a build uses the build's bundle and never bundles.
 *
 * bin/ imports the compiled copy of this module before anything else, on every start: it imports
 * only Node and the digest helpers.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestFiles, filesUnder } from './store/source-digest.ts';

/** The build's record, in the build's folder. */
export const BUILD_INFO = 'build.json';
/** The workflow bundle, in the build's folder (workflow-bundle.js is the compiled module). */
export const WORKFLOW_BUNDLE = 'workflows.bundle.js';
/** Its `schema` field (docs/schemas/README.md). */
export const BUILD_SCHEMA = 'harmonise.build/v1';

const SELF = fileURLToPath(import.meta.url);
/** True in the compiled code (dist/), false when the sources run through tsx. */
export const COMPILED = SELF.endsWith('.js');
/** The folder this code runs from: src/, or the build's own (real) folder. */
export const CODE_DIR = path.dirname(SELF);
/** The checkout: the parent of src/ and of the build's folder. */
const PROJECT = path.dirname(CODE_DIR);

export interface BuildInfo {
  schema: typeof BUILD_SCHEMA;
  /** The package's version (package.json). */
  version: string;
  /** ISO time the build was made. */
  builtAt: string;
  /** `sourcesDigest` of the checkout the build was made from. */
  sourcesDigest: string;
  workflowBundle: { file: string; sha256: string };
  /** The Node.js and TypeScript that made it. */
  node: string;
  typescript: string;
}

/**
 * What compiled code and the workflow bundle can depend on: all of src/, the lock file and
 * tsconfig.json. Conservative: any change makes a new bundle, and makes a build stale.
 */
export function sourcesDigest(project = PROJECT): string {
  const files = [
    ...filesUnder(path.join(project, 'src')),
    path.join(project, 'package-lock.json'),
    path.join(project, 'tsconfig.json'),
  ];
  return digestFiles('harmonise workflow bundle v1', project, files);
}

/** What is known of a build and of the sources beside it, for `buildProblem`. */
export interface BuildFacts {
  /** build.json as read; undefined when there is none. */
  info: unknown;
  /** The sources' digest now; undefined when the install has no src/ (nothing to compare). */
  sourcesDigest: string | undefined;
  /** The workflow bundle's sha256 now, when it is checked; null when the file is missing. */
  bundleSha256?: string | null;
}

/** Why the build cannot be run (one sentence), or undefined when it can. */
export function buildProblem(facts: BuildFacts): string | undefined {
  if (facts.info === undefined) return 'there is no compiled build (dist/build.json)';
  if (!isBuildInfo(facts.info)) return `dist/build.json is not a ${BUILD_SCHEMA} record`;
  if (facts.sourcesDigest !== undefined && facts.sourcesDigest !== facts.info.sourcesDigest) {
    return (
      'the compiled build in dist/ was made from other sources than the checkout holds ' +
      `(src/, package-lock.json or tsconfig.json changed since it was built at ${facts.info.builtAt})`
    );
  }
  if (facts.bundleSha256 === null) return 'the compiled build has no workflow bundle';
  if (facts.bundleSha256 !== undefined && facts.bundleSha256 !== facts.info.workflowBundle.sha256) {
    return "the compiled build's workflow bundle is not the one its build.json names";
  }
  return undefined;
}

function isBuildInfo(value: unknown): value is BuildInfo {
  if (typeof value !== 'object' || value === null) return false;
  const info = value as Partial<BuildInfo>;
  return (
    info.schema === BUILD_SCHEMA &&
    typeof info.sourcesDigest === 'string' &&
    typeof info.builtAt === 'string' &&
    typeof info.workflowBundle?.sha256 === 'string' &&
    typeof info.workflowBundle.file === 'string'
  );
}

/** The file's JSON, or null when it is not JSON (a record cut short: not a build record). */
function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Why the build in `dir` (by default the one this code runs from) cannot be run for the
 * checkout it is in, or undefined when it can. Compares the sources when the checkout has src/;
 * with `bundle`, also the workflow bundle's checksum.
 */
export function checkBuild(options: { dir?: string; bundle?: boolean } = {}): string | undefined {
  const dir = options.dir ?? CODE_DIR;
  const project = path.dirname(dir);
  const infoFile = path.join(dir, BUILD_INFO);
  const facts: BuildFacts = {
    info: existsSync(infoFile) ? readJson(infoFile) : undefined,
    sourcesDigest: existsSync(path.join(project, 'src')) ? sourcesDigest(project) : undefined,
  };
  if (options.bundle) {
    const bundle = path.join(dir, WORKFLOW_BUNDLE);
    facts.bundleSha256 = existsSync(bundle) ? sha256File(bundle) : null;
  }
  return buildProblem(facts);
}
