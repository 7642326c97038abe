/**
 * What a release's summary says of its all-sites AN track and its strata: the track's files and
 * how much of the reference its samples cover well, the samples by karyotype, and the INFO
 * fields beyond the headline tags.
 */
import fs from 'node:fs/promises';
import { AN_TRACK_FILES } from '../frequency/files.ts';
import { releaseFields } from '../frequency/strata.ts';
import type { PipelineSpec } from '../domain/pipeline.ts';
import { readEligible } from './contribution-keys.ts';

export interface AnTrackSummary {
  file: string;
  index: string;
  coverage: {
    /** Bases of the reference (every one is in exactly one run of the track). */
    referenceBases: number;
    /** Bases whose AN is at least 80 % of the most AN the release's samples could have there. */
    basesAtLeast80PercentOfMaxAN: number;
    fractionAtLeast80PercentOfMaxAN: number;
  };
}

/** The track's files among the gather's outputs, or null (a release of the merge has none). */
export function trackFiles(outputs: Record<string, string>): [string, string][] {
  const track = outputs[AN_TRACK_FILES.track];
  const index = outputs[AN_TRACK_FILES.index];
  if (!track || !index) return [];
  return [
    [AN_TRACK_FILES.track, track],
    [AN_TRACK_FILES.index, index],
  ];
}

export async function anTrackSummary(
  outputs: Record<string, string>,
): Promise<AnTrackSummary | null> {
  const coverageFile = outputs[AN_TRACK_FILES.coverage];
  if (trackFiles(outputs).length === 0 || !coverageFile) return null;
  const [bases, well] = (await fs.readFile(coverageFile, 'utf8')).trim().split('\t').map(Number);
  if (!Number.isInteger(bases) || !Number.isInteger(well))
    throw new Error(`${coverageFile} is not "bases<TAB>well-covered bases"`);
  return {
    file: AN_TRACK_FILES.track,
    index: AN_TRACK_FILES.index,
    coverage: {
      referenceBases: bases!,
      basesAtLeast80PercentOfMaxAN: well!,
      fractionAtLeast80PercentOfMaxAN: bases! > 0 ? Math.round((well! / bases!) * 1e6) / 1e6 : 0,
    },
  };
}

/** The release's samples by karyotype, from its snapshot. */
export async function samplesPerKaryotype(eligibleFile: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = { XX: 0, XY: 0, unknown: 0 };
  for (const sample of await readEligible(eligibleFile)) counts[sample.karyotype]! += 1;
  return counts;
}

/** The overall INFO fields beyond the headline tags (raw counts, XX/XY strata, AC_hemi). */
export function strataTags(spec: PipelineSpec): string[] {
  const layout = {
    tags: spec.frequency.tags,
    raw: spec.quality !== undefined,
    sex: spec.sexChromosomes !== undefined,
  };
  return releaseFields(layout, [])
    .filter((f) => f.stratum !== '')
    .map((f) => f.id);
}
