/**
 * A step's fingerprint: what its outputs depend on, and nothing else. Two runs of a step with the
 * same fingerprint write the same files, so a later pipeline version may take a published
 * version's outputs instead of running the step again (step reuse).
 *
 * What goes in: the step kind; each tool it runs with the version the tool reported in the job;
 * its command lines as built from the pipeline spec, with every path and resource replaced by a
 * placeholder (so the spec's arguments, and anything harmonise itself adds to the command, count,
 * while where a file lies and how many CPUs the job had do not); the settings its activity acts
 * on; the reference's sequences and MD5s; and the sha256 of every input. This module builds the
 * canonical text (pure); the sha256 of that text is the fingerprint.
 */
import type { StepKind } from './plan.ts';

export const STEP_FINGERPRINT_SCHEMA = 'harmonise.step-fingerprint/v1';

/** Sample steps whose outputs depend only on their fingerprint: the ones a rerun may reuse. */
export const REUSABLE_KINDS: ReadonlySet<StepKind> = new Set<StepKind>([
  'adopt-files',
  'align-bwa',
  'align-minimap2',
  'markdup-cram',
  'karyotype-depth',
  'call-gvcf',
]);

/** Where a path or a resource stood in a command line that is fingerprinted. */
export const PLACEHOLDER = {
  input: (name: string) => `{input:${name}}`,
  reference: '{reference}',
  spring: '{spring}',
} as const;

/** The resources a fingerprinted command is built with: the same for every job of the step. */
export const PLACEHOLDER_RESOURCES = { cpus: 1, memMiB: 1024, timeMinutes: 60 } as const;

export interface StepFingerprintBasis {
  kind: StepKind;
  /** tool → the version the job reported (only the tools the step runs). */
  tools: Readonly<Record<string, string>>;
  /** The command lines, with paths and resources as placeholders. */
  commands: readonly string[];
  /** Settings the step's activity acts on beyond its commands (the stated karyotype). */
  settings: Readonly<Record<string, unknown>>;
  /** The reference's sequences in order: name and MD5. */
  reference: readonly { name: string; md5: string }[];
  /** input name → sha256 of the file. */
  inputs: Readonly<Record<string, string>>;
}

/** Why a basis cannot be fingerprinted, or null if it can. */
export function basisProblem(basis: StepFingerprintBasis): string | null {
  if (!REUSABLE_KINDS.has(basis.kind)) return `a ${basis.kind} step is never reused`;
  for (const [name, sum] of Object.entries(basis.inputs)) {
    if (!/^[0-9a-f]{64}$/.test(sum)) return `input ${name} has no sha256`;
  }
  if (Object.keys(basis.tools).length === 0) return 'the job reported no tool versions';
  for (const [tool, version] of Object.entries(basis.tools)) {
    if (version.trim() === '') return `the job reported no version of ${tool}`;
  }
  return null;
}

/** The text whose sha256 is the step's fingerprint: canonical JSON, keys sorted at every level. */
export function fingerprintText(basis: StepFingerprintBasis): string {
  return canonicalJson({ schema: STEP_FINGERPRINT_SCHEMA, ...basis });
}

/**
 * JSON with object keys sorted at every level and no whitespace; `undefined` members are left
 * out as JSON.stringify leaves them. The same value gives the same text on every machine.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error(`${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
