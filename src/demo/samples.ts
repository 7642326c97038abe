// One demo sample's submitted files, by what its region submits, and its manifest entry.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  alignBwa,
  alignMinimap2,
  callGvcf,
  importUnalignedCram,
  linkReference,
} from './aligned.ts';
import type { Karyotype } from '../domain/karyotype.ts';
import { readTypeOf, type DemoGenome, type ReadType, type SampleTruth } from './model.ts';
import { simulateLong, simulatePair } from './reads.ts';
import { fileChecksums, moveFile, type Checksums } from './tools.ts';

export interface ManifestFile {
  path: string;
  kind: string;
  md5?: string;
  sha256?: string;
}

/** One sample of a `harmonise.submission/v1` manifest. */
export interface ManifestSample {
  sampleId: string;
  readType: ReadType;
  /** Only where the region states it. */
  karyotype?: Karyotype;
  consent: { research: boolean };
  files: ManifestFile[];
}

/** Which checksums the manifest gives: both kinds appear, alone and together. */
type Sums = 'md5' | 'sha256' | 'both';

const entry = (id: string, name: string, kind: string, sums: Checksums, which: Sums) => ({
  path: `${id}/${name}`,
  kind,
  ...(which !== 'sha256' ? { md5: sums.md5 } : {}),
  ...(which !== 'md5' ? { sha256: sums.sha256 } : {}),
});

/**
 * Writes the sample's files into `<staging>/<id>/`, working in `<scratch>/<id>/`, and returns
 * its manifest entry and a line for the log.
 */
export async function makeSample(
  genome: DemoGenome,
  sample: SampleTruth,
  referenceFasta: string,
  scratch: string,
  staging: string,
): Promise<{ entry: ManifestSample; note: string }> {
  const id = sample.sampleId;
  const out = path.join(staging, id);
  const work = path.join(scratch, id);
  await mkdir(out);
  await mkdir(work);
  /** Moves files made in `work` into the submission and lists them. */
  const submit = async (files: [name: string, kind: string, which: Sums][]) => {
    const listed: ManifestFile[] = [];
    for (const [name, kind, which] of files) {
      await moveFile(path.join(work, name), path.join(out, name));
      listed.push(entry(id, name, kind, await fileChecksums(path.join(out, name)), which));
    }
    return listed;
  };

  let files: ManifestFile[];
  let note: string;
  try {
    switch (sample.input) {
      case 'fastq-pair': {
        const { r1, r2 } = await simulatePair(genome, sample, work, out, true);
        files = [
          entry(id, `${id}_R1.fastq.gz`, 'fastq-r1', r1, 'md5'),
          entry(id, `${id}_R2.fastq.gz`, 'fastq-r2', r2, 'both'),
        ];
        note = `${r1.reads} read pairs`;
        break;
      }
      case 'long-fastq': {
        const name = `${id}.hifi.fastq.gz`;
        const sum = await simulateLong(genome, sample, path.join(out, name));
        files = [entry(id, name, 'fastq', sum, 'both')];
        note = `${sum.reads} HiFi-like long reads`;
        break;
      }
      case 'ucram': {
        const { r1 } = await simulatePair(genome, sample, work, work, false);
        files = await submit([[await importUnalignedCram(id, work), 'ucram', 'sha256']]);
        note = `${r1.reads} read pairs in an unaligned CRAM`;
        break;
      }
      case 'bwa-cram-gvcf': {
        const { r1 } = await simulatePair(genome, sample, work, work, false);
        await linkReference(referenceFasta, work);
        const cram = await alignBwa(id, work);
        const gvcf = await callGvcf(id, cram, work);
        files = await submit([
          [cram, 'cram', 'both'],
          [`${cram}.crai`, 'crai', 'md5'],
          [gvcf, 'gvcf', 'both'],
          [`${gvcf}.tbi`, 'tbi', 'md5'],
        ]);
        note = `${r1.reads} read pairs, bwa CRAM and gVCF`;
        break;
      }
      case 'minimap2-cram': {
        const { r1 } = await simulatePair(genome, sample, work, work, false);
        await linkReference(referenceFasta, work);
        const cram = await alignMinimap2(id, work);
        files = await submit([
          [cram, 'cram', 'both'],
          [`${cram}.crai`, 'crai', 'md5'],
        ]);
        note = `${r1.reads} read pairs, minimap2 CRAM`;
        break;
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { entry: manifestSample(sample, files), note };
}

const manifestSample = (sample: SampleTruth, files: ManifestFile[]): ManifestSample => ({
  sampleId: sample.sampleId,
  readType: readTypeOf(sample.input),
  ...(sample.statedKaryotype ? { karyotype: sample.statedKaryotype } : {}),
  consent: { research: true },
  files,
});
