/** Pure pieces of campaigns: selections, rates and ETA, ids, the noop plan, the progress line. */
import { describe, expect, it } from 'vitest';
import type { StepTally } from '../../src/domain/step-reuse.ts';
import { renderProgress, formatDuration } from '../../src/cli/progress-bar.ts';
import {
  admit,
  countsOf,
  newCarry,
  progressOf,
  recordOutcome,
} from '../../src/domain/campaign-state.ts';
import {
  RATE_WINDOW,
  etaSeconds,
  finishedCount,
  finishRate,
  maxConcurrentProblem,
  newCampaignId,
  type CampaignProgress,
} from '../../src/domain/campaign.ts';
import { toNoopPlan } from '../../src/domain/noop-plan.ts';
import type { SamplePlan } from '../../src/domain/plan.ts';
import type { SampleRecord, SampleVersion } from '../../src/domain/sample-record.ts';
import { currentVersion, matchesSelection, parseSelection } from '../../src/domain/selection.ts';
import { indexedStage } from '../../src/workflows/sample.ts';

function version(pipelineVersion: string, over: Partial<SampleVersion> = {}): SampleVersion {
  return {
    pipelineVersion,
    mode: 'full',
    status: 'harmonised',
    submissionId: 's1',
    workflowId: 'w',
    publishedAt: `2026-0${pipelineVersion}-01T00:00:00.000Z`,
    dir: '/d',
    files: {},
    sha256: {},
    verdict: { alignment: 'aligned', variants: 'called', reasons: [] },
    ...over,
  };
}

function record(
  over: Partial<SampleRecord> & { versions?: SampleRecord['versions'] },
): SampleRecord {
  return {
    schema: 'harmonise.sample/v1',
    sampleId: 'HOV001',
    region: 'hovedstaden',
    readType: 'short',
    consent: { research: true },
    versions: {},
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('parseSelection', () => {
  it.each([
    ['region=syddanmark', [{ field: 'region', negated: false, values: ['syddanmark'] }]],
    [
      ' region = syddanmark|midtjylland , pipelineVersion!=2 ',
      [
        { field: 'region', negated: false, values: ['syddanmark', 'midtjylland'] },
        { field: 'pipelineVersion', negated: true, values: ['2'] },
      ],
    ],
    ['mode=none', [{ field: 'mode', negated: false, values: ['none'] }]],
  ])('parses %j', (text, clauses) => {
    expect(parseSelection(text)).toEqual({ ok: true, clauses });
  });

  it.each([
    ['', /empty/],
    ['region', /not field=value/],
    ['colour=red', /unknown field "colour"/],
    ['region=', /"" is not a value/],
    ['region=a b', /"a b" is not a value/],
    ["region=x'; drop", /is not a value/],
    ['region=a,,mode=none', /clause 2/],
  ])('refuses %j with a clear message', (text, message) => {
    const parsed = parseSelection(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});

describe('matchesSelection', () => {
  const v1 = record({ versions: { '1': version('1') } });
  const v2none = record({
    sampleId: 'NOR001',
    region: 'nordjylland',
    versions: { '1': version('1'), '2': version('2', { mode: 'none', status: 'registered' }) },
  });
  const withdrawn = record({
    sampleId: 'RSD001',
    region: 'syddanmark',
    consent: { research: true, withdrawnAt: '2026-05-01T00:00:00.000Z' },
    versions: { '1': version('1') },
  });
  const cases: [string, SampleRecord, boolean][] = [
    ['region=hovedstaden', v1, true],
    ['region=syddanmark|nordjylland', v1, false],
    ['pipelineVersion!=2', v1, true],
    ['pipelineVersion!=2', v2none, false],
    ['mode=none', v2none, true],
    ['mode=none,region=nordjylland', v2none, true],
    ['mode=none,region=hovedstaden', v2none, false],
    ['status=registered', v2none, true],
    ['consent=withdrawn', withdrawn, true],
    ['consent=research', withdrawn, false],
    ['sampleId=HOV001|NOR001', v1, true],
    ['mode=full', record({}), false],
    ['mode!=full', record({}), true],
  ];
  it.each(cases)('%s on %s', (text, rec, expected) => {
    const parsed = parseSelection(text);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(matchesSelection(rec, parsed.clauses)).toBe(expected);
  });

  it('takes the version published last as current, benchmark runs only when alone', () => {
    expect(currentVersion(v2none)?.pipelineVersion).toBe('2');
    expect(currentVersion(record({}))).toBeNull();
    const bench = version('9', { status: 'benchmark', publishedAt: '2026-12-01T00:00:00.000Z' });
    expect(
      currentVersion(record({ versions: { '1': version('1'), noop: bench } }))?.pipelineVersion,
    ).toBe('1');
    expect(currentVersion(record({ versions: { noop: bench } }))?.status).toBe('benchmark');
  });
});

describe('rate and ETA', () => {
  it('counts finishes per second over the window', () => {
    expect(finishRate([])).toBeNull();
    expect(finishRate([1000])).toBeNull();
    expect(finishRate([1000, 1000])).toBeNull();
    expect(finishRate([0, 1000, 2000, 3000, 4000])).toBe(1);
    expect(finishRate([0, 500])).toBe(2);
    // A campaign keeps only its last RATE_WINDOW finishes: 100 slow ones, then a window at 10/s.
    const slow = 100;
    const carry = newCarry(slow + RATE_WINDOW, '2026-11-26T00:00:00.000Z');
    const ids = Array.from({ length: slow + RATE_WINDOW }, (_, i) => `S${i}`);
    admit(carry, ids);
    ids.forEach((sampleId, i) => {
      const at = i < slow ? i * 10_000 : 10_000_000 + (i - slow) * 100;
      recordOutcome(carry, { sampleId, workflowId: 'w', status: 'done', errors: [] }, at);
    });
    expect(carry.finishTimes).toHaveLength(RATE_WINDOW);
    expect(finishRate(carry.finishTimes)).toBe(10);
  });

  it('estimates the time for pending and running samples', () => {
    const counts = {
      total: 100,
      pending: 50,
      running: 10,
      done: 35,
      failed: 5,
      rejected: 0,
      skipped: 0,
      cancelled: 0,
    };
    expect(etaSeconds(counts, 2)).toBe(30);
    expect(etaSeconds(counts, null)).toBeNull();
    expect(etaSeconds({ ...counts, pending: 0, running: 0 }, null)).toBe(0);
  });

  it('bounds the window', () => {
    expect(maxConcurrentProblem(1)).toBeNull();
    expect(maxConcurrentProblem(1000)).toBeNull();
    expect(maxConcurrentProblem(0)).toMatch(/1 to 1000/);
    expect(maxConcurrentProblem(1001)).toMatch(/1 to 1000/);
    expect(maxConcurrentProblem(2.5)).toMatch(/whole number/);
  });
});

describe('newCampaignId', () => {
  it('sorts by time, carries a slug of the name and a random suffix, and is a valid id', () => {
    const id = newCampaignId(
      'Rerun Syddanmark: v2!',
      new Date('2026-11-26T20:40:00.123Z'),
      'beef01',
    );
    expect(id).toBe('20261126T204000Z-rerun-syddanmark-v2-beef');
    expect(newCampaignId('', new Date('2026-11-26T20:40:00Z'), '0a0b')).toBe(
      '20261126T204000Z-0a0b',
    );
    expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
  });
});

describe('toNoopPlan', () => {
  it('keeps the national steps as sleeping jobs that publish nothing', () => {
    const plan: SamplePlan = {
      sampleId: 'HOV001',
      region: 'hovedstaden',
      submissionId: 's1',
      mode: 'full',
      readType: 'short',
      pipelineVersion: 'noop',
      steps: [
        {
          name: 'align',
          kind: 'align-bwa',
          inputs: { r1: { path: '/r1' } },
          outputs: ['aligned.bam'],
          resources: { cpus: 4, memMiB: 8000, timeMinutes: 60 },
          readsFormat: 'fastq-pair',
        },
        {
          name: 'call',
          kind: 'call-gvcf',
          inputs: { cram: { fromStep: 'align', output: 'aligned.bam' } },
          outputs: ['sample.g.vcf.gz'],
          resources: { cpus: 1, memMiB: 1000, timeMinutes: 60 },
        },
      ],
      retry: { maxAttempts: 3, maxMemMiB: 64000, maxTimeMinutes: 600 },
      publish: { gvcf: { fromStep: 'call', output: 'sample.g.vcf.gz' } },
      verdict: { alignment: 'aligned', variants: 'called', reasons: [] },
    };
    const noop = toNoopPlan(plan, 3);
    expect(noop.steps.map((s) => [s.name, s.kind, s.outputs, s.inputs, s.sleepSeconds])).toEqual([
      ['align', 'noop', [], {}, 3],
      ['call', 'noop', [], {}, 3],
    ]);
    expect(noop.steps[0]!.resources).toEqual(plan.steps[0]!.resources);
    expect(noop.publish).toEqual({});
    expect(noop.verdict.reasons[0]).toMatch(/benchmark/);
  });
});

describe('indexedStage', () => {
  it.each([
    ['preparing', 'preparing'],
    ['planning', 'planning'],
    ['align', 'running'],
    ['registering', 'running'],
    ['done', 'done'],
    ['cancelled', 'cancelled'],
  ] as const)('%s is indexed as %s', (stage, indexed) => {
    expect(indexedStage(stage)).toBe(indexed);
  });
});

describe('the progress line', () => {
  it('shows the bar, counts, rate and ETA', () => {
    const progress = {
      state: 'running',
      maxConcurrent: 10,
      counts: {
        total: 200,
        pending: 90,
        running: 10,
        done: 95,
        failed: 3,
        rejected: 1,
        skipped: 1,
        cancelled: 0,
      },
      samplesPerSecond: 2.5,
      etaSeconds: 40,
    } as CampaignProgress;
    const line = renderProgress(progress, 10);
    expect(line).toBe(
      '[#####-----]  50.0% 100/200 | running | running 10 (max 10) | done 95 failed 3 rejected 1 skipped 1 cancelled 0 | 2.50/s | ETA 40s',
    );
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(null)).toBe('?');
  });
});

describe('campaign state', () => {
  it('admits samples, takes each report once, and keeps the counts adding up', () => {
    const carry = newCarry(3, '2026-11-26T00:00:00.000Z');
    carry.resolution = { total: 5, alreadyDone: 0, unknown: [], listFile: '/l' };
    admit(carry, ['A', 'B', 'C']);
    const add = () => {
      const c = countsOf(carry);
      return c.pending + c.running + finishedCount(c);
    };
    expect(countsOf(carry)).toMatchObject({ total: 5, pending: 2, running: 3 });
    const long = 'x'.repeat(5000);
    expect(
      recordOutcome(
        carry,
        {
          sampleId: 'A',
          workflowId: 'w',
          status: 'failed',
          errors: [{ code: 'E', path: 'p', message: long }],
        },
        1000,
      ),
    ).toBe(true);
    // A repeated report, and one for a sample never admitted, change nothing.
    expect(
      recordOutcome(carry, { sampleId: 'A', workflowId: 'w', status: 'done', errors: [] }, 2000),
    ).toBe(false);
    expect(
      recordOutcome(carry, { sampleId: 'Z', workflowId: 'w', status: 'done', errors: [] }, 2000),
    ).toBe(false);
    expect(
      recordOutcome(carry, { sampleId: 'B', workflowId: 'w', status: 'done', errors: [] }, 3000),
    ).toBe(true);
    expect(countsOf(carry)).toMatchObject({ running: 1, failed: 1, done: 1 });
    expect(add()).toBe(5);
    expect(carry.pendingOutcomes.map((o) => o.sampleId)).toEqual(['A', 'B']);
    expect(carry.pendingOutcomes[0]!.errors[0]!.message).toHaveLength(2000);
    expect(carry.pendingOutcomes[0]!.at).toBe('1970-01-01T00:00:01.000Z');
    const progress = progressOf(carry, {
      campaignId: 'c',
      workflowId: 'campaign:c',
      request: {
        name: 'n',
        pipelineVersion: '2',
        selection: { expression: 'mode=none' },
        maxConcurrent: 3,
        requestedBy: 't',
      },
      updatedAt: 'u',
      endedAt: null,
      reportFile: null,
    });
    expect(progress).toMatchObject({ samplesPerSecond: 0.5, etaSeconds: 6, state: 'resolving' });
    expect(JSON.parse(JSON.stringify(carry))).toEqual(carry);
  });

  it('adds up the steps its samples ran and reused, and the CPU hours saved', () => {
    const carry = newCarry(3, '2026-12-03T00:00:00.000Z');
    carry.resolution = { total: 3, alreadyDone: 0, unknown: [], listFile: '/l' };
    admit(carry, ['A', 'B', 'C']);
    const done = (sampleId: string, steps?: StepTally) =>
      recordOutcome(
        carry,
        { sampleId, workflowId: 'w', status: 'done', errors: [], ...(steps ? { steps } : {}) },
        1000,
      );
    done('A', { run: 1, reused: 2, cpuSecondsRun: 360, cpuSecondsSaved: 5400 });
    done('B', { run: 3, reused: 0, cpuSecondsRun: 1800, cpuSecondsSaved: 0 });
    done('C');
    const meta = {
      campaignId: 'c',
      workflowId: 'campaign:c',
      request: {
        name: 'n',
        pipelineVersion: '2',
        selection: { expression: 'mode=none' },
        maxConcurrent: 3,
        reuse: 'steps' as const,
        requestedBy: 't',
      },
      updatedAt: 'u',
      endedAt: null,
      reportFile: null,
    };
    expect(progressOf(carry, meta)).toMatchObject({
      reuse: 'steps',
      stepsRun: 4,
      stepsReused: 2,
      cpuHoursRun: 0.6,
      cpuHoursSaved: 1.5,
    });
    // A carry from before steps were counted, and a request from before reuse existed.
    delete carry.steps;
    expect(
      progressOf(carry, { ...meta, request: { ...meta.request, reuse: undefined } }),
    ).toMatchObject({
      reuse: 'none',
      stepsRun: 0,
      stepsReused: 0,
      cpuHoursRun: 0,
      cpuHoursSaved: 0,
    });
  });
});
