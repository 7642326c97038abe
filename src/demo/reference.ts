// The demo's reference folder: genome.fa with its samtools and bwa indexes, built once per seed.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fastaText } from './formats.ts';
import { DEMO_REFERENCES, type Contig } from './model.ts';
import { exists, publish, run, writeDurable } from './tools.ts';

/** One `@SQ` line of genome.dict; layout.json lists them. */
export interface ReferenceSequence {
  name: string;
  length: number;
  md5: string;
}

export const REFERENCE_FILES = [
  'genome.dict',
  ...['', '.fai', '.amb', '.ann', '.bwt', '.pac', '.sa'].map((s) => `genome.fa${s}`),
];

export function parseDict(text: string): ReferenceSequence[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('@SQ\t'))
    .map((line) => {
      const tags = new Map(
        line
          .split('\t')
          .slice(1)
          .map((t) => [t.slice(0, 2), t.slice(3)]),
      );
      return {
        name: tags.get('SN') ?? '',
        length: Number(tags.get('LN')),
        md5: tags.get('M5') ?? '',
      };
    });
}

export const expectedSequences = (contigs: readonly Contig[]): ReferenceSequence[] =>
  contigs.map((c) => ({
    name: c.name,
    length: c.seq.length,
    md5: createHash('md5').update(c.seq).digest('hex'),
  }));

const sameSequences = (a: ReferenceSequence[], b: ReferenceSequence[]) =>
  JSON.stringify(a) === JSON.stringify(b);

/** The contigs of each reference the demo builds (DEMO_REFERENCES), in reference order. */
export const demoReferences = (contigs: readonly Contig[]) =>
  DEMO_REFERENCES.map(({ version, contigs: names }) => ({
    version,
    contigs: contigs.filter((c) => names.includes(c.name)),
  }));

/** Where reference/<version>'s FASTA lives under a data root. */
export const referenceFastaOf = (dataRoot: string, version: string) =>
  path.join(dataRoot, 'reference', version, 'genome.fa');

/**
 * Reuses reference/<version> if it holds exactly `contigs`; else builds it in a temp folder and
 * renames it in.
 */
export async function ensureReference(
  dataRoot: string,
  version: string,
  contigs: readonly Contig[],
  log: (m: string) => void,
) {
  const fasta = referenceFastaOf(dataRoot, version);
  const dir = path.dirname(fasta);
  const expected = expectedSequences(contigs);
  const reuse = async () => {
    const dict = path.join(dir, 'genome.dict');
    const found = (await exists(dict)) ? parseDict(await readFile(dict, 'utf8')) : [];
    if (!sameSequences(found, expected)) {
      throw new Error(`${dir} exists but holds another reference; use another root`);
    }
    for (const file of REFERENCE_FILES) {
      if (!(await exists(path.join(dir, file)))) throw new Error(`${dir}/${file} is missing`);
    }
    log(`reference: reusing ${dir}`);
    return { fasta, sequences: found };
  };
  if (await exists(dir)) return reuse();
  await mkdir(path.dirname(dir), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(dir), `.${version}.tmp-`));
  try {
    await writeDurable(path.join(staging, 'genome.fa'), fastaText(contigs));
    await run('samtools', ['faidx', 'genome.fa'], staging);
    // The dict's UR names where the file will live, not the staging folder.
    await run(
      'samtools',
      ['dict', '-u', `file://${fasta}`, '-o', 'genome.dict', 'genome.fa'],
      staging,
    );
    await run('bwa', ['index', 'genome.fa'], staging);
    const sequences = parseDict(await readFile(path.join(staging, 'genome.dict'), 'utf8'));
    if (!sameSequences(sequences, expected)) {
      throw new Error('samtools dict M5 tags differ from the generated sequences');
    }
    if (!(await publish(staging, dir))) return reuse();
    log(`reference: wrote ${dir}`);
    return { fasta, sequences };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
