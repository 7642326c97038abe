/**
 * A rerun and the earlier version's provenance.json (real files, no Temporal): the seeded
 * catalogue's provenance is a valid v1 document whose checksums are its files'; a valid one is
 * compared with the inputs found again; a missing, unreadable or invalid one refuses the sample
 * with RERUN_PROVENANCE_MISSING, naming the sample, the version and what is wrong with the file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogue, type SeededCatalogue } from '../../src/demo/seed-catalogue.ts';
import type { ActivityDeps } from '../../src/activities/deps.ts';
import { createRerunActivities } from '../../src/activities/rerun.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import { parseManifest } from '../../src/domain/manifest.ts';
import {
  PROVENANCE_FILE,
  PROVENANCE_SCHEMA,
  provenanceSchema,
  type Provenance,
} from '../../src/domain/provenance.ts';
import { fileActivityDeps } from '../helpers/activity-deps.ts';

const REGION = 'syddanmark';
const SUBMISSION = 'seed-0000';

let root: string;
let deps: ActivityDeps;
let seeded: SeededCatalogue;
let rerun: ReturnType<typeof createRerunActivities>;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-rerun-prov-'));
  seeded = await seedCatalogue({ dataRoot: root, samples: 12, regions: [REGION] });
  deps = fileActivityDeps(root);
  rerun = createRerunActivities(deps);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const id = (n: number) => `NGC${String(n).padStart(6, '0')}`;
const provenanceFile = (sampleId: string) =>
  path.join(deps.layout.sampleDir(sampleId, '1'), PROVENANCE_FILE);
const digest = (algorithm: 'md5' | 'sha256', data: Buffer) =>
  createHash(algorithm).update(data).digest('hex');
const prepare = (sampleId: string) =>
  rerun.prepareRerun({ sampleId, pipelineVersion: 'noop', mode: null });
const readProvenance = async (sampleId: string) =>
  JSON.parse(await fs.readFile(provenanceFile(sampleId), 'utf8')) as Provenance;

describe('the seeded catalogue', () => {
  it('writes a valid provenance per version, with the checksums of the seeded files', async () => {
    const spec = await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '1.json'));
    const submission = deps.layout.submissionDir(REGION, SUBMISSION);
    const manifest = parseManifest(
      await fs.readFile(path.join(submission, 'manifest.json'), 'utf8'),
    );
    if (!manifest.ok) throw new Error(JSON.stringify(manifest.issues));
    expect(seeded.sampleIds).toHaveLength(12);
    for (const sampleId of seeded.sampleIds) {
      const version = (await deps.catalogue.get(sampleId))!.versions['1']!;
      expect(version.files).toEqual({ provenance: provenanceFile(sampleId) });
      const provenance = provenanceSchema.parse(
        JSON.parse(await fs.readFile(version.files.provenance!, 'utf8')),
      );
      expect(provenance).toMatchObject({
        schema: PROVENANCE_SCHEMA,
        sampleId,
        region: REGION,
        submissionId: SUBMISSION,
        mode: version.mode,
        readType: 'short',
        // Nothing ran and nothing was published.
        steps: [],
        attempts: [],
        tools: {},
        outputs: {},
        verdict: version.verdict,
        workflow: { id: version.workflowId },
      });
      expect(provenance.pipeline).toEqual({
        name: 'ngc-national-germline',
        version: '1',
        specSha256: digest('sha256', spec),
      });
      const listed = manifest.manifest.samples.find((s) => s.sampleId === sampleId)!.files;
      expect(provenance.inputs.map((i) => [i.kind, i.relativePath])).toEqual(
        listed.map((f) => [f.kind, f.path]),
      );
      for (const [k, input] of provenance.inputs.entries()) {
        const file = path.join(submission, input.relativePath);
        const content = await fs.readFile(file);
        expect(input.md5).toBe(digest('md5', content));
        expect(input.md5).toBe(listed[k]!.md5);
        expect(input.sha256).toBe(digest('sha256', content));
        const stat = await fs.stat(file, { bigint: true });
        expect(input.identity).toMatchObject({
          ino: stat.ino.toString(),
          size: Number(stat.size),
          mtimeNs: stat.mtimeNs.toString(),
        });
      }
    }
  });
});

describe('prepareRerun and the earlier provenance', () => {
  it('compares a valid provenance with the inputs found again', async () => {
    const prepared = await prepare(id(0));
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.issues));
    expect(prepared.from).toEqual({ pipelineVersion: '1', submissionId: SUBMISSION });

    // Valid, but recording another md5 and a file the manifest no longer lists.
    const sampleId = id(1);
    const provenance = await readProvenance(sampleId);
    provenance.inputs[1]!.md5 = '0'.repeat(32);
    provenance.inputs.push({ ...provenance.inputs[0]!, relativePath: 'gone_R3.fastq.gz' });
    await fs.writeFile(provenanceFile(sampleId), JSON.stringify(provenance));
    const changed = await prepare(sampleId);
    expect(!changed.ok && changed.issues).toMatchObject([{ code: 'RERUN_INPUTS_CHANGED' }]);
    const message = !changed.ok ? changed.issues[0]!.message : '';
    expect(message).toMatch(/R2\.fastq\.gz md5 was 0{32}, is [0-9a-f]{32}/);
    expect(message).toContain('gone_R3.fastq.gz is no longer listed');
  });

  /** How each case spoils sample `n`'s provenance, and what the message must say of it. */
  const spoilt: [string, number, (file: string) => Promise<void>, RegExp][] = [
    ['missing', 2, (file) => fs.rm(file), /does not exist/],
    [
      'a folder in its place',
      3,
      async (file) => {
        await fs.rm(file);
        await fs.mkdir(file);
      },
      /is a folder, not a file/,
    ],
    [
      'a loop of symbolic links',
      4,
      async (file) => {
        await fs.rm(file);
        await fs.symlink(file, file);
      },
      /is a loop of symbolic links/,
    ],
    ['empty', 5, (file) => fs.writeFile(file, ''), /is not valid JSON/],
    [
      'not JSON',
      6,
      (file) => fs.writeFile(file, '{"schema": "harmonise.provenance/v1", SECRET-CONTENT'),
      /is not valid JSON/,
    ],
    [
      'not a v1 document',
      7,
      async (file) => {
        const bad = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
        (bad.inputs as { md5: string }[])[0]!.md5 = 'SECRET-CONTENT';
        delete bad.createdAt;
        await fs.writeFile(file, JSON.stringify(bad));
      },
      /is not a harmonise\.provenance\/v1 document \(inputs\[0\]\.md5: invalid_format; createdAt: invalid_type\)/,
    ],
    [
      'a JSON array',
      8,
      (file) => fs.writeFile(file, '["SECRET-CONTENT"]'),
      /is not a harmonise\.provenance\/v1 document \(\$: invalid_type\)/,
    ],
    [
      "another sample's",
      9,
      (file) => fs.copyFile(provenanceFile(id(0)), file),
      /is the provenance of another sample or pipeline version, not of NGC000009 with 1/,
    ],
  ];

  it.each(spoilt)(
    'refuses a provenance that is %s with RERUN_PROVENANCE_MISSING',
    async (_case, n, spoil, problem) => {
      const sampleId = id(n);
      const file = provenanceFile(sampleId);
      await spoil(file);
      const refused = await prepare(sampleId);
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.skip).toBeUndefined();
      expect(refused.issues).toHaveLength(1);
      const [issue] = refused.issues;
      expect(issue).toMatchObject({ code: 'RERUN_PROVENANCE_MISSING', path: `sample ${sampleId}` });
      expect(issue!.message).toContain(
        `${sampleId} cannot be rerun from its pipeline 1 version: ${file} `,
      );
      expect(issue!.message).toMatch(problem);
      expect(issue!.message).not.toContain('SECRET');
      // The same answer again: retrying cannot change it.
      expect(await prepare(sampleId)).toEqual(refused);
    },
  );

  it('refuses a version whose catalogue entry names no provenance', async () => {
    const sampleId = id(10);
    const record = (await deps.catalogue.get(sampleId))!;
    await deps.catalogue.recordVersion(record, { ...record.versions['1']!, files: {} });
    const refused = await prepare(sampleId);
    expect(!refused.ok && refused.issues).toEqual([
      {
        code: 'RERUN_PROVENANCE_MISSING',
        path: `sample ${sampleId}`,
        message: `${sampleId} cannot be rerun from its pipeline 1 version: its catalogue entry names no provenance.json, so whether its inputs changed since cannot be checked`,
      },
    ]);
    // A sample beside it, untouched, still prepares.
    expect((await prepare(id(11))).ok).toBe(true);
  });
});
