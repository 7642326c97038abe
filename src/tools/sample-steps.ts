/**
 * Command lines of the per-sample steps, built from the pipeline spec (pure). Every output is
 * written under a temporary name and renamed into place only when complete.
 */
import type { PipelineSpec, JobResources } from '../domain/pipeline.ts';
import { SAMPLE_OUTPUTS } from '../domain/plan.ts';
import { rename, run, tmpName, type ScriptLine } from './shell.ts';
import type { Tool } from './versions.ts';

export interface StepCommands {
  lines: ScriptLine[];
  tools: Tool[];
}

/** bwa mem → samtools fixmate -m → samtools sort: a coordinate-sorted BAM with mate tags. */
export function alignBwa(args: {
  pipeline: PipelineSpec;
  reference: string;
  sampleId: string;
  r1: string;
  r2: string;
  resources: JobResources;
}): StepCommands {
  const threads = String(args.resources.cpus);
  // samtools sort's -m is per thread; leave half the job's memory for bwa.
  const sortMiB = Math.max(64, Math.floor(args.resources.memMiB / 2 / args.resources.cpus));
  const readGroup = `@RG\\tID:${args.sampleId}\\tSM:${args.sampleId}\\tPL:ILLUMINA`;
  const out = SAMPLE_OUTPUTS.alignedBam;
  return {
    tools: ['bwa', 'samtools', 'htslib'],
    lines: [
      run([
        [
          'bwa',
          'mem',
          '-t',
          threads,
          ...args.pipeline.aligner.short.args,
          '-R',
          readGroup,
          args.reference,
          args.r1,
          args.r2,
        ],
        ['samtools', 'fixmate', '-m', '-u', '-', '-'],
        [
          'samtools',
          'sort',
          '-@',
          threads,
          '-m',
          `${sortMiB}M`,
          '-T',
          'sort-tmp',
          '-O',
          'bam',
          '-o',
          tmpName(out),
          '-',
        ],
      ]),
      rename(tmpName(out), out),
    ],
  };
}

/** samtools markdup straight to CRAM on the national reference, then its index. */
export function markdupCram(args: {
  pipeline: PipelineSpec;
  reference: string;
  bam: string;
  resources: JobResources;
}): StepCommands {
  const cram = SAMPLE_OUTPUTS.cram;
  const crai = SAMPLE_OUTPUTS.crai;
  return {
    tools: ['samtools', 'htslib'],
    lines: [
      run([
        [
          'samtools',
          'markdup',
          '-@',
          String(args.resources.cpus),
          ...args.pipeline.markdup.args,
          '--reference',
          args.reference,
          '-O',
          'cram',
          args.bam,
          tmpName(cram),
        ],
      ]),
      run([['samtools', 'index', '-o', tmpName(crai), tmpName(cram)]]),
      rename(tmpName(crai), crai),
      rename(tmpName(cram), cram),
    ],
  };
}

/** bcftools mpileup | call -g: a bgzipped gVCF with reference blocks, then its tabix index. */
export function callGvcf(args: {
  pipeline: PipelineSpec;
  reference: string;
  cram: string;
  resources: JobResources;
}): StepCommands {
  const gvcf = SAMPLE_OUTPUTS.gvcf;
  const tbi = SAMPLE_OUTPUTS.tbi;
  const caller = args.pipeline.caller;
  return {
    tools: ['bcftools', 'htslib'],
    lines: [
      run([
        [
          'bcftools',
          'mpileup',
          '--no-version',
          '-f',
          args.reference,
          ...caller.mpileupArgs,
          '-Ou',
          args.cram,
        ],
        ['bcftools', 'call', '--no-version', ...caller.callArgs, '-Oz', '-o', tmpName(gvcf)],
      ]),
      run([['bcftools', 'index', '-t', '-o', tmpName(tbi), tmpName(gvcf)]]),
      rename(tmpName(tbi), tbi),
      rename(tmpName(gvcf), gvcf),
    ],
  };
}
