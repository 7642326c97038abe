/**
 * Intake against hostile submissions, on real files with the real activities: nothing but a
 * regular file inside the submission is opened, nothing is read without a limit, no message
 * quotes a file or names a server path, ids that exist or are claimed are refused, and a list
 * of any length is reported in a few kilobytes. The inbox is byte-identical afterwards.
 */
import { CancelledFailure } from '@temporalio/common';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntakeActivities, type IntakeResult } from '../../src/activities/intake.ts';
import { budgetFor } from '../../src/activities/intake/budget.ts';
import { inspectSampleFiles } from '../../src/activities/intake/sample.ts';
import { SAMPLE_RECORD_SCHEMA, type SampleRecord } from '../../src/domain/sample-record.ts';
import { readIntakePage } from '../../src/store/submissions.ts';
import { fileActivityDeps } from '../helpers/activity-deps.ts';
import { writeFastqBomb, writeZeroBomb } from '../helpers/hostile.ts';
import { hashTree, writeSubmission } from '../helpers/inbox.ts';
import { TEST_LIMITS, closeOpenedFiles, fileAt } from '../helpers/intake-files.ts';

let root: string;
let outside: string;
let inboxBefore: string;

function activities(env: Record<string, string> = {}) {
  return createIntakeActivities(fileActivityDeps(root, env));
}

const validate = (region: string, submissionId: string, env: Record<string, string> = {}) =>
  activities(env).validateSubmission({
    region,
    submissionId,
    pipelineVersion: '1',
    workflowId: `submission:${region}:${submissionId}`,
    runId: `run-${submissionId}`,
  });

/** The sample's intake in its own workflow: the first entry of the submission's list. */
async function inspectFirst(
  submission: [region: string, submissionId: string],
  result: IntakeResult,
  env: Record<string, string> = {},
) {
  const [entry] = (await readIntakePage(result.intakeFile!, 0, 100)).entries;
  expect(entry!.status).toBe('pending');
  return activities(env).inspectSample({
    region: submission[0],
    submissionId: submission[1],
    sampleId: entry!.sampleId,
    intake: entry!.ref,
    pipelineVersion: '1',
  });
}

const dirOf = (region: string, id: string) => path.join(root, 'inbox', region, id);
const md5 = async (file: string) =>
  createHash('md5')
    .update(await fs.readFile(file))
    .digest('hex');

/** Every string of a result, to look for what must not be in it. */
const text = (value: unknown) => JSON.stringify(value);

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-hostile-'));
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-outside-'));
  await fs.writeFile(path.join(outside, 'secret.txt'), 'root:x:0:0:TOP-SECRET-CONTENT\n');
  await fs.mkdir(path.join(outside, 'folder'));

  // A FIFO as manifest.json.
  await writeSubmission(root, 'hovedstaden', 'FIFO-MANIFEST', [{ sampleId: 'FIF001' }]);
  await fs.rm(path.join(dirOf('hovedstaden', 'FIFO-MANIFEST'), 'manifest.json'));
  await execa('mkfifo', [path.join(dirOf('hovedstaden', 'FIFO-MANIFEST'), 'manifest.json')]);
  // manifest.json a link to a file outside.
  await writeSubmission(root, 'hovedstaden', 'LINK-MANIFEST', [{ sampleId: 'LNK001' }]);
  await fs.rm(path.join(dirOf('hovedstaden', 'LINK-MANIFEST'), 'manifest.json'));
  await fs.symlink(
    path.join(outside, 'secret.txt'),
    path.join(dirOf('hovedstaden', 'LINK-MANIFEST'), 'manifest.json'),
  );
  // The submission folder itself a link to a folder outside the inbox.
  await writeSubmission(outside, 'hovedstaden', 'ELSEWHERE', [{ sampleId: 'ELS001' }]);
  await fs.symlink(
    path.join(outside, 'inbox', 'hovedstaden', 'ELSEWHERE'),
    dirOf('hovedstaden', 'ELSEWHERE'),
  );
  // A FIFO as R2; R2 a link to a file outside; R2 a link to a folder outside.
  for (const [id, make] of [
    ['FIFO-R2', (file: string) => execa('mkfifo', [file])],
    ['LINK-R2', (file: string) => fs.symlink(path.join(outside, 'secret.txt'), file)],
    ['DIR-R2', (file: string) => fs.symlink(path.join(outside, 'folder'), file)],
  ] as const) {
    const sampleId = `${id.replace('-', '')}1`;
    await writeSubmission(root, 'hovedstaden', id, [{ sampleId }]);
    const r2 = path.join(dirOf('hovedstaden', id), sampleId, `${sampleId}_R2.fastq.gz`);
    await fs.rm(r2);
    await make(r2);
  }
  // The same file as R1 and R2: `S//R1` in the manifest, and a symbolic link.
  await writeSubmission(root, 'hovedstaden', 'SAME-SLASH', [{ sampleId: 'SAM001' }], (m) => {
    const files = (m.samples as { files: { path: string; md5: string }[] }[])[0]!.files;
    files[1]!.path = files[0]!.path.replace('/', '//');
    files[1]!.md5 = files[0]!.md5;
  });
  await writeSubmission(root, 'hovedstaden', 'SAME-LINK', [{ sampleId: 'SAM002' }], (m) => {
    const files = (m.samples as { files: { md5: string }[] }[])[0]!.files;
    files[1]!.md5 = files[0]!.md5;
  });
  const linked = dirOf('hovedstaden', 'SAME-LINK');
  await fs.rm(path.join(linked, 'SAM002', 'SAM002_R2.fastq.gz'));
  await fs.symlink('SAM002_R1.fastq.gz', path.join(linked, 'SAM002', 'SAM002_R2.fastq.gz'));
  // Gzip bombs as R1: zeros without a line end, and valid FASTQ that inflates to 1 GiB.
  for (const [id, make] of [
    ['ZERO-BOMB', (file: string) => writeZeroBomb(file)],
    ['FASTQ-BOMB', (file: string) => writeFastqBomb(file, 16)],
  ] as const) {
    const sampleId = `${id.replace('-', '')}1`;
    await writeSubmission(root, 'hovedstaden', id, [{ sampleId }], () => undefined);
    const r1 = path.join(dirOf('hovedstaden', id), sampleId, `${sampleId}_R1.fastq.gz`);
    await make(r1);
    const manifestFile = path.join(dirOf('hovedstaden', id), 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as {
      samples: { files: { md5: string }[] }[];
    };
    manifest.samples[0]!.files[0]!.md5 = await md5(r1);
    await fs.writeFile(manifestFile, JSON.stringify(manifest));
  }
  // Personal numbers in ids.
  await writeSubmission(root, 'nordjylland', 'CPR-IDS', [
    { sampleId: 'NOR-010190-1234' },
    { sampleId: '010190_1234' },
  ]);
  // 12,000 samples, and 100,000 unknown fields.
  await writeSubmission(root, 'hovedstaden', 'TOO-MANY', [{ sampleId: 'MNY001' }], (m) => {
    const one = (m.samples as unknown[])[0];
    m.samples = Array.from({ length: 12_000 }, () => one);
  });
  await writeSubmission(root, 'hovedstaden', 'UNKNOWN-FIELDS', [{ sampleId: 'UNK001' }], (m) => {
    for (let i = 0; i < 100_000; i++) m[`field${i}`] = i;
  });
  // Ids that exist: HOV001 is hovedstaden's, HOV002 too (with consent).
  const catalogue = path.join(root, 'gdb', 'catalogue');
  await fs.mkdir(catalogue, { recursive: true });
  for (const sampleId of ['HOV001', 'HOV002']) {
    const record: SampleRecord = {
      schema: SAMPLE_RECORD_SCHEMA,
      sampleId,
      region: 'hovedstaden',
      readType: 'short',
      consent: { research: true },
      versions: {
        '1': {
          pipelineVersion: '1',
          mode: 'full',
          status: 'harmonised',
          submissionId: 'HOV-EARLIER',
          workflowId: `sample:${sampleId}:1`,
          publishedAt: '2026-11-01T00:00:00.000Z',
          dir: path.join(root, 'gdb', 'samples', sampleId, '1'),
          files: {},
          sha256: {},
          verdict: { alignment: 'aligned', variants: 'called', reasons: [] },
        },
      },
      updatedAt: '2026-11-01T00:00:00.000Z',
    };
    await fs.writeFile(path.join(catalogue, `${sampleId}.json`), JSON.stringify(record));
  }
  await writeSubmission(root, 'syddanmark', 'TAKES-HOV001', [{ sampleId: 'HOV001' }]);
  await writeSubmission(root, 'hovedstaden', 'AGAIN-HOV002', [
    { sampleId: 'HOV002', research: false },
  ]);
  // One new id claimed by two regions at once.
  await writeSubmission(root, 'syddanmark', 'RACE-A', [{ sampleId: 'NEW777' }]);
  await writeSubmission(root, 'sjaelland', 'RACE-B', [{ sampleId: 'NEW777' }]);
  await writeSubmission(root, 'hovedstaden', 'GOOD', [{ sampleId: 'GOOD01' }]);
  inboxBefore = await hashTree(path.join(root, 'inbox'));
}, 120_000);

afterAll(async () => {
  await closeOpenedFiles();
  await fs.rm(root, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

const codes = (result: IntakeResult) => result.issues.map((i) => i.code);

describe('the submission and its manifest', () => {
  it('refuses a FIFO as manifest.json without opening it (intake goes on)', async () => {
    const result = await validate('hovedstaden', 'FIFO-MANIFEST');
    expect(codes(result)).toEqual(['MANIFEST_NOT_REGULAR']);
    expect(result.issues[0]!.message).toContain('named pipe');
  });

  it('refuses manifest.json as a symbolic link, and shows nothing of its target', async () => {
    const result = await validate('hovedstaden', 'LINK-MANIFEST');
    expect(codes(result)).toEqual(['MANIFEST_SYMLINK']);
    expect(text(result)).not.toContain('TOP-SECRET');
    expect(text(result)).not.toContain(outside);
  });

  it('refuses a submission folder that is a link to a folder outside the inbox', async () => {
    const result = await validate('hovedstaden', 'ELSEWHERE');
    expect(codes(result)).toEqual(['SUBMISSION_SYMLINK']);
  });

  it('refuses more samples than the limit before parsing them, in a few kilobytes', async () => {
    const result = await validate('hovedstaden', 'TOO-MANY');
    expect(codes(result)).toEqual(['SUBMISSION_TOO_LARGE']);
    expect(result.issues[0]!.message).toContain('12000 samples');
    expect(text(result).length).toBeLessThan(2_000);
    // Under a raised limit the same manifest is parsed, and its 11,999 repeats reported briefly.
    const raised = await validate('hovedstaden', 'TOO-MANY', {
      HARMONISE_INTAKE_MAX_SAMPLES: '20000',
    });
    expect(raised.issues).toHaveLength(51);
    expect(raised.issues[0]!.code).toBe('MANIFEST_DUPLICATE_SAMPLE');
    expect(text(raised).length).toBeLessThan(20_000);
  });

  it('reports 100,000 unknown fields as the first 50 and a count, in a few kilobytes', async () => {
    const result = await validate('hovedstaden', 'UNKNOWN-FIELDS');
    expect(result.issues).toHaveLength(51);
    expect(result.issues.at(-1)).toMatchObject({ code: 'TOO_MANY_ERRORS' });
    expect(result.issues.at(-1)!.message).toContain('99950 more');
    expect(text(result).length).toBeLessThan(10_000);
  });

  it('refuses a manifest over its size limit', async () => {
    const result = await validate('hovedstaden', 'UNKNOWN-FIELDS', {
      HARMONISE_INTAKE_MAX_MANIFEST_MIB: '1',
    });
    expect(codes(result)).toEqual(['MANIFEST_TOO_LARGE']);
  });

  it('refuses ids with a personal number in them, and never repeats the number', async () => {
    const result = await validate('nordjylland', 'CPR-IDS');
    expect(codes(result)).toEqual(['ID_LOOKS_LIKE_CPR', 'ID_LOOKS_LIKE_CPR']);
    expect(text(result)).not.toContain('010190');
  });

  it('refuses the same file listed twice under any spelling', async () => {
    const slash = await validate('hovedstaden', 'SAME-SLASH');
    expect(codes(slash)).toEqual(['MANIFEST_DUPLICATE_FILE']);
    const link = await validate('hovedstaden', 'SAME-LINK');
    expect(codes(link)).toEqual(['MANIFEST_DUPLICATE_FILE']);
    expect(link.issues[0]).toMatchObject({ path: 'samples[0].files[1].path' });
    expect(link.issues[0]!.message).toContain('same file as samples[0].files[0]');
  });
});

describe('the listed files', () => {
  it.each([
    ['FIFO-R2', 'FILE_NOT_REGULAR', 'named pipe'],
    ['LINK-R2', 'FILE_OUTSIDE_SUBMISSION', 'leads outside the submission folder'],
    ['DIR-R2', 'FILE_OUTSIDE_SUBMISSION', 'leads outside the submission folder'],
  ])('%s: the sample is rejected with %s before anything is read', async (id, code, says) => {
    const result = await validate('hovedstaden', id);
    expect(result.issues).toEqual([]);
    expect(result.counts).toMatchObject({ total: 1, rejected: 1, pending: 0 });
    const [entry] = (await readIntakePage(result.intakeFile!, 0, 10)).entries;
    expect(entry!.errors.map((e) => e.code)).toEqual([code]);
    expect(entry!.errors[0]!.message).toContain(says);
    // Relative to the submission: no server path, nothing of the target.
    expect(text(entry!.errors)).not.toContain(root);
    expect(text(entry!.errors)).not.toContain(outside);
    expect(text(entry!.errors)).not.toContain('TOP-SECRET');
  });

  it('stops a gzip bomb of zeros at its ratio (or, with the ratio off, its line length)', async () => {
    const at = ['hovedstaden', 'ZERO-BOMB'] as [string, string];
    const result = await validate(...at);
    const sample = await inspectFirst(at, result);
    expect(sample.issues.map((i) => i.code)).toEqual(['FILE_DECOMPRESSES_TOO_LARGE']);
    expect(sample.issues[0]!.message).toContain('decompression bomb');
    const noRatio = await inspectFirst(at, result, { HARMONISE_INTAKE_MAX_GZIP_RATIO: '0' });
    expect(noRatio.issues.map((i) => i.code)).toEqual(['FILE_LINE_TOO_LONG']);
  });

  it('stops a valid-looking FASTQ bomb at its time budget', async () => {
    const at = ['hovedstaden', 'FASTQ-BOMB'] as [string, string];
    const result = await validate(...at);
    const sample = await inspectFirst(at, result, {
      HARMONISE_INTAKE_MAX_GZIP_RATIO: '0',
      HARMONISE_INTAKE_SECONDS: '1',
      HARMONISE_INTAKE_SECONDS_PER_GIB: '1',
    });
    expect(sample.issues.map((i) => i.code)).toEqual(['FILE_INSPECTION_TOO_SLOW']);
    expect(sample.issues[0]!.message).toMatch(/budget of \d+ s/);
    // The default ratio limit stops it too, after its first 16 MiB; with neither, its size.
    const ratio = await inspectFirst(at, result);
    expect(ratio.issues.map((i) => i.code)).toEqual(['FILE_DECOMPRESSES_TOO_LARGE']);
    const size = await inspectFirst(at, result, {
      HARMONISE_INTAKE_MAX_GZIP_RATIO: '0',
      HARMONISE_INTAKE_MAX_DECOMPRESSED_GIB: '1',
    });
    expect(size.issues.map((i) => i.code)).toEqual(['FILE_DECOMPRESSES_TOO_LARGE']);
    expect(size.issues[0]!.message).toContain('more than 1.0 GiB');
  });

  it('stops an inspection as soon as its activity is cancelled', async () => {
    const bomb = path.join(
      dirOf('hovedstaden', 'FASTQ-BOMB'),
      'FASTQBOMB1',
      'FASTQBOMB1_R1.fastq.gz',
    );
    const file = await fileAt(path.dirname(bomb), path.basename(bomb), 'fastq-r1');
    const controller = new AbortController();
    let beats = 0;
    const inspector = {
      // Cancelled from the outside while it reads (as a heartbeat would learn it).
      heartbeat: () => {
        beats += 1;
        if (beats === 1) controller.abort();
      },
      signal: controller.signal,
      limits: { ...TEST_LIMITS, maxGzipRatio: 0 },
    };
    expect(budgetFor(inspector, 0).seconds).toBe(600);
    const error = await inspectSampleFiles(
      [file],
      { fasta: '/nonexistent', sequences: [] },
      inspector,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledFailure);
    // It stopped at its next check, long before another heartbeat's worth of reading.
    expect(beats).toBe(1);
  });
});

describe('sample ids that exist or are claimed', () => {
  it("refuses another region's sample id", async () => {
    const result = await validate('syddanmark', 'TAKES-HOV001');
    const [entry] = (await readIntakePage(result.intakeFile!, 0, 10)).entries;
    expect(entry).toMatchObject({ status: 'rejected', errors: [{ code: 'SAMPLE_ID_CONFLICT' }] });
  });

  it('refuses a resubmission by its own region; a consent change is not taken from it', async () => {
    const result = await validate('hovedstaden', 'AGAIN-HOV002');
    const [entry] = (await readIntakePage(result.intakeFile!, 0, 10)).entries;
    expect(entry).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'SAMPLE_ALREADY_REGISTERED' }],
    });
    expect(entry!.errors[0]!.message).toContain('consent withdrawal');
    const record = JSON.parse(
      await fs.readFile(path.join(root, 'gdb', 'catalogue', 'HOV002.json'), 'utf8'),
    ) as SampleRecord;
    expect(record.consent).toEqual({ research: true });
  });

  it('lets exactly one of two concurrent first claims of a new id win', async () => {
    const [a, b] = await Promise.all([
      validate('syddanmark', 'RACE-A'),
      validate('sjaelland', 'RACE-B'),
    ]);
    const entries = await Promise.all(
      [a, b].map(async (r) => (await readIntakePage(r.intakeFile!, 0, 10)).entries[0]!),
    );
    expect(entries.map((e) => e.status).sort()).toEqual(['pending', 'rejected']);
    const loser = entries.find((e) => e.status === 'rejected')!;
    expect(loser.errors[0]!.code).toBe('SAMPLE_ID_CONFLICT');
    // A retried intake of the winner keeps its claim.
    const winner =
      entries[0]!.status === 'pending' ? ['syddanmark', 'RACE-A'] : ['sjaelland', 'RACE-B'];
    const again = await validate(winner[0]!, winner[1]!);
    expect((await readIntakePage(again.intakeFile!, 0, 10)).entries[0]!.status).toBe('pending');
  });
});

describe('a good submission beside all that', () => {
  it('is accepted, its files checked with their identity recorded', async () => {
    const result = await validate('hovedstaden', 'GOOD');
    expect(result.counts).toMatchObject({ total: 1, pending: 1 });
    const sample = await inspectFirst(['hovedstaden', 'GOOD'], result);
    expect(sample.issues).toEqual([]);
    expect(sample.files.map((f) => f.identity?.size)).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
  });

  it('left the inbox byte-identical', async () => {
    expect(await hashTree(path.join(root, 'inbox'))).toBe(inboxBefore);
  });
});
