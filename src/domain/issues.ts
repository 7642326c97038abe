/**
 * Problems found in input, as data: a stable `code`, the JSON path or file it concerns, and a
 * message a person can act on. Shared by the manifest schema, intake validation and the CLI.
 */
import type { z } from 'zod';
import { replaceCprNumbers } from './id-rules.ts';

export interface InputIssue {
  code: string;
  path: string;
  message: string;
}

/** Messages are kept short: they travel through workflow history and into every status. */
export const MAX_MESSAGE_CHARS = 1000;
/** At most this many issues are kept for one submission or sample; one more says how many were left out. */
export const MAX_ISSUES = 50;

/** A message (or a value shown in one) cut to `max` characters. */
export function clipMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The text with every CPR-shaped number replaced: statuses and records never hold one. */
export function withoutPersonalNumbers(text: string): string {
  return replaceCprNumbers(text, () => '[personal number removed]');
}

/**
 * The first `max` issues, messages clipped and without personal numbers, and, when more were found, one `TOO_MANY_ERRORS`
 * issue saying how many: a manifest with 100,000 unknown fields is reported in a few kilobytes.
 */
export function boundIssues(issues: readonly InputIssue[], max = MAX_ISSUES): InputIssue[] {
  // Bounding twice changes nothing: an earlier count of the left-out issues is carried on.
  let hidden = 0;
  const real: InputIssue[] = [];
  for (const issue of issues) {
    if (issue.code === TOO_MANY_ERRORS)
      hidden += Number(/^(\d+) more/.exec(issue.message)?.[1] ?? 0);
    else real.push(issue);
  }
  hidden += Math.max(0, real.length - max);
  const kept = real.slice(0, max).map((issue) => ({
    code: issue.code,
    path: withoutPersonalNumbers(clipMessage(issue.path, 200)),
    message: withoutPersonalNumbers(clipMessage(issue.message)),
  }));
  if (hidden > 0) {
    kept.push({
      code: TOO_MANY_ERRORS,
      path: '$',
      message: `${hidden} more problems are not shown; fix these first`,
    });
  }
  return kept;
}

const TOO_MANY_ERRORS = 'TOO_MANY_ERRORS';

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
          path: clipMessage(formatJsonPath([...issue.path, key]), 200),
          message: `unknown field ${JSON.stringify(clipMessage(key, 64))}`,
        });
      }
      continue;
    }
    result.push({
      code: codeFor(prefix, issue),
      path: clipMessage(formatJsonPath(issue.path), 200),
      message: clipMessage(issue.message),
    });
  }
  return boundIssues(result);
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
