import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import { compareReference, parseDictMd5s } from '../../src/store/pipelines.ts';
import { buildStepCommands } from '../../src/tools/step-commands.ts';
import type { ScriptLine } from '../../src/tools/shell.ts';

const pipeline = pipelineSpecSchema.parse(
  JSON.parse(readFileSync(new URL('../../pipelines/1.json', import.meta.url), 'utf8')),
);
const resources = { cpus: 2, memMiB: 2048, timeMinutes: 60 };

function commands(lines: ScriptLine[]): string[][] {
  return lines.flatMap((l) => (l.kind === 'run' ? l.pipeline.map((argv) => [...argv]) : []));
}

describe('step command builders', () => {
  it('aligns with the pinned bwa arguments and a read group named by the sample', () => {
    const built = buildStepCommands({
      kind: 'align-bwa',
      inputs: { r1: '/in/R1.fq.gz', r2: '/in/R2.fq.gz' },
      resources,
      pipeline: { spec: pipeline, reference: '/ref/genome.fa' },
      sampleId: 'HOV001',
      regions: [],
    });
    const [bwa, fixmate, sort] = commands(built.lines);
    expect(bwa).toEqual([
      'bwa',
      'mem',
      '-t',
      '2',
      ...pipeline.aligner.short.args,
      '-R',
      '@RG\\tID:HOV001\\tSM:HOV001\\tPL:ILLUMINA',
      '/ref/genome.fa',
      '/in/R1.fq.gz',
      '/in/R2.fq.gz',
    ]);
    expect(fixmate?.slice(0, 3)).toEqual(['samtools', 'fixmate', '-m']);
    expect(sort).toContain('aligned.bam.tmp');
    expect(built.lines.at(-1)).toEqual({
      kind: 'rename',
      from: 'aligned.bam.tmp',
      to: 'aligned.bam',
    });
    expect(built.tools).toContain('bwa');
  });

  it('writes the CRAM against the reference and renames it only after its index', () => {
    const built = buildStepCommands({
      kind: 'markdup-cram',
      inputs: { bam: '/w/aligned.bam' },
      resources,
      pipeline: { spec: pipeline, reference: '/ref/genome.fa' },
      sampleId: 'HOV001',
      regions: [],
    });
    const markdup = commands(built.lines)[0]!;
    expect(markdup).toEqual(
      expect.arrayContaining(['--reference', '/ref/genome.fa', '-O', 'cram']),
    );
    const renames = built.lines
      .filter((l) => l.kind === 'rename')
      .map((l) => (l.kind === 'rename' ? l.to : ''));
    expect(renames).toEqual(['sample.cram.crai', 'sample.cram']);
  });

  it('computes overall and per-region tags, and a hom-alt person count per region', () => {
    const built = buildStepCommands({
      kind: 'frequency-aggregate',
      inputs: { gvcfList: '/w/gvcfs.list', groups: '/w/groups.tsv' },
      resources,
      pipeline: { spec: pipeline, reference: '/ref/genome.fa' },
      sampleId: null,
      regions: ['hovedstaden', 'syddanmark'],
    });
    const all = commands(built.lines);
    expect(all[0]).toEqual(
      expect.arrayContaining(['merge', '-g', '/ref/genome.fa', '-l', '/w/gvcfs.list']),
    );
    const fill = all.find((c) => c[1] === '+fill-tags')!;
    expect(fill).toEqual(
      expect.arrayContaining(['-S', '/w/groups.tsv', '-t', 'AC,AN,AF,AC_Hom,AC_Het,NS']),
    );
    const annotate = all.find((c) => c[1] === 'annotate')!;
    expect(annotate.join(' ')).toContain(
      'INFO/nhomalt,INFO/nhomalt_hovedstaden,INFO/nhomalt_syddanmark',
    );
  });

  it('recovers reads from a CRAM with collate and fastq, into bwa mem -p', () => {
    const built = buildStepCommands({
      kind: 'align-bwa',
      inputs: { reads: '/in/S.cram' },
      resources,
      pipeline: { spec: pipeline, reference: '/ref/genome.fa' },
      sampleId: 'S01',
      regions: [],
      step: { readsFormat: 'alignment' },
    });
    const [collate, fastq, bwa] = commands(built.lines);
    expect(collate).toEqual(
      expect.arrayContaining([
        'samtools',
        'collate',
        '--reference',
        '/ref/genome.fa',
        '/in/S.cram',
      ]),
    );
    expect(fastq).toEqual(expect.arrayContaining(['samtools', 'fastq', '-N']));
    expect(bwa).toEqual(expect.arrayContaining(['bwa', 'mem', '-p', '/ref/genome.fa', '-']));
  });

  it('aligns long reads with minimap2 and the pipeline preset, without fixmate', () => {
    const built = buildStepCommands({
      kind: 'align-minimap2',
      inputs: { reads: '/in/long.fastq.gz' },
      resources,
      pipeline: { spec: pipeline, reference: '/ref/genome.fa' },
      sampleId: 'S02',
      regions: [],
      step: { readsFormat: 'fastq' },
    });
    const all = commands(built.lines);
    expect(all[0]!.slice(0, 3)).toEqual(['minimap2', '-ax', pipeline.aligner.long.preset]);
    expect(all.some((c) => c.includes('fixmate'))).toBe(false);
  });

  it('runs SPRING through the site binary only', () => {
    const ctx = {
      kind: 'align-bwa' as const,
      inputs: { reads: '/in/r.spring' },
      resources,
      pipeline: { spec: pipeline, reference: '/ref/genome.fa' },
      sampleId: 'S03',
      regions: [],
      step: { readsFormat: 'spring' as const },
    };
    expect(() => buildStepCommands(ctx)).toThrow(/spring binary/);
    const built = buildStepCommands({ ...ctx, springBin: '/opt/spring/bin/spring' });
    expect(commands(built.lines)[0]).toEqual(
      expect.arrayContaining(['/opt/spring/bin/spring', '-d', '-i', '/in/r.spring']),
    );
  });

  it('adopts submitted files by copying, converting a BAM, and building missing indexes before publishing', () => {
    const built = buildStepCommands({
      kind: 'adopt-files',
      inputs: { 'sample.cram': '/in/S.bam', 'sample.g.vcf.gz': '/in/S.g.vcf.gz' },
      resources,
      pipeline: { spec: pipeline, reference: '/ref/genome.fa' },
      sampleId: 'S04',
      regions: [],
      step: {
        adopt: {
          convertToCram: ['sample.cram'],
          index: [
            { of: 'sample.cram', to: 'sample.cram.crai' },
            { of: 'sample.g.vcf.gz', to: 'sample.g.vcf.gz.tbi' },
          ],
        },
      },
    });
    const all = commands(built.lines);
    expect(all[0]).toEqual([
      'samtools',
      'view',
      '-C',
      '--reference',
      '/ref/genome.fa',
      '-o',
      'sample.cram.tmp',
      '/in/S.bam',
    ]);
    expect(all[1]).toEqual(['cp', '--reflink=auto', '--', '/in/S.g.vcf.gz', 'sample.g.vcf.gz.tmp']);
    const renames = built.lines.flatMap((l) => (l.kind === 'rename' ? [l.to] : []));
    expect(renames).toEqual([
      'sample.cram.crai',
      'sample.g.vcf.gz.tbi',
      'sample.cram',
      'sample.g.vcf.gz',
    ]);
  });

  it('names a missing input', () => {
    expect(() =>
      buildStepCommands({
        kind: 'call-gvcf',
        inputs: {},
        resources,
        pipeline: { spec: pipeline, reference: '/r.fa' },
        sampleId: 'X01',
        regions: [],
      }),
    ).toThrow(/needs input "cram"/);
  });
});

describe('reference checks', () => {
  const dict = pipeline.reference.sequences
    .map((s) => `@SQ\tSN:${s.name}\tLN:${s.length}\tM5:${s.md5}\tUR:file:///ref.fa`)
    .join('\n');

  it('accepts a dict with exactly the pinned MD5s', () => {
    expect(compareReference(pipeline, parseDictMd5s(`@HD\tVN:1.0\n${dict}\n`))).toEqual([]);
  });

  it('names every sequence that differs, is missing or is extra', () => {
    const changed = dict.replace(pipeline.reference.sequences[0]!.md5, '0'.repeat(32)).split('\n');
    const problems = compareReference(
      pipeline,
      parseDictMd5s(
        [...changed.slice(0, 2), `@SQ\tSN:chrX\tLN:5\tM5:${'1'.repeat(32)}`].join('\n'),
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining('chr1 has M5 0000'),
      'chr3 is missing',
      'chrX is not in the spec',
    ]);
  });
});
