/**
 * The official Beacon v2 JSON schemas (vendor/beacon-v2, with the VRS 1.3 schema they reference,
 * vendor/ga4gh-vrs-1.3), compiled once with ajv, to check this Beacon's answers against.
 *
 * The files are verbatim copies. They have no `$id`: each is added under the URL it has in the
 * Beacon repository (…/beacon-v2/main/<path>), so that relative `$ref`s and the absolute ones to
 * raw.githubusercontent.com resolve to the vendored copies, and VRS under its w3id.org URL. Nothing
 * is fetched: a `$ref` to a file not vendored fails compilation.
 *
 * The framework's resultset schema types `results` as plain objects, so each result of a
 * `resultsets` answer is also checked against the genomicVariations defaultSchema here.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT } from '../../src/config.ts';

const BEACON_DIR = path.join(PROJECT_ROOT, 'vendor', 'beacon-v2');
const BEACON_URL = 'https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main';
const VRS_FILE = path.join(PROJECT_ROOT, 'vendor', 'ga4gh-vrs-1.3', 'schema', 'vrs.json');
const VRS_URL = 'https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json';

const RESPONSES = 'framework/json/responses';
const KINDS = {
  info: `${RESPONSES}/beaconInfoResponse.json`,
  map: `${RESPONSES}/beaconMapResponse.json`,
  configuration: `${RESPONSES}/beaconConfigurationResponse.json`,
  entryTypes: `${RESPONSES}/beaconEntryTypesResponse.json`,
  boolean: `${RESPONSES}/beaconBooleanResponse.json`,
  count: `${RESPONSES}/beaconCountResponse.json`,
  resultsets: `${RESPONSES}/beaconResultsetsResponse.json`,
  error: `${RESPONSES}/beaconErrorResponse.json`,
} as const;
export type BeaconKind = keyof typeof KINDS;
const GENOMIC_VARIANT = 'models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json';

function jsonFiles(dir: string, under = ''): string[] {
  return fs.readdirSync(path.join(dir, under), { withFileTypes: true }).flatMap((entry) => {
    const relative = under === '' ? entry.name : `${under}/${entry.name}`;
    if (entry.isDirectory()) return jsonFiles(dir, relative);
    return entry.name.endsWith('.json') ? [relative] : [];
  });
}

interface Compiled {
  kinds: Record<BeaconKind, ValidateFunction>;
  genomicVariant: ValidateFunction;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  // strict off: the schemas use annotations ajv does not know (`example`, VRS's `discriminator`).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // VRS 1.3 is draft-07; its keywords mean the same under 2020-12's rules.
  ajv.addMetaSchema(
    createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as object,
  );
  ajv.addSchema(JSON.parse(fs.readFileSync(VRS_FILE, 'utf8')) as object, VRS_URL);
  for (const file of jsonFiles(BEACON_DIR)) {
    const schema = JSON.parse(fs.readFileSync(path.join(BEACON_DIR, file), 'utf8')) as object;
    ajv.addSchema(schema, `${BEACON_URL}/${file}`);
  }
  const get = (file: string) => {
    const validate = ajv.getSchema(`${BEACON_URL}/${file}`);
    if (!validate) throw new Error(`${file} is not vendored`);
    return validate;
  };
  const kinds = Object.fromEntries(
    Object.entries(KINDS).map(([kind, file]) => [kind, get(file)]),
  ) as Record<BeaconKind, ValidateFunction>;
  return { kinds, genomicVariant: get(GENOMIC_VARIANT) };
}

function messages(errors: ErrorObject[] | null | undefined, prefix: string): string[] {
  return (errors ?? []).map(
    (e) =>
      `${prefix}${e.instancePath || '/'}: ${e.message ?? e.keyword} (${e.schemaPath}${
        Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : ''
      })`,
  );
}

/** What is wrong with a genomicVariant record by the genomicVariations defaultSchema. */
export function validateGenomicVariant(record: unknown, where = ''): string[] {
  compiled ??= compile();
  return compiled.genomicVariant(record) ? [] : messages(compiled.genomicVariant.errors, where);
}

/**
 * What is wrong with a Beacon answer by the Beacon v2 schema of its kind (empty: valid). Each
 * message names the failing path (a JSON pointer into the answer) and the schema rule.
 */
export function validateBeacon(kind: BeaconKind, body: unknown): string[] {
  compiled ??= compile();
  const validate = compiled.kinds[kind];
  const problems = validate(body) ? [] : messages(validate.errors, '');
  if (kind === 'resultsets') {
    const sets = (body as { response?: { resultSets?: { results?: unknown[] }[] } }).response
      ?.resultSets;
    (sets ?? []).forEach((set, i) =>
      (set.results ?? []).forEach((result, j) =>
        problems.push(...validateGenomicVariant(result, `/response/resultSets/${i}/results/${j}`)),
      ),
    );
  }
  return problems;
}
