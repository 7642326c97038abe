/**
 * A published version's provenance.json, read back. Whatever is wrong with the file itself (gone,
 * a folder or other non-file in its place, not JSON, not schema v1, another sample's) is a
 * ProvenanceMissingError naming the path and the problem, never the file's content: retrying
 * cannot fix it. An error that is not about the file (EIO, EMFILE) is thrown as it is, so the
 * activity that reads it is retried.
 */
import fs from 'node:fs/promises';
import { formatJsonPath } from '../domain/issues.ts';
import { PROVENANCE_SCHEMA, provenanceSchema, type Provenance } from '../domain/provenance.ts';
import { ProvenanceMissingError } from '../errors.ts';
import { kindOf } from './file-identity.ts';

/** A provenance is kilobytes; a file past this is not one, and reading it would fill memory. */
const MAX_PROVENANCE_BYTES = 64 * 2 ** 20;
/** How many schema problems a message names. */
const MAX_NAMED_PROBLEMS = 3;

export async function readProvenance(
  file: string,
  expected: { sampleId: string; pipelineVersion: string },
): Promise<Provenance> {
  const missing = (problem: string) => new ProvenanceMissingError(`${file} ${problem}`);
  let text: string;
  try {
    // A folder, FIFO or device is refused before it is opened (a FIFO would block the read).
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw missing(`is ${kindOf(stat)}, not a file`);
    if (stat.size > MAX_PROVENANCE_BYTES)
      throw missing(`is ${stat.size} bytes, more than a provenance can be`);
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof ProvenanceMissingError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw missing('does not exist');
    if (code === 'EISDIR') throw missing('is a folder, not a file');
    if (code === 'ELOOP') throw missing('is a loop of symbolic links');
    if (code === 'EACCES' || code === 'EPERM') throw missing('cannot be read (permission denied)');
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text: it is left out.
    throw missing('is not valid JSON');
  }
  const parsed = provenanceSchema.safeParse(json);
  if (!parsed.success) {
    const named = parsed.error.issues
      .slice(0, MAX_NAMED_PROBLEMS)
      .map((issue) => `${formatJsonPath(issue.path)}: ${issue.code}`);
    const more = parsed.error.issues.length - named.length;
    throw missing(
      `is not a ${PROVENANCE_SCHEMA} document (${named.join('; ')}${more > 0 ? `; ${more} more` : ''})`,
    );
  }
  const provenance = parsed.data;
  if (
    provenance.sampleId !== expected.sampleId ||
    provenance.pipeline.version !== expected.pipelineVersion
  ) {
    throw missing(
      `is the provenance of another sample or pipeline version, not of ${expected.sampleId} with ${expected.pipelineVersion}`,
    );
  }
  return provenance;
}
