// The files a region makes with tools before it submits: an unaligned CRAM of its raw reads,
// CRAMs aligned by bwa or minimap2 and its own gVCF. Every tool runs in the sample's work folder
// on relative paths, so no absolute path (which would differ per data root) lands in a header.
import { rename, symlink } from 'node:fs/promises';
import path from 'node:path';
import { REFERENCE_FILES } from './reference.ts';
import { exec, run, runPipeline, writeDurable } from './tools.ts';

/** Threads for bwa and minimap2; their output does not depend on it (bwa: thanks to -K). */
const THREADS = '2';
const reads = (id: string) => [`${id}_R1.fastq.gz`, `${id}_R2.fastq.gz`];
// bwa and minimap2 turn the two characters `\t` into a tab themselves.
const readGroup = (id: string) => `@RG\\tID:${id}\\tSM:${id}\\tPL:ILLUMINA`;

/** Links the reference and its indexes into `work`, where every tool then sees `genome.fa`. */
export async function linkReference(referenceFasta: string, work: string): Promise<void> {
  const dir = path.dirname(referenceFasta);
  for (const file of REFERENCE_FILES.filter((f) => f.startsWith('genome.fa'))) {
    await symlink(path.join(dir, file), path.join(work, file));
  }
}

/** `<id>.unaligned.cram` from the pair; `samtools fastq -N` gives the reads back with /1 /2. */
export async function importUnalignedCram(id: string, work: string): Promise<string> {
  const out = `${id}.unaligned.cram`;
  const [r1, r2] = reads(id);
  const rg = ['-r', `ID:${id}`, '-r', `SM:${id}`, '-r', 'PL:ILLUMINA'];
  // The output name is written into the CRAM's file definition: keep it relative.
  await run('samtools', ['import', '-1', r1!, '-2', r2!, ...rg, '-O', 'cram', '-o', out], work);
  return out;
}

/**
 * Writing CRAM, htslib sets every @SQ's UR to the reference's absolute path. Drop UR (M5 is what
 * identifies the sequence) by writing the header anew to a fresh file, which also makes the
 * header container's size independent of that path.
 */
async function dropReferencePaths(cram: string, work: string): Promise<void> {
  const { stdout } = await exec('samtools', ['view', '-H', '--no-PG', '-T', 'genome.fa', cram], {
    cwd: work,
  });
  const header = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      line.startsWith('@SQ\t')
        ? line
            .split('\t')
            .filter((tag) => !tag.startsWith('UR:'))
            .join('\t')
        : line,
    );
  await writeDurable(path.join(work, `${cram}.header.sam`), header.join('\n') + '\n');
  const fresh = path.join(work, `${cram}.reheadered`);
  await exec('samtools', ['reheader', '--no-PG', `${cram}.header.sam`, cram], {
    cwd: work,
    stdoutFile: fresh,
  });
  await rename(fresh, path.join(work, cram));
  await run('samtools', ['index', cram], work);
}

/** `<id>.cram` (+ .crai) as the approved national aligner makes it: bwa mem, fixmate, markdup. */
export async function alignBwa(id: string, work: string): Promise<string> {
  const out = `${id}.cram`;
  const bwa = ['mem', '-t', THREADS, '-K', '100000000', '-Y', '-R', readGroup(id), 'genome.fa'];
  await runPipeline(
    [
      ['bwa', [...bwa, ...reads(id)]],
      ['samtools', ['fixmate', '-m', '-u', '-', '-']],
      ['samtools', ['sort', '-u', '-']],
      ['samtools', ['markdup', '-O', 'cram', '--reference', 'genome.fa', '-', out]],
    ],
    work,
  );
  await dropReferencePaths(out, work);
  return out;
}

/** `<id>.cram` (+ .crai) on the national reference, but aligned by minimap2, not bwa. */
export async function alignMinimap2(id: string, work: string): Promise<string> {
  const out = `${id}.cram`;
  const minimap2 = ['-ax', 'sr', '-t', THREADS, '-Y', '-R', readGroup(id), 'genome.fa'];
  await runPipeline(
    [
      ['minimap2', [...minimap2, ...reads(id)]],
      ['samtools', ['sort', '-O', 'cram', '--reference', 'genome.fa', '-o', out, '-']],
    ],
    work,
  );
  await dropReferencePaths(out, work);
  return out;
}

/** The region's own gVCF (bcftools, reference blocks from `call -g`) and its .tbi. */
export async function callGvcf(id: string, cram: string, work: string): Promise<string> {
  const out = `${id}.g.vcf.gz`;
  const annotate = ['-a', 'FORMAT/AD,FORMAT/DP'];
  await runPipeline(
    [
      ['bcftools', ['mpileup', '--no-version', '-f', 'genome.fa', ...annotate, '-Ou', cram]],
      ['bcftools', ['call', '--no-version', '-m', '-g', '0,10,20', '-Oz', '-o', out]],
    ],
    work,
  );
  await run('tabix', ['-p', 'vcf', out], work);
  return out;
}
