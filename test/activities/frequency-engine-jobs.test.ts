/**
 * The additive engine's jobs run for real (no Temporal) on the hand-made gVCFs with pipeline 1,
 * which names no sex chromosomes and no quality rule: the release has exactly the fields it had
 * before (the headline tags and nhomalt, overall and per region), with the counts worked out by
 * hand and those of the `-m all` merge of every gVCF; and its AN track agrees with the records.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import { pipelineSpecSchema, type PipelineSpec } from '../../src/domain/pipeline.ts';
import { releaseInfo, runEngine, trackAt, type EngineRun } from '../helpers/engine-jobs.ts';
import { countDifferences, peerCounts, releaseCounts } from '../helpers/frequency-peer.ts';
import {
  HAND_REGIONS,
  handExpected,
  writeHandCohort,
  type HandCohort,
} from '../helpers/hand-gvcfs.ts';

const REGIONS = ['hovedstaden', 'sjaelland'];
let root: string;
let cohort: HandCohort;
let spec: PipelineSpec;
let run: EngineRun;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-engine-jobs-'));
  cohort = await writeHandCohort(path.join(root, 'cohort'), true);
  const raw = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '1.json'), 'utf8'));
  raw.reference = {
    name: 'hand-made-300bp',
    fasta: cohort.reference,
    sequences: [
      {
        name: 'chr1',
        length: 300,
        md5: createHash('md5').update(cohort.refSeq.toUpperCase()).digest('hex'),
      },
    ],
  };
  spec = pipelineSpecSchema.parse(raw);
  run = await runEngine({
    dir: path.join(root, 'engine'),
    spec,
    reference: cohort.reference,
    samples: Object.entries(HAND_REGIONS).map(([sampleId, region]) => ({
      sampleId,
      region,
      gvcf: cohort.gvcfs[sampleId as keyof typeof HAND_REGIONS],
      karyotype: 'unknown' as const,
    })),
    shardBases: 150,
  });
}, 120_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('a pipeline-1 release by the engine jobs', () => {
  it('counts as by hand and as the merge, with exactly the fields of before', async () => {
    const counts = await releaseCounts(run.vcf, REGIONS);
    const expected = handExpected(cohort.refSeq);
    expect([...counts.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, tags] of expected) expect(counts.get(key), key).toMatchObject(tags);
    const peer = await peerCounts({
      dir: path.join(root, 'peer'),
      reference: cohort.reference,
      samples: Object.entries(HAND_REGIONS).map(([sampleId, region]) => ({
        sampleId,
        region,
        gvcf: cohort.gvcfs[sampleId as keyof typeof HAND_REGIONS],
      })),
    });
    expect(countDifferences(counts, peer)).toEqual([]);

    const headline = [...spec.frequency.tags, 'nhomalt'];
    const fields = [...headline, ...REGIONS.flatMap((r) => headline.map((t) => `${t}_${r}`))];
    for (const info of (await releaseInfo(run.vcf)).values())
      expect(Object.keys(info)).toEqual(fields);
    const header = (await execa('bcftools', ['view', '-h', run.vcf])).stdout;
    const ids = [...header.matchAll(/^##INFO=<ID=([^,]+)/gm)].map((m) => m[1]);
    expect(ids).toEqual(fields);
  });

  it('writes an AN track that gives each site the AN of its record', async () => {
    const sites = await releaseInfo(run.vcf);
    for (const [key, info] of sites) {
      const [chrom, pos] = key.split(':') as [string, string];
      // An allele normalised away from its caller's POS is counted at that POS: none here.
      const row = await trackAt(run.track, chrom, Number(pos));
      expect(row.slice(3), key).toEqual([info.AN, info.AN_hovedstaden, info.AN_sjaelland]);
    }
    // SJA002's gap (151-180) and SJA001's no-call block (251-300), by hand: 6 alleles called.
    expect((await trackAt(run.track, 'chr1', 155)).slice(3)).toEqual(['6', '4', '2']);
    expect((await trackAt(run.track, 'chr1', 280)).slice(3)).toEqual(['6', '4', '2']);
    // Every base in exactly one run, adjacent runs different.
    const { stdout } = await execa('bgzip', ['-dc', run.track]);
    const [header, ...rows] = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    expect(header).toEqual(['#chrom', 'start', 'end', 'AN', 'AN_hovedstaden', 'AN_sjaelland']);
    expect(rows[0]!.slice(0, 2)).toEqual(['chr1', '1']);
    expect(rows.at(-1)![2]).toBe('300');
    for (let i = 1; i < rows.length; i++) {
      expect(Number(rows[i]![1])).toBe(Number(rows[i - 1]![2]) + 1);
      expect(rows[i]!.slice(3)).not.toEqual(rows[i - 1]!.slice(3));
    }
  });
});
