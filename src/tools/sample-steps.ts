/**
 * Command lines of duplicate marking and variant calling, from the pipeline spec (pure). Every output is
 * written under a temporary name and renamed into place only when complete.
 */
import type { PipelineSpec, JobResources } from '../domain/pipeline.ts';
import { PUBLISHED_NAMES } from '../domain/plan.ts';
import { rename, run, tmpName, type ScriptLine } from './shell.ts';
import type { Tool } from './versions.ts';

export interface StepCommands {
  lines: ScriptLine[];
  tools: Tool[];
}

/** samtools markdup straight to CRAM on the national reference, then its index. */
export function markdupCram(args: {
  pipeline: PipelineSpec;
  reference: string;
  bam: string;
  resources: JobResources;
}): StepCommands {
  const cram = PUBLISHED_NAMES.cram;
  const crai = PUBLISHED_NAMES.crai;
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
  longReads: boolean;
  /** The sample's ploidy by position (the karyotype step's), for a pipeline with sex chromosomes. */
  ploidyFile?: string;
}): StepCommands {
  const gvcf = PUBLISHED_NAMES.gvcf;
  const tbi = PUBLISHED_NAMES.tbi;
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
          ...(args.longReads ? caller.longReadMpileupArgs : caller.mpileupArgs),
          '-Ou',
          args.cram,
        ],
        [
          'bcftools',
          'call',
          '--no-version',
          ...caller.callArgs,
          ...(args.ploidyFile === undefined ? [] : ['--ploidy-file', args.ploidyFile]),
          '-Oz',
          '-o',
          tmpName(gvcf),
        ],
      ]),
      run([['bcftools', 'index', '-t', '-o', tmpName(tbi), tmpName(gvcf)]]),
      rename(tmpName(tbi), tbi),
      rename(tmpName(gvcf), gvcf),
    ],
  };
}
