/**
 * The engine on real bcftools 1.16 gVCFs of an XX and two XY genomes (dwgsim reads, bwa, `mpileup
 * -a FORMAT/AD,FORMAT/DP`, `call -m -g 0,5,10,20 -a FORMAT/GQ --ploidy-file -S`, as pipeline 2
 * calls), on a reference with chr1, chrX (a PAR) and chrY. Every genome's karyotype is known and
 * every gVCF was called with its ploidy, so the raw counts must equal the `-m all` merge of the
 * gVCFs with +fill-tags (which counts a haploid GT once) at every site; the adj counts never
 * exceed the raw ones, and adj AC never exceeds adj AN.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import { pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import { ploidyFileLines } from '../../src/domain/ploidy.ts';
import { releaseInfo, runEngine, type EngineSample } from '../helpers/engine-jobs.ts';
import { peerCounts } from '../helpers/frequency-peer.ts';
import { sequence } from '../helpers/sex-gvcfs.ts';

const LENGTHS = { chr1: 20000, chrX: 20000, chrY: 8000 };
const SEX = { x: 'chrX', y: 'chrY', par: [{ chrom: 'chrX', start: 1, end: 4000 }] };
const GENOMES = [
  { sampleId: 'XXG01', region: 'hovedstaden', karyotype: 'XX' as const, seed: 1 },
  { sampleId: 'XYG02', region: 'hovedstaden', karyotype: 'XY' as const, seed: 2 },
  { sampleId: 'XYG03', region: 'syddanmark', karyotype: 'XY' as const, seed: 3 },
];

let root: string;
let reference: string;
let samples: EngineSample[];
let sites: Map<string, Record<string, string>>;

const fasta = (seqs: Record<string, string>) =>
  Object.entries(seqs)
    .map(([name, seq]) => `>${name}\n${seq.replace(/(.{60})/g, '$1\n')}\n`)
    .join('');

/** One genome's gVCF: reads of its sequences (no chrY for XX), aligned and called. */
async function callGenome(
  seqs: Record<string, string>,
  genome: (typeof GENOMES)[number],
  ploidy: string,
): Promise<string> {
  const dir = path.join(root, genome.sampleId);
  await fs.mkdir(dir);
  const own = path.join(dir, 'own.fa');
  const { chrY, ...withoutY } = seqs;
  await fs.writeFile(
    own,
    fasta(genome.karyotype === 'XY' ? { ...withoutY, chrY: chrY! } : withoutY),
  );
  const prefix = path.join(dir, 'reads');
  await execa('dwgsim', [
    '-N',
    '12000',
    '-1',
    '100',
    '-2',
    '100',
    '-r',
    '0.004',
    '-R',
    '0.3',
    '-y',
    '0',
    '-z',
    String(genome.seed),
    own,
    prefix,
  ]);
  const sam = await execa(
    'bwa',
    [
      'mem',
      '-R',
      `@RG\\tID:${genome.sampleId}\\tSM:${genome.sampleId}`,
      reference,
      `${prefix}.bwa.read1.fastq.gz`,
      `${prefix}.bwa.read2.fastq.gz`,
    ],
    { maxBuffer: 1 << 30 },
  );
  const bam = path.join(dir, 'reads.bam');
  await execa('samtools', ['sort', '-o', bam, '-'], { input: sam.stdout });
  await execa('samtools', ['index', bam]);
  const sexes = path.join(dir, 'sexes.txt');
  await fs.writeFile(sexes, `${genome.sampleId}\t${genome.karyotype}\n`);
  const gvcf = path.join(dir, `${genome.sampleId}.g.vcf.gz`);
  const pileup = await execa(
    'bcftools',
    ['mpileup', '-a', 'FORMAT/AD,FORMAT/DP', '-q', '20', '-Q', '20', '-f', reference, bam],
    { encoding: 'buffer', maxBuffer: 1 << 30 },
  );
  await execa(
    'bcftools',
    [
      'call',
      '-m',
      '-g',
      '0,5,10,20',
      '-a',
      'FORMAT/GQ',
      '--ploidy-file',
      ploidy,
      '-S',
      sexes,
      '-Oz',
      '-o',
      gvcf,
    ],
    { input: pileup.stdout },
  );
  await execa('tabix', ['-p', 'vcf', gvcf]);
  return gvcf;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-called-xy-'));
  const seqs = Object.fromEntries(
    Object.entries(LENGTHS).map(([name, length], i) => [name, sequence(101 + i, length)]),
  );
  reference = path.join(root, 'ref.fa');
  await fs.writeFile(reference, fasta(seqs));
  await execa('samtools', ['faidx', reference]);
  await execa('bwa', ['index', reference]);
  const sequences = Object.entries(LENGTHS).map(([name, length]) => ({ name, length }));
  const ploidy = path.join(root, 'ploidy.txt');
  await fs.writeFile(ploidy, `${ploidyFileLines(SEX, sequences).join('\n')}\n`);
  samples = [];
  for (const genome of GENOMES) {
    samples.push({ ...genome, gvcf: await callGenome(seqs, genome, ploidy) });
  }
  const raw = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'pipelines', '2.json'), 'utf8'));
  raw.reference = {
    name: 'called-xy',
    fasta: reference,
    sequences: sequences.map((s) => ({
      ...s,
      md5: createHash('md5').update(seqs[s.name]!).digest('hex'),
    })),
  };
  raw.sexChromosomes = SEX;
  const run = await runEngine({
    dir: path.join(root, 'engine'),
    spec: pipelineSpecSchema.parse(raw),
    reference,
    samples,
    shardBases: 5000,
  });
  sites = await releaseInfo(run.vcf);
}, 240_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('the engine on gVCFs bcftools called with each genome’s ploidy', () => {
  it('has raw counts equal to the merge of the gVCFs at every site', async () => {
    const peer = await peerCounts({ dir: path.join(root, 'peer'), reference, samples });
    const chroms = new Set([...sites.keys()].map((k) => k.split(':')[0]));
    // The cohort has sites on every sequence, the sex chromosomes included.
    expect([...chroms].sort()).toEqual(['chr1', 'chrX', 'chrY']);
    expect([...sites.keys()].sort()).toEqual([...peer.keys()].sort());
    const differences = [...sites].flatMap(([key, info]) => {
      const p = peer.get(key)!;
      return info.AC_raw === String(p.AC) && info.AN_raw === String(p.AN)
        ? []
        : [`${key}: AC_raw ${info.AC_raw} AN_raw ${info.AN_raw}, merge AC ${p.AC} AN ${p.AN}`];
    });
    expect(differences).toEqual([]);
  });

  it('never counts more adj than raw, nor adj AC beyond adj AN', () => {
    const n = (v: string | undefined) => Number(v);
    for (const [key, info] of sites) {
      expect(n(info.AC), key).toBeLessThanOrEqual(n(info.AN));
      expect(n(info.AC), key).toBeLessThanOrEqual(n(info.AC_raw));
      expect(n(info.AN), key).toBeLessThanOrEqual(n(info.AN_raw));
      expect(n(info.AC_XX) + n(info.AC_XY), key).toBe(n(info.AC));
      expect(n(info.AN_XX) + n(info.AN_XY), key).toBe(n(info.AN));
      expect(n(info.AC_Hom) + n(info.AC_Het) + n(info.AC_hemi), key).toBe(n(info.AC));
    }
    // Haploid calls of the XY genomes are counted once, as hemizygous.
    expect([...sites.values()].some((i) => n(i.AC_hemi) > 0)).toBe(true);
    // The adj rule left something out somewhere (bcftools writes blocks of depth under 10).
    expect([...sites.values()].some((i) => i.AN !== i.AN_raw)).toBe(true);
  });
});
