/** Dispatches a plan step to the builder of its command lines (pure). */
import path from 'node:path';
import { AN_TRACK_FILES } from '../frequency/files.ts';
import type { JobResources, PipelineSpec } from '../domain/pipeline.ts';
import type { StepKind, StepSettings } from '../domain/plan.ts';
import type { ProbeSpec } from '../domain/probe.ts';
import { adoptFiles } from './adopt.ts';
import { alignLongReads, alignShortReads } from './align.ts';
import { aggregateFrequencies, gatherFrequencies } from './frequency.ts';
import { deriveContributions, type ContributionMember } from './frequency-contribution.ts';
import {
  buildPartialCommands,
  gatherTrackLines,
  reduceShardCommands,
  type EngineCommand,
} from './frequency-engine.ts';
import { noopCommands } from './noop.ts';
import { probeCommands } from './probe.ts';
import { karyotypeDepth } from './karyotype.ts';
import { callGvcf, markdupCram, type StepCommands } from './sample-steps.ts';
import { TOOLS } from './versions.ts';

export interface StepBuildContext {
  kind: StepKind;
  /** Resolved absolute input paths by name. */
  inputs: Readonly<Record<string, string>>;
  resources: JobResources;
  /** The national pipeline and its reference; null for steps that need neither (probes). */
  pipeline: { spec: PipelineSpec; reference: string } | null;
  sampleId: string | null;
  /** Regions present in a frequency release, in order. */
  regions: readonly string[];
  probe?: ProbeSpec;
  /** The step's own settings from the plan (reads format, long reads, adopt). */
  step?: StepSettings;
  /** The site's spring binary, if it has one. */
  springBin?: string | null;
  /** Contribution jobs: the genomes to read (the activity reads them from the members file). */
  members?: readonly ContributionMember[];
  /** Partial and reduce jobs: how the engine is started. */
  engine?: EngineCommand;
  /** The files the step must leave (the gather leaves the AN track only when asked to). */
  outputs?: readonly string[];
}

type FrequencyKind = Extract<StepKind, `frequency-${string}`>;
type SampleKind = Exclude<StepKind, FrequencyKind | 'probe' | 'noop' | 'tool-versions'>;
type PipelineOf = NonNullable<StepBuildContext['pipeline']>;

const isFrequencyKind = (kind: StepKind): kind is FrequencyKind => kind.startsWith('frequency-');

export function buildStepCommands(ctx: StepBuildContext): StepCommands {
  if (ctx.kind === 'probe') {
    if (!ctx.probe) throw new Error('a probe step needs its probe spec');
    return probeCommands(ctx.probe);
  }
  if (ctx.kind === 'noop') return noopCommands(ctx.step?.sleepSeconds ?? 0);
  // Nothing but the version lines every job writes, for every tool a sample step runs.
  if (ctx.kind === 'tool-versions') return { tools: [...TOOLS], lines: [] };
  if (ctx.pipeline === null) throw new Error(`step ${ctx.kind} needs a pipeline`);
  return isFrequencyKind(ctx.kind)
    ? frequencyStepCommands(ctx, ctx.kind, ctx.pipeline)
    : sampleStepCommands(ctx, ctx.kind, ctx.pipeline);
}

function inputOf(ctx: StepBuildContext, name: string): string {
  const value = ctx.inputs[name];
  if (value === undefined) throw new Error(`step ${ctx.kind} needs input "${name}"`);
  return value;
}

/** The steps of one sample's harmonisation. */
function sampleStepCommands(
  ctx: StepBuildContext,
  kind: SampleKind,
  pipeline: PipelineOf,
): StepCommands {
  const common = {
    pipeline: pipeline.spec,
    reference: pipeline.reference,
    resources: ctx.resources,
  };
  switch (kind) {
    case 'adopt-files':
      return adoptFiles({
        reference: pipeline.reference,
        inputs: ctx.inputs,
        convertToCram: ctx.step?.adopt?.convertToCram ?? [],
        index: ctx.step?.adopt?.index ?? [],
      });
    case 'align-bwa':
    case 'align-minimap2': {
      if (ctx.sampleId === null) throw new Error(`${kind} needs a sample id for the read group`);
      const args = {
        ...common,
        sampleId: ctx.sampleId,
        readsFormat: ctx.step?.readsFormat ?? 'fastq-pair',
        inputs: ctx.inputs,
        springBin: ctx.springBin ?? null,
      };
      return kind === 'align-bwa' ? alignShortReads(args) : alignLongReads(args);
    }
    case 'markdup-cram':
      return markdupCram({ ...common, bam: inputOf(ctx, 'bam') });
    case 'karyotype-depth':
      return karyotypeDepth({ ...common, cram: inputOf(ctx, 'cram') });
    case 'call-gvcf':
      return callGvcf({
        ...common,
        cram: inputOf(ctx, 'cram'),
        longReads: ctx.step?.longReads ?? false,
        ...(ctx.inputs.ploidy === undefined ? {} : { ploidyFile: ctx.inputs.ploidy }),
      });
  }
}

/** The jobs of a frequency release. */
function frequencyStepCommands(
  ctx: StepBuildContext,
  kind: FrequencyKind,
  pipeline: PipelineOf,
): StepCommands {
  switch (kind) {
    case 'frequency-aggregate':
      return aggregateFrequencies({
        pipeline: pipeline.spec,
        reference: pipeline.reference,
        resources: ctx.resources,
        gvcfList: inputOf(ctx, 'gvcfList'),
        groups: inputOf(ctx, 'groups'),
        regions: ctx.regions,
        shard: ctx.step?.region ?? null,
      });
    case 'frequency-contribution':
      if (!ctx.members) throw new Error('a contribution job needs its members');
      return deriveContributions({
        reference: pipeline.reference,
        members: ctx.members,
        sexChromosomes: pipeline.spec.sexChromosomes ?? null,
        quality: pipeline.spec.quality ?? null,
      });
    case 'frequency-partial':
      return buildPartialCommands({
        engine: engineOf(ctx),
        members: inputOf(ctx, 'members'),
        shards: inputOf(ctx, 'shards'),
        checksums: inputOf(ctx, 'checksums'),
        resources: ctx.resources,
      });
    case 'frequency-reduce': {
      const region = ctx.step?.region;
      if (!region) throw new Error('a reduce job needs its shard');
      return reduceShardCommands({
        engine: engineOf(ctx),
        partials: inputOf(ctx, 'partials'),
        contigs: inputOf(ctx, 'contigs'),
        karyotypes: inputOf(ctx, 'karyotypes'),
        reference: pipeline.reference,
        shard: { name: ctx.step?.shardName ?? region, region },
        regions: ctx.regions,
        tags: pipeline.spec.frequency.tags,
        raw: pipeline.spec.quality !== undefined,
        sexChromosomes: pipeline.spec.sexChromosomes ?? null,
        resources: ctx.resources,
      });
    }
    case 'frequency-gather':
      return gatherCommands(ctx);
  }
}

/**
 * The shards' VCFs joined; and, when the step is to leave the AN track (a release of the
 * additive engine, whose reduces leave their runs beside their VCFs), the track.
 */
function gatherCommands(ctx: StepBuildContext): StepCommands {
  // Inputs are named after their shard steps, which sort in genome order.
  const shardVcfs = Object.keys(ctx.inputs)
    .sort()
    .map((name) => inputOf(ctx, name));
  const vcf = gatherFrequencies({ shardVcfs });
  if (!ctx.outputs?.includes(AN_TRACK_FILES.track)) return vcf;
  return {
    tools: vcf.tools,
    lines: [
      ...vcf.lines,
      ...gatherTrackLines({
        shardDirs: shardVcfs.map((f) => path.dirname(f)),
        regions: ctx.regions,
      }),
    ],
  };
}

function engineOf(ctx: StepBuildContext): EngineCommand {
  if (!ctx.engine) throw new Error(`step ${ctx.kind} needs the frequency engine's command`);
  return ctx.engine;
}
