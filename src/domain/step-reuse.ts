/**
 * Which of a sample's plan steps a rerun may take from an earlier published version instead of
 * running them (pure). A step is reusable when an earlier version ran a step with the same
 * fingerprint (step-fingerprint.ts) and every output the new version needs from it is still
 * published there; a step whose outputs nobody needs as files (the aligned BAM, when its duplicate
 * marking is reused too) is reused without its files.
 *
 * Fingerprints are worked out in plan order: a step's inputs are submitted files (their sha256
 * from intake) or outputs of earlier steps (their sha256 as the earlier version recorded them, for
 * a step that matched). Then, from the last step back, a matched step is kept only if each output
 * a running step or the publication reads is available; otherwise it runs, and what it reads is
 * needed in turn.
 */
import type { PlanStep, SamplePlan } from './plan.ts';

/** Whether a rerun may take steps from earlier versions (`steps`, the default) or runs all. */
export const REUSE_CHOICES = ['steps', 'none'] as const;
export type ReuseChoice = (typeof REUSE_CHOICES)[number];

/**
 * The small job a rerun with reuse runs first: only the version lines every job writes, for every
 * tool, on the cluster that would run the steps.
 */
export const VERSIONS_STEP: PlanStep = {
  name: 'versions',
  kind: 'tool-versions',
  inputs: {},
  outputs: [],
  resources: { cpus: 1, memMiB: 256, timeMinutes: 10 },
};

/**
 * What a sample's plan steps came to: how many ran a job and how many were reused; the CPU time
 * the jobs that ran measured, and what the reused ones had cost when they ran.
 */
export interface StepTally {
  run: number;
  reused: number;
  cpuSecondsRun: number;
  cpuSecondsSaved: number;
}

/** An earlier version's step with its fingerprint, as its provenance recorded it. */
export interface ReuseCandidate {
  /** The pipeline version it was published under. */
  version: string;
  step: string;
  fingerprint: string;
  /** output name → sha256, for every output the step wrote. */
  outputs: Record<string, string>;
  /** output name → the published file holding it (with that sha256), for outputs still there. */
  published: Record<string, string>;
  /** The step's CPU seconds, when its job measured them. */
  cpuSeconds: number | null;
}

export interface ReusedStep<C extends ReuseCandidate = ReuseCandidate> {
  from: C;
  /** The outputs to link into the new version, by name: the published file each comes from. */
  materialise: Record<string, string>;
}

export interface StepReuseDecision<C extends ReuseCandidate = ReuseCandidate> {
  step: string;
  /** Null when an input's sha256 is not known beforehand (an earlier step must run first). */
  fingerprint: string | null;
  reuse: ReusedStep<C> | null;
  /**
   * The output checksums later steps were judged on: an earlier version's, when one had the
   * fingerprint. A step that runs although it matched must write these, or later steps run too.
   */
  expectedOutputs: Record<string, string> | null;
  /** Why the step runs (or that it is reused), for the log and the status. */
  reason: string;
}

export interface StepReuseArgs<C extends ReuseCandidate = ReuseCandidate> {
  steps: readonly PlanStep[];
  publish: SamplePlan['publish'];
  /** sha256 of each submitted file, by its absolute path. */
  submittedSha256: Readonly<Record<string, string>>;
  /** The fingerprint of a step given its inputs' sha256, or null if it cannot have one. */
  fingerprintOf: (step: PlanStep, inputSha256: Record<string, string>) => string | null;
  /** Earlier versions' steps by fingerprint, the most recent version first. */
  candidates: ReadonlyMap<string, readonly C[]>;
}

/** The sha256 of a step's inputs, or the name of the first input whose sha256 is not known. */
export function inputSha256(
  step: PlanStep,
  submitted: Readonly<Record<string, string>>,
  outputs: Readonly<Record<string, Readonly<Record<string, string>> | undefined>>,
): { ok: true; sha256: Record<string, string> } | { ok: false; missing: string } {
  const sha256: Record<string, string> = {};
  for (const [name, input] of Object.entries(step.inputs)) {
    const sum = 'path' in input ? submitted[input.path] : outputs[input.fromStep]?.[input.output];
    if (sum === undefined) return { ok: false, missing: name };
    sha256[name] = sum;
  }
  return { ok: true, sha256 };
}

export function planStepReuse<C extends ReuseCandidate>(
  args: StepReuseArgs<C>,
): StepReuseDecision<C>[] {
  const matched = matchSteps(args);
  // Outputs that must exist as files: what the publication takes and what running steps read.
  const needed = new Map<string, Set<string>>();
  const need = (step: string, output: string) => {
    const set = needed.get(step) ?? new Set<string>();
    set.add(output);
    needed.set(step, set);
  };
  for (const ref of Object.values(args.publish)) if (ref) need(ref.fromStep, ref.output);

  const decisions: StepReuseDecision<C>[] = [];
  for (let i = args.steps.length - 1; i >= 0; i--) {
    const step = args.steps[i]!;
    const match = matched[i]!;
    const wanted = [...(needed.get(step.name) ?? [])];
    const reuse = match.candidates.length > 0 ? pickCandidate(match.candidates, wanted) : null;
    if (reuse) {
      decisions.push({
        step: step.name,
        fingerprint: match.fingerprint,
        reuse,
        expectedOutputs: match.candidates[0]?.outputs ?? null,
        reason: `same fingerprint as step ${reuse.from.step} of version ${reuse.from.version}`,
      });
      continue;
    }
    for (const input of Object.values(step.inputs)) {
      if ('fromStep' in input) need(input.fromStep, input.output);
    }
    decisions.push({
      step: step.name,
      fingerprint: match.fingerprint,
      reuse: null,
      expectedOutputs: match.candidates[0]?.outputs ?? null,
      reason:
        match.candidates.length > 0
          ? `an output it must leave (${wanted.join(', ')}) is not published by any earlier version that ran it`
          : match.reason,
    });
  }
  return decisions.reverse();
}

interface StepMatch<C extends ReuseCandidate> {
  fingerprint: string | null;
  candidates: readonly C[];
  reason: string;
}

/** In plan order: each step's fingerprint, and the earlier steps that had it. */
function matchSteps<C extends ReuseCandidate>(args: StepReuseArgs<C>): StepMatch<C>[] {
  const knownOutputs: Record<string, Record<string, string>> = {};
  return args.steps.map((step) => {
    const inputs = inputSha256(step, args.submittedSha256, knownOutputs);
    if (!inputs.ok)
      return {
        fingerprint: null,
        candidates: [],
        reason: `the sha256 of its input ${inputs.missing} is known only once it has run`,
      };
    const fingerprint = args.fingerprintOf(step, inputs.sha256);
    if (fingerprint === null)
      return { fingerprint: null, candidates: [], reason: `a ${step.kind} step is never reused` };
    const all = args.candidates.get(fingerprint) ?? [];
    const first = all[0];
    if (first === undefined)
      return {
        fingerprint,
        candidates: [],
        reason: 'no earlier version ran it with this fingerprint',
      };
    // Same fingerprint, same outputs; a candidate that wrote others (a tool that is not
    // deterministic after all) is left out, so later steps are judged on one set of checksums.
    knownOutputs[step.name] = first.outputs;
    const candidates = all.filter((c) => sameChecksums(c.outputs, first.outputs));
    return { fingerprint, candidates, reason: '' };
  });
}

/** The most recent candidate that still publishes every wanted output with its checksum. */
function pickCandidate<C extends ReuseCandidate>(
  candidates: readonly C[],
  wanted: readonly string[],
): ReusedStep<C> | null {
  for (const from of candidates) {
    const materialise: Record<string, string> = {};
    let complete = true;
    for (const output of wanted) {
      const file = from.published[output];
      if (file === undefined) {
        complete = false;
        break;
      }
      materialise[output] = file;
    }
    if (complete) return { from, materialise };
  }
  return null;
}

/** Whether two sets of output checksums (name → sha256) are the same. */
export function sameChecksums(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!b) return false;
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => a[name] === b[name]);
}
