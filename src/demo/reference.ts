// The demo's reference folder: genome.fa with its samtools and bwa indexes, built once per seed.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fastaText } from './formats.ts';
import type { DemoGenome } from './model.ts';
import { exists, publish, run, writeDurable } from './tools.ts';

/** One `@SQ` line of genome.dict; layout.json lists them. */
export interface ReferenceSequence {
  name: string;
  length: number;
  md5: string;
}

// Shared with generate.ts: it names the reference/<version> folder and is layout.json's too.
export const PIPELINE_VERSION = '1';
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

export const expectedSequences = (genome: DemoGenome): ReferenceSequence[] =>
  genome.contigs.map((c) => ({
    name: c.name,
    length: c.seq.length,
    md5: createHash('md5').update(c.seq).digest('hex'),
  }));

const sameSequences = (a: ReferenceSequence[], b: ReferenceSequence[]) =>
  JSON.stringify(a) === JSON.stringify(b);

/** Reuses reference/1 if it matches the seed; else builds it in a temp folder and renames it in. */
export async function ensureReference(
  dataRoot: string,
  genome: DemoGenome,
  log: (m: string) => void,
) {
  const dir = path.join(dataRoot, 'reference', PIPELINE_VERSION);
  const fasta = path.join(dir, 'genome.fa');
  const expected = expectedSequences(genome);
  const reuse = async () => {
    const dict = path.join(dir, 'genome.dict');
    const found = (await exists(dict)) ? parseDict(await readFile(dict, 'utf8')) : [];
    if (!sameSequences(found, expected)) {
      throw new Error(`${dir} exists but was not made from seed ${genome.seed}; use another root`);
    }
    for (const file of REFERENCE_FILES) {
      if (!(await exists(path.join(dir, file)))) throw new Error(`${dir}/${file} is missing`);
    }
    log(`reference: reusing ${dir}`);
    return { fasta, sequences: found };
  };
  if (await exists(dir)) return reuse();
  await mkdir(path.dirname(dir), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(dir), `.${PIPELINE_VERSION}.tmp-`));
  try {
    await writeDurable(path.join(staging, 'genome.fa'), fastaText(genome.contigs));
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
