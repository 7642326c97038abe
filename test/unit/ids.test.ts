/**
 * Ids at every boundary: every traversal spelling is refused by the id rules and by the layout
 * (the one builder of paths under the data root); CPR-shaped numbers are found inside any id,
 * never repeated in a message, and replaced by a salted hash in logs.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReleaseId } from '../../src/client.ts';
import { newCampaignId } from '../../src/domain/campaign.ts';
import {
  ID_KINDS,
  containsCpr,
  findCprNumbers,
  idProblem,
  type IdKind,
} from '../../src/domain/id-rules.ts';
import { boundIssues } from '../../src/domain/issues.ts';
import { InvalidIdError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { createLayout, inside } from '../../src/store/layout.ts';
import { personalNumberRedactor, saltedHash } from '../../src/store/redaction.ts';
import { TRAVERSALS } from '../helpers/hostile.ts';

describe('the id rules', () => {
  it.each(ID_KINDS)('refuse every traversal spelling as a %s', (kind) => {
    for (const value of TRAVERSALS)
      expect(idProblem(kind, value), JSON.stringify(value)).not.toBeNull();
  });

  it.each([
    ['region', 'syddanmark'],
    ['submissionId', 'RSD-2026-0042'],
    ['sampleId', 'P000123'],
    ['campaignId', '20261126T204000Z-rerun-v2-3f9a'],
    ['releaseId', '20261126T171500.123Z'],
    ['pipelineVersion', '1'],
  ] as [IdKind, string][])('accept a real %s (%s)', (kind, value) => {
    expect(idProblem(kind, value)).toBeNull();
  });

  it('name the kind and the rule, and never repeat a CPR number', () => {
    expect(idProblem('sampleId', '../x')).toMatch(/sample id "\.\.\/x" is not valid: must match/);
    const message = idProblem('sampleId', 'NOR-010190-1234')!;
    expect(message).toContain('CPR');
    expect(message).not.toContain('010190');
  });
});

describe('CPR-shaped numbers', () => {
  it.each([
    ['0101901234', true],
    ['010190-1234', true],
    ['NOR-010190-1234', true],
    ['010190_1234', true],
    ['010190.1234', true],
    ['010190 1234', true],
    ['x290288/1234y', true],
    // A replacement number: day + 60.
    ['6101901234', true],
    ['3004901234', true],
    // No month 13, no 31 April, no 30 February, no day 00.
    ['0113901234', false],
    ['3104901234', false],
    ['3002901234', false],
    ['0001901234', false],
    // Six digits and three, or a date without its four digits.
    ['010190-123', false],
    ['010190', false],
    ['NGC010190', false],
    ['HOV001', false],
  ])('%s: %s', (text, expected) => {
    expect(containsCpr(text)).toBe(expected);
  });

  it('finds each one in a longer text', () => {
    const text = 'a 0101901234 and b 020290-1234';
    expect(findCprNumbers(text).map(([s, e]) => text.slice(s, e))).toEqual([
      '0101901234',
      '020290-1234',
    ]);
  });

  it('are never in the ids harmonise makes itself', () => {
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 20_000; i++) {
      const at = new Date(start + i * 4_567_891);
      expect(containsCpr(newReleaseId(at)), newReleaseId(at)).toBe(false);
      expect(containsCpr(newCampaignId('rerun v2', at, 'a1b2'))).toBe(false);
    }
  });

  it('are removed from issues shown to submitters', () => {
    const [issue] = boundIssues([
      { code: 'X', path: 'samples[0].sampleId', message: 'the id 0101901234 is refused' },
    ]);
    expect(issue!.message).toBe('the id [personal number removed] is refused');
  });

  it('become a salted hash in logs: the same number the same hash, never the number', async () => {
    const salt = Buffer.from('a fixed salt for the test');
    const redact = personalNumberRedactor(salt);
    expect(redact('sample 010190-1234!')).toBe(`sample cpr:${saltedHash(salt, '010190-1234')}!`);
    expect(redact('HOV001')).toBe('HOV001');

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-redact-'));
    const file = path.join(dir, 'log.jsonl');
    const handle = await fs.open(file, 'w');
    const logger = createLogger('info', { destination: handle.fd, redact });
    logger.info(
      { url: '/api/v1/samples/0101901234', nested: { ids: ['010190_1234'] } },
      'got 0101901234',
    );
    logger.warn({ err: new Error('bad id 0101901234') }, 'failed');
    // Under any key, and nested (the SDK's own log fields carry errors so).
    logger.warn({ error: new Error('worker lost'), meta: { failure: new Error('deep') } }, 'sdk');
    logger.flush();
    await handle.close();
    const text = await fs.readFile(file, 'utf8');
    await fs.rm(dir, { recursive: true, force: true });
    expect(text).not.toMatch(/0101901234|010190_1234/);
    expect(text).toContain(`cpr:${saltedHash(salt, '0101901234')}`);
    // An error keeps its message (redacted), never "error":{}.
    expect(text).toContain('"message":"bad id cpr:');
    expect(text).toContain('"message":"worker lost"');
    expect(text).toContain('"message":"deep"');
    expect(text).not.toContain('{}');
  });
});

describe('the layout', () => {
  const layout = createLayout('/data/root');
  const builders: [string, (value: string) => string][] = [
    ['submissionDir (region)', (v) => layout.submissionDir(v, 'S1')],
    ['submissionDir (id)', (v) => layout.submissionDir('hovedstaden', v)],
    ['submissionRecord', (v) => layout.submissionRecord('hovedstaden', v)],
    ['submissionRunDir', (v) => layout.submissionRunDir('hovedstaden', 'S1', v)],
    ['catalogueFile', (v) => layout.catalogueFile(v)],
    ['claimFile', (v) => layout.claimFile(v)],
    ['sampleDir (sample)', (v) => layout.sampleDir(v, '1')],
    ['sampleDir (version)', (v) => layout.sampleDir('S1', v)],
    ['campaignDir', (v) => layout.campaignDir(v)],
    ['releaseDir', (v) => layout.releaseDir(v)],
    ['referenceDir', (v) => layout.referenceDir(v)],
    ['workDir', (v) => layout.workDir(v)],
    ['workDir (part)', (v) => layout.workDir('sample:S1:1', v)],
  ];

  it.each(builders)('%s refuses every traversal spelling', (_name, build) => {
    for (const value of TRAVERSALS) {
      expect(() => build(value), JSON.stringify(value)).toThrow(InvalidIdError);
    }
  });

  it('builds the paths of valid ids inside the data root', () => {
    expect(layout.submissionRecord('hovedstaden', 'HOV-1')).toBe(
      '/data/root/gdb/submissions/hovedstaden/HOV-1.json',
    );
    expect(layout.workDir('sample:HOV001:1', 'run', 'align', '1')).toBe(
      '/data/root/work/sample:HOV001:1/run/align/1',
    );
    expect(() => inside('/data/root')).toThrow(InvalidIdError);
  });
});
