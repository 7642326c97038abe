/**
 * Command lines of the align step (pure): reads from FASTQ, an unaligned or aligned CRAM/BAM
 * (collated and turned back into interleaved FASTQ), or SPRING (the site's binary), into bwa mem
 * for short reads or minimap2 for long reads, then a coordinate-sorted BAM.
 */
import type { JobResources, PipelineSpec } from '../domain/pipeline.ts';
import { ALIGNED_BAM, type ReadsFormat } from '../domain/plan.ts';
import { rename, run, tmpName, type Argv } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';
import type { Tool } from './versions.ts';

export interface AlignArgs {
  pipeline: PipelineSpec;
  reference: string;
  sampleId: string;
  readsFormat: ReadsFormat;
  /** r1 and r2 for a FASTQ pair, else `reads`. */
  inputs: Readonly<Record<string, string>>;
  resources: JobResources;
  /** The site's spring binary, for SPRING input. */
  springBin: string | null;
}

function need(inputs: Readonly<Record<string, string>>, name: string): string {
  const value = inputs[name];
  if (value === undefined) throw new Error(`the align step needs input "${name}"`);
  return value;
}

/** samtools sort's -m is per thread; leave half the job's memory for the aligner. */
function sortArgs(resources: JobResources): Argv {
  const sortMiB = Math.max(64, Math.floor(resources.memMiB / 2 / resources.cpus));
  return [
    'samtools',
    'sort',
    '-@',
    String(resources.cpus),
    '-m',
    `${sortMiB}M`,
    '-T',
    'sort-tmp',
    '-O',
    'bam',
    '-o',
    tmpName(ALIGNED_BAM),
    '-',
  ];
}

/** Interleaved FASTQ on stdout from a CRAM/BAM, whatever its sort order. */
function readsFromAlignment(file: string, reference: string, threads: string): Argv[] {
  return [
    [
      'samtools',
      'collate',
      '-u',
      '-O',
      '-@',
      threads,
      '--reference',
      reference,
      file,
      'collate-tmp',
    ],
    ['samtools', 'fastq', '-N', '-0', '/dev/null', '-s', '/dev/null', '-'],
  ];
}

export function alignShortReads(args: AlignArgs): StepCommands {
  const threads = String(args.resources.cpus);
  const readGroup = `@RG\\tID:${args.sampleId}\\tSM:${args.sampleId}\\tPL:ILLUMINA`;
  const bwa = (...reads: string[]): Argv => [
    'bwa',
    'mem',
    '-t',
    threads,
    ...args.pipeline.aligner.short.args,
    '-R',
    readGroup,
    ...(reads.length === 1 ? ['-p'] : []),
    args.reference,
    ...reads,
  ];
  const tail: Argv[] = [['samtools', 'fixmate', '-m', '-u', '-', '-'], sortArgs(args.resources)];
  const tools: Tool[] = ['bwa', 'samtools', 'htslib'];
  const finish = rename(tmpName(ALIGNED_BAM), ALIGNED_BAM);
  switch (args.readsFormat) {
    case 'fastq-pair':
      return {
        tools,
        lines: [run([bwa(need(args.inputs, 'r1'), need(args.inputs, 'r2')), ...tail]), finish],
      };
    case 'alignment':
      return {
        tools,
        lines: [
          run([
            ...readsFromAlignment(need(args.inputs, 'reads'), args.reference, threads),
            bwa('-'),
            ...tail,
          ]),
          finish,
        ],
      };
    case 'spring': {
      if (!args.springBin)
        throw new Error('SPRING input needs the site spring binary (HARMONISE_SPRING_BIN)');
      return {
        tools,
        lines: [
          run([
            [
              args.springBin,
              '-d',
              '-i',
              need(args.inputs, 'reads'),
              '-o',
              'spring_R1.fastq',
              'spring_R2.fastq',
              '-w',
              'spring-tmp',
            ],
          ]),
          run([bwa('spring_R1.fastq', 'spring_R2.fastq'), ...tail]),
          run([['rm', '-f', '--', 'spring_R1.fastq', 'spring_R2.fastq']]),
          finish,
        ],
      };
    }
    case 'fastq':
      throw new Error('single FASTQ files hold long reads: they are aligned with minimap2');
  }
}

export function alignLongReads(args: AlignArgs): StepCommands {
  const { preset, args: extra } = args.pipeline.aligner.long;
  if (args.readsFormat !== 'fastq') throw new Error('long reads are aligned from one FASTQ file');
  const readGroup = `@RG\\tID:${args.sampleId}\\tSM:${args.sampleId}\\tPL:PACBIO`;
  return {
    tools: ['minimap2', 'samtools', 'htslib'],
    lines: [
      run([
        [
          'minimap2',
          '-ax',
          preset,
          '-t',
          String(args.resources.cpus),
          ...extra,
          '-R',
          readGroup,
          args.reference,
          need(args.inputs, 'reads'),
        ],
        sortArgs(args.resources),
      ]),
      rename(tmpName(ALIGNED_BAM), ALIGNED_BAM),
    ],
  };
}
