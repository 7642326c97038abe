/**
 * What a release says about one position: the variants its VCF has there, and the allele number
 * its all-sites AN track gives, so that "absent" is told apart from "not covered". Both files are
 * bgzipped and tabix-indexed and read in this process through their indexes (@gmod/tabix), never
 * by starting a process per lookup.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { TabixIndexedFile } from '@gmod/tabix';
import { FREQUENCY_OUTPUTS } from '../domain/shards.ts';
import { HarmoniseError, UsageError } from '../errors.ts';
import { AN_TRACK_FILES } from '../frequency/files.ts';
import { pathExists } from './atomic.ts';
import type { Layout } from './layout.ts';

export interface VariantCounts {
  /** `chrom-pos-ref-alt`, as the release normalised it. */
  variant: string;
  ref: string;
  alt: string;
  /** The release's INFO fields for it (counts as numbers, `.` as null). */
  info: Record<string, number | null>;
}

export interface PositionLookup {
  releaseId: string;
  chrom: string;
  pos: number;
  variants: VariantCounts[];
  /**
   * Alleles called at the position, overall and per region (`AN_<region>`), from the all-sites
   * track; null for a release without one (cut before the track existed).
   */
  alleleNumber: Record<string, number> | null;
  /** seen: a variant is there; not-seen: covered, no variant; not-covered: AN 0; unknown: no track. */
  verdict: 'seen' | 'not-seen' | 'not-covered' | 'unknown';
}

/** The release a lookup reads: the one named, or the one `freq/latest` points to. */
async function releaseDirOf(
  layout: Layout,
  releaseId: string,
): Promise<{ id: string; dir: string }> {
  if (releaseId !== 'latest') return { id: releaseId, dir: layout.releaseDir(releaseId) };
  const target = await fs.readlink(layout.latestLink).catch(() => null);
  if (target === null) throw new HarmoniseError('NOT_FOUND', 'no release has been published yet');
  const dir = path.resolve(path.dirname(layout.latestLink), target);
  return { id: path.basename(dir), dir };
}

const indexed = (file: string) => new TabixIndexedFile({ path: file, tbiPath: `${file}.tbi` });

/** One tabix query: the lines overlapping the 1-based position. */
async function linesAt(index: TabixIndexedFile, chrom: string, pos: number): Promise<string[]> {
  const lines: string[] = [];
  await index.getLines(chrom, pos - 1, pos, { lineCallback: (line: string) => lines.push(line) });
  return lines;
}

function parseInfo(text: string): Record<string, number | null> {
  const info: Record<string, number | null> = {};
  for (const entry of text.split(';')) {
    const [key, value] = entry.split('=');
    if (key === undefined || value === undefined) continue;
    info[key] = value === '.' ? null : Number(value);
  }
  return info;
}

/** The alleles the track gives at `pos`: its column names (less `AN`'s prefix) to numbers. */
async function alleleNumberAt(
  file: string,
  chrom: string,
  pos: number,
): Promise<Record<string, number>> {
  const index = indexed(file);
  const header = (await index.getHeader()).split('\n').find((line) => line.startsWith('#'));
  if (!header) throw new Error(`${file} has no header line`);
  const columns = header.slice(1).split('\t');
  const row = (await linesAt(index, chrom, pos))[0];
  // Every base of every sequence is in one run: no run means the position is off the reference.
  if (row === undefined)
    throw new UsageError(`${chrom}:${pos} is not a position of the release's reference`);
  const values = row.split('\t');
  return Object.fromEntries(columns.slice(3).map((name, i) => [name, Number(values[i + 3])]));
}

export async function lookupPosition(
  layout: Layout,
  query: { releaseId: string; chrom: string; pos: number },
): Promise<PositionLookup> {
  const { chrom, pos } = query;
  if (!Number.isInteger(pos) || pos < 1) throw new UsageError(`${pos} is not a 1-based position`);
  const release = await releaseDirOf(layout, query.releaseId);
  const vcf = path.join(release.dir, FREQUENCY_OUTPUTS.vcf);
  if (!(await pathExists(vcf)))
    throw new HarmoniseError('NOT_FOUND', `release ${release.id} is not published`);
  const variants = (await linesAt(indexed(vcf), chrom, pos))
    .map((line) => line.split('\t'))
    .filter((fields) => Number(fields[1]) === pos)
    .map(([, , , ref = '', alt = '', , , info = '']) => ({
      variant: `${chrom}-${pos}-${ref}-${alt}`,
      ref,
      alt,
      info: parseInfo(info),
    }));
  const track = path.join(release.dir, AN_TRACK_FILES.track);
  const alleleNumber = (await pathExists(track)) ? await alleleNumberAt(track, chrom, pos) : null;
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
