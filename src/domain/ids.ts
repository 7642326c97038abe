/** zod schemas of the ids (the rules themselves are in id-rules.ts, shared with workflow code). */
import { z } from 'zod';
import { ID_RULES, containsCpr, type IdKind } from './id-rules.ts';

/** Whether the id is CPR-shaped or contains a CPR-shaped number. */
export function looksLikeCpr(id: string): boolean {
  return containsCpr(id);
}

const CPR_REFINEMENT = {
  message: 'contains what looks like a CPR number: ids must not carry personal identifiers',
  params: { code: 'ID_LOOKS_LIKE_CPR' },
} as const;

/**
 * The schema of one kind of id: its pattern (which the OpenAPI document shows), and never a
 * personal number.
 */
export function idSchemaOf(kind: IdKind) {
  const rule = ID_RULES[kind];
  return z
    .string()
    .regex(rule.pattern, rule.says)
    .refine((id) => !containsCpr(id), CPR_REFINEMENT);
}

/** Submission and sample ids: safe in paths, workflow ids and job names. */
export const idSchema = idSchemaOf('sampleId');
