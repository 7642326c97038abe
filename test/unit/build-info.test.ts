import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILD_SCHEMA,
  WORKFLOW_BUNDLE,
  buildProblem,
  checkBuild,
  sha256File,
  sourcesDigest,
  type BuildFacts,
  type BuildInfo,
} from '../../src/build-info.ts';

const info: BuildInfo = {
  schema: BUILD_SCHEMA,
  version: '0.1.0',
  builtAt: '2026-12-01T10:00:00.000Z',
  sourcesDigest: 'a'.repeat(32),
  workflowBundle: { file: WORKFLOW_BUNDLE, sha256: 'b'.repeat(64) },
  node: 'v20.20.2',
  typescript: '6.0.3',
};

describe('buildProblem: whether a build may run', () => {
  const cases: [string, BuildFacts, RegExp | undefined][] = [
    ['no build.json', { info: undefined, sourcesDigest: 'a'.repeat(32) }, /no compiled build/],
    ['a cut-short build.json', { info: null, sourcesDigest: undefined }, /not a harmonise\.build/],
    [
      'a record of another format',
      { info: { ...info, schema: 'harmonise.build/v0' }, sourcesDigest: undefined },
      /not a harmonise\.build\/v1 record/,
    ],
    ['the sources it was made from', { info, sourcesDigest: 'a'.repeat(32) }, undefined],
    [
      'changed sources',
      { info, sourcesDigest: 'c'.repeat(32) },
      /made from other sources.*built at 2026-12-01T10:00:00\.000Z/,
    ],
    ['an install without src/ (nothing to compare)', { info, sourcesDigest: undefined }, undefined],
    [
      'its bundle, intact',
      { info, sourcesDigest: 'a'.repeat(32), bundleSha256: 'b'.repeat(64) },
      undefined,
    ],
    [
      'a changed bundle',
      { info, sourcesDigest: undefined, bundleSha256: 'd'.repeat(64) },
      /workflow bundle is not the one/,
    ],
    [
      'a missing bundle',
      { info, sourcesDigest: 'a'.repeat(32), bundleSha256: null },
      /no workflow bundle/,
    ],
    [
      'changed sources before a changed bundle',
      { info, sourcesDigest: 'c'.repeat(32), bundleSha256: 'd'.repeat(64) },
      /other sources/,
    ],
  ];
  it.each(cases)('%s', (_what, facts, problem) => {
    if (problem) expect(buildProblem(facts)).toMatch(problem);
    else expect(buildProblem(facts)).toBeUndefined();
  });
});

describe('checkBuild: a build folder beside the sources', () => {
  let project: string;
  let dir: string;

  beforeAll(async () => {
    project = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-build-info-'));
    await fs.mkdir(path.join(project, 'src', 'workflows'), { recursive: true });
    await fs.writeFile(path.join(project, 'src', 'workflows', 'index.ts'), 'export {};\n');
    await fs.writeFile(path.join(project, 'package-lock.json'), '{"lockfileVersion":3}\n');
    await fs.writeFile(path.join(project, 'tsconfig.json'), '{}\n');
    dir = path.join(project, '.dist-test');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, WORKFLOW_BUNDLE), 'bundle\n');
    await fs.writeFile(
      path.join(dir, 'build.json'),
      JSON.stringify({
        ...info,
        sourcesDigest: sourcesDigest(project),
        workflowBundle: {
          file: WORKFLOW_BUNDLE,
          sha256: sha256File(path.join(dir, WORKFLOW_BUNDLE)),
        },
      }),
    );
  });

  afterAll(async () => {
    await fs.rm(project, { recursive: true, force: true });
  });

  it('runs a build of the sources beside it, and refuses one when a source or its bundle changed', async () => {
    expect(checkBuild({ dir, bundle: true })).toBeUndefined();
    const source = path.join(project, 'src', 'workflows', 'index.ts');
    await fs.appendFile(source, '// changed\n');
    expect(checkBuild({ dir })).toMatch(/other sources/);
    await fs.writeFile(source, 'export {};\n');
    expect(checkBuild({ dir })).toBeUndefined();

    await fs.writeFile(path.join(dir, WORKFLOW_BUNDLE), 'another bundle\n');
    expect(checkBuild({ dir })).toBeUndefined();
    expect(checkBuild({ dir, bundle: true })).toMatch(/workflow bundle is not the one/);
    await fs.writeFile(path.join(dir, WORKFLOW_BUNDLE), 'bundle\n');

    // Installed without its sources: the build is trusted as it is.
    await fs.rename(path.join(project, 'src'), path.join(project, 'src-away'));
    await fs.writeFile(path.join(project, 'tsconfig.json'), '{"changed":true}\n');
    expect(checkBuild({ dir, bundle: true })).toBeUndefined();
    await fs.rename(path.join(project, 'src-away'), path.join(project, 'src'));
    expect(checkBuild({ dir })).toMatch(/other sources/);
    await fs.writeFile(path.join(project, 'tsconfig.json'), '{}\n');

    const record = await fs.readFile(path.join(dir, 'build.json'), 'utf8');
    await fs.writeFile(path.join(dir, 'build.json'), record.slice(0, 20));
    expect(checkBuild({ dir })).toMatch(/not a harmonise\.build\/v1 record/);
    await fs.rm(path.join(dir, 'build.json'));
    expect(checkBuild({ dir })).toMatch(/no compiled build/);
  });
});
