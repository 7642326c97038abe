/**
 * National pipeline specs (`pipelines/<version>.json`) and the reference they pin. A spec is
 * validated on load; a reference whose `samtools dict` MD5s differ from the spec's is refused,
 * so nothing is ever aligned to a reference other than the one the provenance names.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  PIPELINE_VERSION_PATTERN,
  pipelineSpecSchema,
  type PipelineSpec,
} from '../domain/pipeline.ts';
import { HarmoniseError } from '../errors.ts';

export interface LoadedPipeline {
  spec: PipelineSpec;
  /** sha256 of the spec file, recorded in provenance. */
  specSha256: string;
  specFile: string;
  /** Absolute path of the reference FASTA. */
  referenceFasta: string;
}

export class PipelineRegistry {
  private readonly cache = new Map<string, Promise<LoadedPipeline>>();

  constructor(
    private readonly pipelinesDir: string,
    private readonly dataRoot: string,
  ) {}

  /** Every version on disk, newest last (numeric-aware order). */
  async versions(): Promise<string[]> {
    const names = await fs.readdir(this.pipelinesDir);
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -'.json'.length))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  /** The newest national (numeric) version: benchmark pipelines such as `noop` never are. */
  async newest(): Promise<string> {
    const all = await this.versions();
    const last = all.filter((v) => /^[0-9]/.test(v)).at(-1);
    if (last === undefined)
      throw new HarmoniseError('CONFIG_INVALID', `no pipeline specs in ${this.pipelinesDir}`);
    return last;
  }

  load(version: string): Promise<LoadedPipeline> {
    let loaded = this.cache.get(version);
    if (!loaded) {
      loaded = this.read(version);
      this.cache.set(version, loaded);
      loaded.catch(() => this.cache.delete(version));
    }
    return loaded;
  }

  private async read(version: string): Promise<LoadedPipeline> {
    if (!PIPELINE_VERSION_PATTERN.test(version)) {
      throw new HarmoniseError('CONFIG_INVALID', `"${version}" is not a pipeline version`);
    }
    const specFile = path.join(this.pipelinesDir, `${version}.json`);
    let text: string;
    try {
      text = await fs.readFile(specFile, 'utf8');
    } catch {
      throw new HarmoniseError(
        'CONFIG_INVALID',
        `pipeline version ${version} has no spec at ${specFile}`,
      );
    }
    const parsed = pipelineSpecSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new HarmoniseError('CONFIG_INVALID', `${specFile} is invalid: ${parsed.error.message}`);
    }
    if (parsed.data.version !== version) {
      throw new HarmoniseError(
        'CONFIG_INVALID',
        `${specFile} declares version ${parsed.data.version}`,
      );
    }
    const spec = parsed.data;
    return {
      spec,
      specFile,
      specSha256: createHash('sha256').update(text).digest('hex'),
      referenceFasta: path.resolve(this.dataRoot, spec.reference.fasta),
    };
  }
}

/** Parses the `@SQ` lines of a `samtools dict` file into name → M5. */
export function parseDictMd5s(dictText: string): Map<string, string> {
  const md5s = new Map<string, string>();
  for (const line of dictText.split('\n')) {
    if (!line.startsWith('@SQ')) continue;
    const fields = new Map(
      line
        .split('\t')
        .slice(1)
        .map((f) => [f.slice(0, 2), f.slice(3)] as const),
    );
    const name = fields.get('SN');
    const m5 = fields.get('M5');
    if (name !== undefined && m5 !== undefined) md5s.set(name, m5);
  }
  return md5s;
}

/** Differences between the reference on disk (its .dict) and the spec; empty when they agree. */
export function compareReference(
  spec: PipelineSpec,
  dictMd5s: ReadonlyMap<string, string>,
): string[] {
  const problems: string[] = [];
  for (const sequence of spec.reference.sequences) {
    const found = dictMd5s.get(sequence.name);
    if (found === undefined) problems.push(`${sequence.name} is missing`);
    else if (found !== sequence.md5)
      problems.push(`${sequence.name} has M5 ${found}, the spec pins ${sequence.md5}`);
  }
  const pinned = new Set(spec.reference.sequences.map((s) => s.name));
  for (const name of dictMd5s.keys())
    if (!pinned.has(name)) problems.push(`${name} is not in the spec`);
  return problems;
}

/** Checks that the reference and its indexes exist and match the spec; throws a clear error. */
export async function verifyReference(pipeline: LoadedPipeline): Promise<void> {
  const fasta = pipeline.referenceFasta;
  const dict = fasta.replace(/\.fa(sta)?$/, '') + '.dict';
  const needed = [fasta, `${fasta}.fai`, dict, `${fasta}.bwt`, `${fasta}.sa`];
  for (const file of needed) {
    try {
      await fs.access(file);
    } catch {
      throw new HarmoniseError(
        'REFERENCE_MISSING',
        `the reference of pipeline ${pipeline.spec.version} is incomplete: ${file} is missing`,
      );
    }
  }
  const problems = compareReference(pipeline.spec, parseDictMd5s(await fs.readFile(dict, 'utf8')));
  if (problems.length > 0) {
    throw new HarmoniseError(
      'REFERENCE_MISMATCH',
      `the reference at ${fasta} is not the one pipeline ${pipeline.spec.version} pins: ${problems.join('; ')}`,
    );
  }
}
