/**
 * docs/configuration.md, from the variables table (src/config-variables.ts) and the types of
 * the settings they fill (configSchema in src/config.ts).
 */
import { z } from 'zod';
import { configSchema } from '../../src/config.ts';
import {
  CONFIG_SECTIONS,
  VARIABLES_READ_ELSEWHERE,
  type ConfigVariable,
  type VariableDefault,
} from '../../src/config-variables.ts';
import { code, generatedNotice, table } from './markdown.ts';

export const CONFIGURATION_DOC = 'docs/configuration.md';

/** The zod schema of one setting, by its dotted path (`temporal.address`). */
export function settingSchema(setting: string): z.ZodType {
  let schema: z.ZodType = configSchema;
  for (const key of setting.split('.')) {
    const next: z.ZodType | undefined =
      schema instanceof z.ZodObject
        ? (schema.shape as Record<string, z.ZodType | undefined>)[key]
        : undefined;
    if (next === undefined) throw new Error(`configSchema has no setting ${setting}`);
    schema = next;
  }
  return schema;
}

/** Every leaf setting of configSchema, as dotted paths. */
export function configSettings(schema: z.ZodType = configSchema, prefix = ''): string[] {
  if (!(schema instanceof z.ZodObject)) return [prefix.slice(0, -1)];
  return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, inner]) =>
    configSettings(inner, `${prefix}${key}.`),
  );
}

/** The type of a variable in words: its format if it has one, else its setting's type. */
function typeOf(variable: ConfigVariable): string {
  if (variable.format !== undefined) return variable.format;
  if (variable.setting === null) return 'string';
  const json = z.toJSONSchema(settingSchema(variable.setting), { io: 'input' }) as Record<
    string,
    unknown
  >;
  if (Array.isArray(json.enum)) return `one of ${json.enum.map((v) => code(String(v))).join(', ')}`;
  const types = [json.type].flat().filter((t) => t !== 'null');
  const type = types.length === 1 ? types[0] : undefined;
  if (type === 'integer' || type === 'number') return numberRange(type, json);
  if ((type === 'string' && json.pattern === undefined) || type === 'boolean') return type;
  throw new Error(
    `no words for the type of ${variable.name} (${JSON.stringify(json)}): give it a format in src/config-variables.ts`,
  );
}

function numberRange(type: 'integer' | 'number', json: Record<string, unknown>): string {
  const num = (key: string) => (typeof json[key] === 'number' ? json[key] : undefined);
  const exclusive = num('exclusiveMinimum');
  let low = num('minimum');
  if (exclusive !== undefined && type === 'integer') low = exclusive + 1;
  const max = num('maximum');
  const high = max !== undefined && max < Number.MAX_SAFE_INTEGER ? max : undefined;
  if (low !== undefined && high !== undefined) return `${type}, ${low}–${high}`;
  if (low !== undefined) return `${type} ≥ ${low}`;
  if (exclusive !== undefined) return `${type} > ${exclusive}`;
  return type;
}

function defaultOf(fallback: VariableDefault): string {
  if ('computed' in fallback) return fallback.computed;
  const { value } = fallback;
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(code).join(', ');
  return code(value as string | number | boolean);
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : 1);

export function configurationDoc(): string {
  const sections = CONFIG_SECTIONS.map(({ title, variables }) =>
    [
      `## ${title}`,
      table(
        ['variable', 'type', 'default', 'setting', 'meaning'],
        [...variables]
          .sort(byName)
          .map((v) => [
            code(v.name),
            typeOf(v),
            defaultOf(v.default),
            v.setting === null ? 'not a setting' : code(v.setting),
            v.meaning,
          ]),
      ),
    ].join('\n\n'),
  );
  const elsewhere = table(
    ['variable', 'read in', 'meaning'],
    [...VARIABLES_READ_ELSEWHERE]
      .sort(byName)
      .map((v) => [code(v.name), v.readIn.map((file) => code(file)).join(', '), v.meaning]),
  );
  return [
    '# Configuration',
    generatedNotice('src/config-variables.ts and src/config.ts'),
    'harmonise reads its configuration from environment variables once, at start-up, and ' +
      'validates it (`loadConfig` in src/config.ts): a value that does not fit stops harmonise ' +
      'with `CONFIG_INVALID`, naming the setting. Every variable is optional: unset, it takes ' +
      'its default, and the defaults give the embedded stack on one machine. The _setting_ is ' +
      'the field of the validated configuration (`Config`) that the variable fills.',
    'The files harmonise reads and writes (the policy, pipeline specs, manifests, records) ' +
      'are described in [schemas/README.md](schemas/README.md).',
    ...sections,
    '## Read outside config.ts',
    'The files named read these variables themselves, besides or instead of the configuration.',
    elsewhere,
  ].join('\n\n');
}
