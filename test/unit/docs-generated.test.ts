/**
 * The generated docs (docs/configuration.md, docs/schemas/) are what `npm run docs:generate`
 * writes from today's code, and the tables they are generated from cover the code: every
 * HARMONISE_* variable and every harmonise.*\/v1 format that src/ names, with true defaults.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROJECT_ROOT, loadConfig } from '../../src/config.ts';
import { CONFIG_SECTIONS, VARIABLES_READ_ELSEWHERE } from '../../src/config-variables.ts';
import { configSettings, settingSchema } from '../../tools/docs/configuration.ts';
import { DOCUMENT_FORMATS } from '../../tools/docs/document-formats.ts';
import { generatedDocs } from '../../tools/docs/generated-docs.ts';
import { SCHEMAS_DIR, SCHEMA_SUFFIX } from '../../tools/docs/schemas.ts';

const REGENERATE = 'run `npm run docs:generate` and commit the result';

/** Names that look like variables but are not read from the environment. */
const NOT_VARIABLES = new Set([
  'HARMONISE_VERSION', // a constant in src/api/wes-service-info.ts
]);

const CONFIG_VARIABLES = CONFIG_SECTIONS.flatMap((section) => section.variables);

async function readIfExists(file: string): Promise<string | null> {
  return fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}

/** Every .ts file under src/, by path from the repository root. */
async function sources(dir = 'src'): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await fs.readdir(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) for (const [f, text] of await sources(file)) out.set(f, text);
    else if (entry.name.endsWith('.ts'))
      out.set(file, await fs.readFile(path.join(PROJECT_ROOT, file), 'utf8'));
  }
  return out;
}

function namedIn(texts: Iterable<string>, pattern: RegExp): Set<string> {
  return new Set([...texts].flatMap((text) => [...text.matchAll(pattern)].map((m) => m[0])));
}

/** Where two texts first differ, so that a stale file says what changed. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1} is ${JSON.stringify(a[at] ?? '(end of file)')}, generated ${JSON.stringify(b[at] ?? '(end of file)')}`;
}

function valueAt(config: unknown, setting: string): unknown {
  return setting
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

describe('the generated docs', () => {
  it('are what npm run docs:generate writes', async () => {
    const docs = await generatedDocs();
    const problems: string[] = [];
    for (const [file, text] of docs) {
      const committed = await readIfExists(path.join(PROJECT_ROOT, file));
      if (committed === null) problems.push(`${file} is missing: ${REGENERATE}`);
      else if (committed !== text)
        problems.push(`${file} is stale (${firstDifference(committed, text)}): ${REGENERATE}`);
    }
    const present = await fs.readdir(path.join(PROJECT_ROOT, SCHEMAS_DIR)).catch(() => []);
    for (const name of present) {
      const file = `${SCHEMAS_DIR}/${name}`;
      if (name.endsWith(SCHEMA_SUFFIX) && !docs.has(file))
        problems.push(`${file} belongs to no format: ${REGENERATE} (it removes the file)`);
    }
    expect(problems).toEqual([]);
  });

  it('list every HARMONISE_* variable that src/ names, and no other', async () => {
    const named = namedIn((await sources()).values(), /\bHARMONISE_[A-Z][A-Z0-9_]*\b/g);
    for (const name of NOT_VARIABLES) named.delete(name);
    const listed = new Set<string>(
      [...CONFIG_VARIABLES, ...VARIABLES_READ_ELSEWHERE].map((v) => v.name),
    );
    expect(named.size).toBeGreaterThan(40);
    expect([...named].filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed].filter((name) => !named.has(name))).toEqual([]);
  });

  it('say truly where each variable is read', async () => {
    // loadConfig reads them in config.ts, the Temporal ones in config-temporal.ts.
    const config = (
      await Promise.all(
        ['config.ts', 'config-temporal.ts'].map((file) =>
          fs.readFile(path.join(PROJECT_ROOT, 'src', file), 'utf8'),
        ),
      )
    ).join('\n');
    const notInConfig = CONFIG_VARIABLES.filter((v) => !config.includes(`env.${v.name}`));
    expect(notInConfig.map((v) => v.name)).toEqual([]);
    const files = await sources();
    const wrong = VARIABLES_READ_ELSEWHERE.flatMap((v) =>
      v.readIn.filter((file) => !files.get(file)?.includes(v.name)).map((f) => `${v.name}: ${f}`),
    );
    expect(wrong).toEqual([]);
  });

  it('give every setting of configSchema exactly one variable', () => {
    const described = CONFIG_VARIABLES.flatMap((v) => (v.setting === null ? [] : [v.setting]));
    expect(described.sort()).toEqual(configSettings().sort());
  });

  it('give the fixed defaults loadConfig gives', () => {
    const config = loadConfig({});
    const wrong = CONFIG_VARIABLES.flatMap((v) =>
      v.setting !== null && 'value' in v.default
        ? [{ name: v.name, documented: v.default.value, actual: valueAt(config, v.setting) }]
        : [],
    ).filter((d) => JSON.stringify(d.documented) !== JSON.stringify(d.actual));
    expect(wrong).toEqual([]);
  });

  it('name the setting each numeric or enumerated variable fills', () => {
    // A value of the right type, and unlike any default, must arrive at the setting named.
    const wrong: string[] = [];
    for (const v of CONFIG_VARIABLES) {
      if (v.setting === null) continue;
      const schema = settingSchema(v.setting);
      const json = z.toJSONSchema(schema, { io: 'input' }) as { type?: unknown; enum?: unknown };
      const values = Array.isArray(json.enum) ? json.enum.map(String) : [];
      const probe =
        json.type === 'integer' || json.type === 'number' ? '7' : values[values.length - 1];
      if (probe === undefined) continue;
      const got = valueAt(loadConfig({ [v.name]: probe }), v.setting);
      if (String(got) !== probe) wrong.push(`${v.name}=${probe} gave ${v.setting} ${String(got)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('list every harmonise.*/v1 format that src/ names, with files that exist', async () => {
    const files = await sources();
    const named = namedIn(files.values(), /harmonise\.[a-z-]+\/v1/g);
    const listed = new Set(DOCUMENT_FORMATS.map((f) => f.format));
    expect([...named].sort()).toEqual([...listed].sort());
    const wrong = DOCUMENT_FORMATS.flatMap((f) => [
      ...(f.writtenBy.startsWith('src/') && !files.has(f.writtenBy) ? [f.writtenBy] : []),
      ...(f.schema && !files.get(f.schema.definedIn)?.includes(`export const ${f.schema.name} =`)
        ? [`${f.schema.name} in ${f.schema.definedIn}`]
        : []),
    ]);
    expect(wrong).toEqual([]);
  });
});
