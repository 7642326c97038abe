/** Dispatches a plan step to the builder of its command lines (pure). */
import type { JobResources, PipelineSpec } from '../domain/pipeline.ts';
import type { StepKind } from '../domain/plan.ts';
import type { ProbeSpec } from '../domain/probe.ts';
import { aggregateFrequencies } from './frequency.ts';
import { probeCommands } from './probe.ts';
import { alignBwa, callGvcf, markdupCram, type StepCommands } from './sample-steps.ts';

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
}

export function buildStepCommands(ctx: StepBuildContext): StepCommands {
  const input = (name: string): string => {
    const value = ctx.inputs[name];
    if (value === undefined) throw new Error(`step ${ctx.kind} needs input "${name}"`);
    return value;
  };
  if (ctx.kind === 'probe') {
    if (!ctx.probe) throw new Error('a probe step needs its probe spec');
    return probeCommands(ctx.probe);
  }
  if (ctx.pipeline === null) throw new Error(`step ${ctx.kind} needs a pipeline`);
  const common = {
    pipeline: ctx.pipeline.spec,
    reference: ctx.pipeline.reference,
    resources: ctx.resources,
  };
  switch (ctx.kind) {
    case 'align-bwa':
      if (ctx.sampleId === null) throw new Error('align-bwa needs a sample id for the read group');
      return alignBwa({ ...common, sampleId: ctx.sampleId, r1: input('r1'), r2: input('r2') });
    case 'markdup-cram':
      return markdupCram({ ...common, bam: input('bam') });
    case 'call-gvcf':
      return callGvcf({ ...common, cram: input('cram') });
    case 'frequency-aggregate':
      return aggregateFrequencies({
        ...common,
        gvcfList: input('gvcfList'),
        groups: input('groups'),
        regions: ctx.regions,
      });
  }
}
