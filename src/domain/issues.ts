/**
 * Problems found in input, as data: a stable `code`, the JSON path or file it concerns, and a
 * message a person can act on. Shared by the manifest schema, intake validation and the CLI.
 */
import type { z } from 'zod';

export interface InputIssue {
  code: string;
  path: string;
  message: string;
}

/** `['samples', 0, 'files', 1, 'md5']` → `samples[0].files[1].md5`. */
export function formatJsonPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '$' : out;
}

/** Maps zod's issue kinds to stable codes; refinements carry their own code in `params.code`. */
export function zodIssuesToInputIssues(
  prefix: string,
  issues: readonly z.core.$ZodIssue[],
): InputIssue[] {
  const result: InputIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      // One issue per unknown field, each with its own path.
      for (const key of issue.keys) {
        result.push({
          code: `${prefix}_UNKNOWN_FIELD`,
          path: formatJsonPath([...issue.path, key]),
          message: `unknown field "${key}"`,
        });
      }
      continue;
    }
    result.push({
      code: codeFor(prefix, issue),
      path: formatJsonPath(issue.path),
      message: issue.message,
    });
  }
  return result;
}

function codeFor(prefix: string, issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') {
    const code = (issue.params as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return code;
    return `${prefix}_INVALID`;
  }
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? `${prefix}_MISSING_FIELD` : `${prefix}_INVALID_TYPE`;
  }
  if (issue.code === 'invalid_value') return `${prefix}_INVALID_VALUE`;
  if (issue.code === 'invalid_format') return `${prefix}_INVALID_FORMAT`;
  if (issue.code === 'too_small' || issue.code === 'too_big') return `${prefix}_OUT_OF_RANGE`;
  return `${prefix}_INVALID`;
}
