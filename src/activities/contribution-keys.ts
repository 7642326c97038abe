/**
 * Which genomes a release reads, and where each one's contribution is: the snapshot's eligible
 * list (`eligible.tsv`), the key naming a genome's contribution, and the contribution's record.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { CountedKaryotype } from '../domain/karyotype.ts';
import { CONTRIBUTION_FORMAT } from '../tools/frequency-contribution.ts';

/** The record of a published contribution, in its folder. */
export const CONTRIBUTION_RECORD = 'contribution.json';

/** A genome in a release's snapshot (`eligible.tsv`). */
export interface EligibleSample {
  sampleId: string;
  region: string;
  gvcf: string;
  /** The gVCF's sha256 as the catalogue recorded it; null when it recorded none. */
  gvcfSha256: string | null;
  /** How the genome is counted on the sex chromosomes (ignored by a pipeline without them). */
  karyotype: CountedKaryotype;
}

const KARYOTYPES: readonly string[] = ['XX', 'XY', 'unknown'];

export async function readEligible(file: string): Promise<EligibleSample[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sampleId, region, gvcf, sha, karyotype] = line.split('\t') as [
        string,
        string,
        string,
        string,
        string | undefined,
      ];
      // Snapshots written before karyotypes were recorded have four columns.
      const counted = (karyotype ?? 'unknown') as CountedKaryotype;
      if (!KARYOTYPES.includes(counted))
        throw new Error(`${file}: ${sampleId} has karyotype "${counted}", not XX, XY or unknown`);
      return { sampleId, region, gvcf, gvcfSha256: sha === '-' ? null : sha, karyotype: counted };
    });
}

export function eligibleLine(sample: EligibleSample): string {
  return [
    sample.sampleId,
    sample.region,
    sample.gvcf,
    sample.gvcfSha256 ?? '-',
    sample.karyotype,
  ].join('\t');
}

/**
 * The key of a genome's contribution: its gVCF's recorded sha256, or (for a record without one)
 * the gVCF's inode, size and modification time, with the karyotype it is counted with (a
 * genome re-measured as XY is counted anew) and the contribution format.
 */
export async function contributionKey(sample: EligibleSample): Promise<string> {
  let names: string;
  if (sample.gvcfSha256 !== null) {
    names = `sha256:${sample.gvcfSha256}`;
  } else {
    const stat = await fs.stat(sample.gvcf, { bigint: true });
    names = `identity:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  }
  const digest = createHash('sha256')
    .update(`${names} karyotype:${sample.karyotype}`)
    .digest('hex')
    .slice(0, 24);
  return `f${CONTRIBUTION_FORMAT}-${digest}`;
}
