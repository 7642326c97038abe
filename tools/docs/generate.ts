/**
 * `npm run docs:generate`: writes docs/configuration.md and docs/schemas/ from the code, and
 * removes schema files whose format is gone. test/unit/docs-generated.test.ts fails until the
 * committed files are what this writes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config.ts';
import { writeFileAtomic } from '../../src/store/atomic.ts';
import { generatedDocs } from './generated-docs.ts';
import { SCHEMAS_DIR, SCHEMA_SUFFIX } from './schemas.ts';

const docs = await generatedDocs();
for (const [file, text] of docs) {
  await fs.mkdir(path.dirname(path.join(PROJECT_ROOT, file)), { recursive: true });
  await writeFileAtomic(path.join(PROJECT_ROOT, file), text);
}
for (const name of await fs.readdir(path.join(PROJECT_ROOT, SCHEMAS_DIR))) {
  const file = `${SCHEMAS_DIR}/${name}`;
  if (name.endsWith(SCHEMA_SUFFIX) && !docs.has(file)) {
    await fs.rm(path.join(PROJECT_ROOT, file));
    process.stdout.write(`removed ${file}\n`);
  }
}
process.stdout.write(`wrote ${docs.size} files: ${[...docs.keys()].join(', ')}\n`);
