/**
 * Everything a release has at one position, as `harmonise frequency lookup` prints it for
 * operators: the variants starting there with the release's INFO fields, and the all-sites
 * track's alleles there, which tell "not seen" from "not covered".
 */
import { UsageError } from '../errors.ts';
import { parseRecord } from './record.ts';
import { linesIn, trackAt, type ReleaseFiles } from './releases.ts';

export interface PositionLookup {
  releaseId: string;
  chrom: string;
  pos: number;
  /** The variants starting there: `chrom-pos-ref-alt` and the release's INFO fields. */
  variants: { variant: string; ref: string; alt: string; info: Record<string, number | null> }[];
  /** The track's columns there (`AN`, `AN_<region>`); null for a release cut before tracks. */
  alleleNumber: Record<string, number> | null;
  /** seen: a variant is there; not-seen: covered, no variant; not-covered: AN 0; unknown: no track. */
  verdict: 'seen' | 'not-seen' | 'not-covered' | 'unknown';
}

export async function lookupPosition(
  releases: ReleaseFiles,
  query: { releaseId: string; chrom: string; pos: number },
): Promise<PositionLookup> {
  const { chrom, pos } = query;
  if (!Number.isInteger(pos) || pos < 1) throw new UsageError(`${pos} is not a 1-based position`);
  const release = await releases.get(query.releaseId);
  const variants = (await linesIn(release.vcf, chrom, pos, pos))
    .map((line) => parseRecord(line))
    .filter((r) => r.pos === pos)
    .map((r) => ({
      variant: `${chrom}-${pos}-${r.ref}-${r.alt}`,
      ref: r.ref,
      alt: r.alt,
      info: Object.fromEntries(r.info),
    }));
  const track = await trackAt(release, chrom, pos);
  const alleleNumber = track === null ? null : Object.fromEntries(track);
  const verdict =
    variants.length > 0
      ? 'seen'
      : alleleNumber === null
        ? 'unknown'
        : (alleleNumber.AN ?? 0) > 0
          ? 'not-seen'
          : 'not-covered';
  return { releaseId: release.id, chrom, pos, variants, alleleNumber, verdict };
}
