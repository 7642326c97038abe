/**
 * Every generated doc, in memory and formatted as prettier would leave it (so `prettier
 * --check .` passes on them): what `npm run docs:generate` writes and what the test compares.
 */
import path from 'node:path';
import prettier from 'prettier';
import { PROJECT_ROOT } from '../../src/config.ts';
import { CONFIGURATION_DOC, configurationDoc } from './configuration.ts';
import { SCHEMAS_DIR, schemaFiles, schemasReadme } from './schemas.ts';

/** Prose is wrapped at the print width, as the hand-written docs are. */
async function formatted(file: string, text: string): Promise<string> {
  const filepath = path.join(PROJECT_ROOT, file);
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(text, { ...options, filepath, proseWrap: 'always' });
}

/** Path from the repository root → contents, sorted by path. */
export async function generatedDocs(): Promise<Map<string, string>> {
  const raw = new Map<string, string>([
    [CONFIGURATION_DOC, configurationDoc()],
    [`${SCHEMAS_DIR}/README.md`, schemasReadme()],
    ...[...schemaFiles()].map(([name, text]) => [`${SCHEMAS_DIR}/${name}`, text] as const),
  ]);
  const docs = new Map<string, string>();
  for (const file of [...raw.keys()].sort()) docs.set(file, await formatted(file, raw.get(file)!));
  return docs;
}
