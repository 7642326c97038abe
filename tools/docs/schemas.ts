/**
 * docs/schemas/: one JSON Schema per document format that has a zod schema (zod's own
 * `z.toJSONSchema`, as src/api/openapi.ts uses it), and a README that lists every format.
 */
import { z } from 'zod';
import { DOCUMENT_FORMATS, formatName, type DocumentFormat } from './document-formats.ts';
import { code, generatedNotice, table } from './markdown.ts';

export const SCHEMAS_DIR = 'docs/schemas';
export const SCHEMA_SUFFIX = '.schema.json';

const byFormat = (a: DocumentFormat, b: DocumentFormat) => (a.format < b.format ? -1 : 1);

export function schemaFile(format: string): string {
  return `${formatName(format)}${SCHEMA_SUFFIX}`;
}

/**
 * The schema of a document as harmonise reads it (`io: 'input'`: a field with a default may be
 * left out). Unrepresentable types throw rather than turn into "anything".
 */
function jsonSchema(format: DocumentFormat, zod: z.ZodType): string {
  const { $schema, ...generated } = z.toJSONSchema(zod, { io: 'input' });
  const document = { $schema, title: format.format, description: format.description, ...generated };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** File name under docs/schemas/ → its contents, for every format with a zod schema. */
export function schemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const format of [...DOCUMENT_FORMATS].sort(byFormat)) {
    if (format.schema !== null)
      files.set(schemaFile(format.format), jsonSchema(format, format.schema.zod));
  }
  return files;
}

function where(format: DocumentFormat): string {
  const note = format.whereNote === undefined ? '' : ` (${format.whereNote})`;
  return `${code(format.file)}${note}`;
}

/** A source file as a link from docs/schemas/; anything else as it is. */
function source(text: string): string {
  return text.startsWith('src/') ? `[${text}](../../${text})` : text;
}

export function schemasReadme(): string {
  const formats = [...DOCUMENT_FORMATS].sort(byFormat);
  const withSchema = formats.flatMap((f) =>
    f.schema === null
      ? []
      : [
          [
            code(f.format),
            where(f),
            `[${schemaFile(f.format)}](${schemaFile(f.format)})`,
            `${code(f.schema.name)} in ${source(f.schema.definedIn)}`,
            source(f.writtenBy),
            f.description,
          ],
        ],
  );
  const withoutSchema = formats.flatMap((f) =>
    f.schema !== null
      ? []
      : [[code(f.format), where(f), 'no schema yet', source(f.writtenBy), f.description]],
  );
  return [
    '# Document formats',
    generatedNotice('tools/docs/document-formats.ts and the zod schemas'),
    'Every JSON document harmonise reads or writes names its format in its `schema` field ' +
      '(`harmonise.<name>/v1`). Files are named from the data root (`HARMONISE_DATA`) unless ' +
      'they say otherwise; see [configuration.md](../configuration.md) for the variables.',
    'Each JSON Schema here is generated from the zod schema harmonise validates the document ' +
      'with, as it reads it: a field with a default may be left out. A schema gives the ' +
      "document's shape; checks that zod makes in code (refinements, such as a manifest " +
      "file's need for an md5 or a sha256, or a sample listed twice) are not in it.",
    '## With a schema',
    table(['format', 'file', 'schema', 'generated from', 'written by', 'what it is'], withSchema),
    '## No schema yet',
    'These formats are written from a TypeScript type only: harmonise has no zod schema to ' +
      'generate theirs from.',
    table(['format', 'file', 'schema', 'written by', 'what it is'], withoutSchema),
  ].join('\n\n');
}
