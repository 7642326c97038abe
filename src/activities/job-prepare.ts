/** A step's job before it is submitted: its key, work folder, commands and script. */
import path from 'node:path';
import { PROJECT_ROOT } from '../config.ts';
import { KARYOTYPE_OUTPUTS, type StepKind } from '../domain/plan.ts';
import { REUSABLE_KINDS } from '../domain/step-fingerprint.ts';
import { commandLines, renderJobScript } from '../tools/job-script.ts';
import type { StepCommands } from '../tools/sample-steps.ts';
import { buildStepCommands } from '../tools/step-commands.ts';
import { readContributionMembers } from './contribution-plans.ts';
import type { ActivityDeps } from './deps.ts';
import { refuseChangedInputs } from './job-inputs.ts';
import type { RunStepInput } from './job-types.ts';

/**
 * Jobs that measure what they cost: a release reports its cost per stage, and a rerun that
 * reuses a sample step reports the CPU time it saved from what the step's job measured.
 */
const MEASURED_KINDS: ReadonlySet<StepKind> = new Set([
  'frequency-contribution',
  'frequency-partial',
  'frequency-reduce',
  'frequency-gather',
  ...REUSABLE_KINDS,
]);

/** The karyotype step's verdict and ploidy file are written by its activity, not by its job. */
const ACTIVITY_OUTPUTS: ReadonlySet<string> = new Set([
  KARYOTYPE_OUTPUTS.verdict,
  KARYOTYPE_OUTPUTS.ploidy,
]);

/** The outputs whose sha256 the job writes: those of a step that may be fingerprinted. */
function checksummedOutputs(input: RunStepInput): string[] {
  if (!REUSABLE_KINDS.has(input.kind)) return [];
  return input.outputs.filter((name) => !ACTIVITY_OUTPUTS.has(name));
}

export function jobKey(workflowId: string, runId: string, step: string, attempt: number): string {
  return `${workflowId}/${runId}/${step}/${attempt}`;
}

/** The job's script, key and work folder; its inputs are checked to be what intake saw. */
export async function prepareJob(deps: ActivityDeps, input: RunStepInput) {
  const key = jobKey(input.workflowId, input.runId, input.step, input.attempt);
  const workDir = deps.layout.workDir(
    input.workflowId,
    input.runId,
    input.step,
    String(input.attempt),
  );
  const commands = await stepCommands(deps, input);
  const expected = input.inputIdentities ?? {};
  await refuseChangedInputs(input.inputs, expected);
  const script = renderJobScript({
    key,
    workDir,
    tools: commands.tools,
    lines: commands.lines,
    measureUsage: MEASURED_KINDS.has(input.kind),
    checksumOutputs: checksummedOutputs(input),
    // Checked again by the job itself: on a busy cluster it may start days from now.
    inputChecks: Object.entries(expected).flatMap(([name, identity]) => {
      const file = input.inputs[name];
      return file === undefined ? [] : [{ path: file, ...identity }];
    }),
  });
  const log = deps.logger.child({ workflowId: input.workflowId, sampleId: input.sampleId, key });
  return { key, workDir, script, commands: commandLines(commands.lines), log };
}

/** The step's commands, from its kind, inputs, settings and (when it has one) its pipeline. */
async function stepCommands(deps: ActivityDeps, input: RunStepInput): Promise<StepCommands> {
  const pipeline =
    input.pipelineVersion === null ? null : await deps.pipelines.load(input.pipelineVersion);
  return buildStepCommands({
    kind: input.kind,
    inputs: input.inputs,
    resources: input.resources,
    pipeline: pipeline && { spec: pipeline.spec, reference: pipeline.referenceFasta },
    sampleId: input.sampleId,
    regions: input.regions ?? [],
    outputs: input.outputs,
    ...(input.probe ? { probe: input.probe } : {}),
    ...(input.settings ? { step: input.settings } : {}),
    springBin: deps.config.springBin,
    ...(input.kind === 'frequency-contribution'
      ? { members: await readContributionMembers(input.inputs.members ?? '') }
      : {}),
    engine: {
      node: deps.config.frequency.engineNode,
      script: path.join(PROJECT_ROOT, 'bin', 'harmonise-engine.js'),
    },
  });
}
