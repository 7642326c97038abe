/**
 * The merge-based aggregation (the releases cut before the additive engine, and the engine's
 * small-N oracle) on the hand-made gVCFs: with `-m all`, AN counts a genome whose SNV shares its
 * POS with another's indel, and a genome whose 1-bp reference record sits at an indel's POS —
 * the two places the default `-m both` leaves them out.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import { pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import { aggregateFrequencies } from '../../src/tools/frequency.ts';
import { renderJobScript } from '../../src/tools/job-script.ts';
import { releaseCounts } from '../helpers/frequency-peer.ts';
import { handExpected, writeHandCohort, type HandCohort } from '../helpers/hand-gvcfs.ts';

let root: string;
let cohort: HandCohort;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-freq-merge-'));
  cohort = await writeHandCohort(path.join(root, 'cohort'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('the release merge', () => {
  it('counts AN with -m all where -m both would leave genomes out', async () => {
    const pipeline = pipelineSpecSchema.parse(
      JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '1.json'), 'utf8')),
    );
    const commands = aggregateFrequencies({
      pipeline,
      reference: cohort.reference,
      gvcfList: cohort.gvcfList,
      groups: cohort.groups,
      regions: ['hovedstaden', 'sjaelland'],
      shard: null,
      resources: pipeline.steps.frequency,
    });
    expect(
      commands.lines.some((l) => l.kind === 'run' && l.pipeline[0]!.join(' ').includes('-m all')),
    ).toBe(true);
    const workDir = path.join(root, 'job');
    await fs.mkdir(workDir);
    const script = path.join(workDir, 'job.sh');
    await fs.writeFile(script, renderJobScript({ key: 'merge', workDir, ...commands }));
    const run = await execa('bash', [script], { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);

    const counts = await releaseCounts(path.join(workDir, 'frequencies.vcf.gz'), [
      'hovedstaden',
      'sjaelland',
    ]);
    const expected = handExpected(cohort.refSeq);
    expect([...counts.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, tags] of expected) expect(counts.get(key), key).toMatchObject(tags);
    // The two cases by name: all four genomes count at the SNV + deletion POS and at the
    // insertion beside a 1-bp reference record.
    const at = (pos: number) => [...counts].filter(([key]) => key.startsWith(`chr1:${pos}:`));
    for (const pos of [100, 200]) {
      expect(at(pos).length).toBeGreaterThan(0);
      for (const [, tags] of at(pos)) expect(tags.AN).toBe(8);
    }
  });
});
