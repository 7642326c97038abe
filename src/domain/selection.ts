/**
 * A campaign's selection over the catalogue: clauses joined by commas, all of which must hold,
 * each `field=value` or `field!=value`, where a value may list alternatives with `|`:
 * `region=syddanmark|midtjylland,mode=none,pipelineVersion!=2`. Fields look at a sample's
 * current version (currentVersion); a sample with no version has only its identity.
 */
import type { SampleRecord, SampleVersion } from './sample-record.ts';

export const SELECTION_FIELDS = [
  'sampleId',
  'region',
  'readType',
  'mode',
  'pipelineVersion',
  'status',
  'consent',
] as const;
export type SelectionField = (typeof SELECTION_FIELDS)[number];

export interface SelectionClause {
  field: SelectionField;
  negated: boolean;
  values: string[];
}

export type ParsedSelection =
  { ok: true; clauses: SelectionClause[] } | { ok: false; message: string };

const VALUE = /^[A-Za-z0-9._-]+$/;

export function parseSelection(text: string): ParsedSelection {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'the selection is empty' };
  const clauses: SelectionClause[] = [];
  for (const [i, raw] of trimmed.split(',').entries()) {
    const part = raw.trim();
    const match = /^([A-Za-z]+)\s*(!=|=)\s*(.*)$/.exec(part);
    if (!match) {
      return {
        ok: false,
        message: `clause ${i + 1} "${part}" is not field=value or field!=value`,
      };
    }
    const [, field = '', operator, valueText = ''] = match;
    if (!(SELECTION_FIELDS as readonly string[]).includes(field)) {
      return {
        ok: false,
        message: `clause ${i + 1}: unknown field "${field}" (known: ${SELECTION_FIELDS.join(', ')})`,
      };
    }
    const values = valueText.split('|').map((v) => v.trim());
    const bad = values.find((v) => !VALUE.test(v));
    if (bad !== undefined) {
      return {
        ok: false,
        message: `clause ${i + 1}: "${bad}" is not a value (letters, digits, . _ - only)`,
      };
    }
    clauses.push({ field: field as SelectionField, negated: operator === '!=', values });
  }
  return { ok: true, clauses };
}

/**
 * The version a sample is known by now: the one published last, leaving out benchmark runs
 * (a `noop` pipeline publishes nothing), unless there is nothing else.
 */
export function currentVersion(record: SampleRecord): SampleVersion | null {
  // Real versions rank above benchmark runs; within each, the later publication wins.
  const rank = (v: SampleVersion) => `${v.status === 'benchmark' ? 0 : 1}${v.publishedAt}`;
  let latest: SampleVersion | null = null;
  for (const version of Object.values(record.versions)) {
    if (latest === null || rank(version) > rank(latest)) latest = version;
  }
  return latest;
}

function fieldValue(record: SampleRecord, field: SelectionField): string | null {
  const version = currentVersion(record);
  switch (field) {
    case 'sampleId':
      return record.sampleId;
    case 'region':
      return record.region;
    case 'readType':
      return record.readType;
    case 'consent':
      if (record.consent.withdrawnAt) return 'withdrawn';
      return record.consent.research ? 'research' : 'clinical';
    case 'mode':
      return version?.mode ?? null;
    case 'pipelineVersion':
      return version?.pipelineVersion ?? null;
    case 'status':
      return version?.status ?? null;
  }
}

export function matchesSelection(record: SampleRecord, clauses: readonly SelectionClause[]) {
  return clauses.every((clause) => {
    const value = fieldValue(record, clause.field);
    const listed = value !== null && clause.values.includes(value);
    return clause.negated ? !listed : listed;
  });
}
