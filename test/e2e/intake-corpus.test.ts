/**
 * The malformed-submission corpus against the running service (`harmonise up`: the embedded
 * Temporal server and a background worker): every case is rejected with its expected code, the
 * inbox is byte-identical afterwards, and the worker still harmonises a good submission.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../src/demo/generate.ts';
import { HarmoniseClient } from '../../src/client.ts';
import { loadConfig } from '../../src/config.ts';
import type { SubmissionStatus } from '../../src/domain/status.ts';
import { isProcessAlive, processStartTime } from '../../src/platform/process.ts';
import { cliEnv, harmonise, type CliEnv } from '../helpers/cli.ts';
import { buildCorpus, writeValidSubmission, type CorpusCase } from '../helpers/corpus.ts';
import { hashTree } from '../helpers/inbox.ts';

let cli: CliEnv;
let root: string;
let client: HarmoniseClient;
let cases: CorpusCase[];
let inboxBefore: string;
let workerPid: number;
const results = new Map<string, SubmissionStatus>();

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-corpus-'));
  cli = await cliEnv(root);
  // The national reference, as the demo makes it (no regional submissions).
  const layout = await generateDemo({ dataRoot: root, regions: [] });
  cases = await buildCorpus(root, layout.referenceFasta);
  const up = await harmonise(cli, ['up', '--json']);
  expect(up.exitCode, up.stderr).toBe(0);
  workerPid = (JSON.parse(up.stdout) as { worker: { pid: number } }).worker.pid;
  client = await HarmoniseClient.connect(loadConfig({ ...process.env, ...cli.env }));
  inboxBefore = await hashTree(path.join(root, 'inbox'));
}, 300_000);

afterAll(async () => {
  await client?.close();
  const down = await harmonise(cli, ['down']);
  expect(down.exitCode).toBe(0);
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

describe('the malformed-submission corpus', () => {
  it('has at least 40 cases, each expecting a stable code', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.code)).size).toBeGreaterThanOrEqual(30);
  });

  it('rejects every case with its expected code, at the level it belongs to', async () => {
    await Promise.all(
      cases.map((c) =>
        client.completeSubmission(c.region, c.submissionId, { requestedBy: `corpus:${c.region}` }),
      ),
    );
    for (const c of cases)
      results.set(c.submissionId, await client.waitForSubmission(c.region, c.submissionId));
    const wrong: string[] = [];
    for (const c of cases) {
      const status = results.get(c.submissionId)!;
      const codes =
        c.level === 'submission'
          ? status.errors.map((e) => e.code)
          : (status.samples[0]?.errors ?? []).map((e) => e.code);
      const ok = status.status === 'rejected' && codes.includes(c.code);
      if (!ok)
        wrong.push(
          `${c.submissionId} expected ${c.level} ${c.code}, got ${status.status} ${JSON.stringify(codes)}`,
        );
    }
    expect(wrong).toEqual([]);
  }, 300_000);

  it('gives every error a path and a message that names what is wrong, and no server path', () => {
    for (const status of results.values()) {
      for (const error of [...status.errors, ...status.samples.flatMap((s) => s.errors)]) {
        expect(error.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
        expect(error.path.length).toBeGreaterThan(0);
        expect(error.message.length).toBeGreaterThan(10);
        expect(error.message).not.toContain(root);
      }
      // Nor a personal number, even one the submitter wrote.
      expect(JSON.stringify(status)).not.toContain('010190');
    }
  });

  it('leaves the inbox byte-identical', async () => {
    expect(await hashTree(path.join(root, 'inbox'))).toBe(inboxBefore);
  });

  it('keeps the worker healthy: the same worker then harmonises a good submission', async () => {
    expect(isProcessAlive(workerPid, processStartTime(workerPid) ?? '')).toBe(true);
    await writeValidSubmission(root, 'hovedstaden', 'GOOD-001', 'GOOD001');
    const result = await harmonise(cli, [
      'submission',
      'complete',
      'hovedstaden',
      'GOOD-001',
      '--wait',
      '--json',
    ]);
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    const output = JSON.parse(result.stdout) as { submission: SubmissionStatus };
    expect(output.submission).toMatchObject({
      status: 'accepted',
      samples: [{ sampleId: 'GOOD001', status: 'done' }],
    });
  }, 180_000);
});
