/**
 * The rules every id must satisfy wherever it enters: the CLI, the API, a workflow's input and
 * every path built under the data root. Plain functions without zod, so that workflow code can
 * check its own input with exactly the rules the edges use (ids.ts builds the zod schemas).
 *
 * An id never carries a personal number: any id containing a CPR-shaped number is refused, and
 * a refused value is described without being repeated (see describeRefusedId).
 */

export const ID_KINDS = [
  'region',
  'submissionId',
  'sampleId',
  'campaignId',
  'releaseId',
  'pipelineVersion',
] as const;
export type IdKind = (typeof ID_KINDS)[number];

/** Submission and sample ids: safe in paths, workflow ids and job names. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const ID_RULES: Readonly<Record<IdKind, { pattern: RegExp; says: string }>> = {
  region: {
    pattern: /^[a-z][a-z0-9-]{1,31}$/,
    says: 'a lower-case region name such as "syddanmark" (a-z, 0-9, -)',
  },
  submissionId: { pattern: ID_PATTERN, says: 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
  sampleId: { pattern: ID_PATTERN, says: 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
  // `20261126T204000Z-rerun-v2-3f9a` (domain/campaign.ts newCampaignId).
  campaignId: {
    pattern: /^[0-9A-Za-z][0-9A-Za-z-]{0,99}$/,
    says: 'a campaign id such as 20261126T204000Z-rerun-v2-3f9a',
  },
  // `20261126T171500.123Z` (client.ts newReleaseId).
  releaseId: {
    pattern: /^\d{8}T\d{6}(\.\d{1,6})?Z$/,
    says: 'a release id such as 20261126T171500.123Z',
  },
  pipelineVersion: {
    pattern: /^[0-9A-Za-z][0-9A-Za-z.-]{0,31}$/,
    says: 'a pipeline version such as 1 or 2.1 (letters, digits, . and -)',
  },
};

const HUMAN_NAME: Readonly<Record<IdKind, string>> = {
  region: 'region',
  submissionId: 'submission id',
  sampleId: 'sample id',
  campaignId: 'campaign id',
  releaseId: 'release id',
  pipelineVersion: 'pipeline version',
};

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
/** Characters that may stand between a CPR number's date and its four digits. */
const CPR_SEPARATORS = new Set(['-', '_', '.', ' ', '/']);

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/**
 * Six digits that form a valid DDMMYY at `at` (the day may also be 61-91: the replacement
 * numbers issued to people without a CPR number add 60 to the day).
 */
function cprDateAt(text: string, at: number): boolean {
  for (let i = at; i < at + 6; i++) if (!isDigit(text[i])) return false;
  const day = Number(text.slice(at, at + 2));
  const month = Number(text.slice(at + 2, at + 4));
  if (month < 1 || month > 12) return false;
  const max = DAYS_IN_MONTH[month - 1]!;
  const plain = day >= 1 && day <= max;
  const replacement = day >= 61 && day <= 60 + max;
  return plain || replacement;
}

/** Where CPR-shaped numbers stand in `text`: [start, end) of each, left to right. */
export function findCprNumbers(text: string): [number, number][] {
  const found: [number, number][] = [];
  for (let i = 0; i + 10 <= text.length; i++) {
    if (!cprDateAt(text, i)) continue;
    let j = i + 6;
    if (CPR_SEPARATORS.has(text[j] ?? '')) j += 1;
    let digits = 0;
    while (digits < 4 && isDigit(text[j + digits])) digits += 1;
    if (digits === 4) {
      found.push([i, j + 4]);
      i = j + 3;
    }
  }
  return found;
}

/** The text with each CPR-shaped number replaced by what `by` makes of it. */
export function replaceCprNumbers(text: string, by: (number: string) => string): string {
  const found = findCprNumbers(text);
  if (found.length === 0) return text;
  let out = '';
  let from = 0;
  for (const [start, end] of found) {
    out += text.slice(from, start) + by(text.slice(start, end));
    from = end;
  }
  return out + text.slice(from);
}

/**
 * Whether the text contains a CPR-shaped number: six digits that form a valid DDMMYY, an
 * optional separator (- _ . space /), four digits. Anywhere in the text, not only all of it: a
 * personal number inside a longer id is still a personal number.
 */
export function containsCpr(text: string): boolean {
  return findCprNumbers(text).length > 0;
}

/** Why `value` is not a valid id of its kind, or null when it is. Never repeats a CPR number. */
export function idProblem(kind: IdKind, value: unknown): string | null {
  const name = HUMAN_NAME[kind];
  if (typeof value !== 'string') return `the ${name} must be a string`;
  if (containsCpr(value)) {
    return `the ${name} contains what looks like a CPR number: ids must not carry personal identifiers`;
  }
  const rule = ID_RULES[kind];
  if (!rule.pattern.test(value))
    return `the ${name} ${describeRefusedId(value)} is not valid: ${rule.says}`;
  return null;
}

/** A refused value for a message: quoted and clipped, or not shown when it holds a CPR number. */
export function describeRefusedId(value: string): string {
  if (containsCpr(value)) return '(not shown: it contains a CPR-shaped number)';
  const clipped = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(clipped);
}

export function isValidId(kind: IdKind, value: unknown): value is string {
  return idProblem(kind, value) === null;
}

/**
 * The first problem with a set of ids, as `{ kind, problem }`, or null when every one is valid.
 * Used by workflows to check their input, and by the layout before it builds a path.
 */
export function firstIdProblem(
  ids: Partial<Record<IdKind, unknown>>,
): { kind: IdKind; problem: string } | null {
  for (const kind of ID_KINDS) {
    if (!(kind in ids)) continue;
    const problem = idProblem(kind, ids[kind]);
    if (problem !== null) return { kind, problem };
  }
  return null;
}

/** The failure type of an invalid id, in workflows and activities alike. */
export const INVALID_ID = 'INVALID_ID';
