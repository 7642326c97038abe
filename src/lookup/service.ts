/**
 * The national frequency lookup: one variant, the variants of a window, and the releases as
 * readers may see them, answered from the release files (./releases.ts) under the reporting
 * floor (./privacy.ts). The REST routes, the Beacon and the lookup page all answer through it.
 */
import { PUBLIC_RELEASE_FILES } from '../domain/shards.ts';
import { UsageError } from '../errors.ts';
import type { Config } from '../config.ts';
import { createLayout, type Layout } from '../store/layout.ts';
import { PipelineRegistry } from '../store/pipelines.ts';
import type {
  BelowFloorPolicy,
  Dataset,
  Privacy,
  RegionAnswer,
  VariantAnswer,
  VariantFound,
  VariantNotFound,
} from './answer.ts';
import { effectivePrivacy } from './privacy.ts';
import { linesIn, ReleaseFiles, type OpenRelease } from './releases.ts';
import { foundAnswer, parseRecord } from './record.ts';
import { normalise, parseVariantId, variantIdOf, type Allele, type Window } from './variant-id.ts';

/** The longest window one region query may span. */
export const MAX_WINDOW_BASES = 1_000_000;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface LookupPolicy {
  floor: number;
  belowFloor: BelowFloorPolicy;
}

export interface VariantQuery {
  releaseId: string;
  /** `chrom-pos-ref-alt`. */
  variant: string;
}

export interface RegionQuery extends Window {
  releaseId: string;
  pageSize?: number | undefined;
  pageToken?: string | undefined;
}

function releaseRef(release: OpenRelease) {
  return {
    releaseId: release.id,
    releasedAt: release.summary.createdAt,
    pipelineVersion: release.summary.pipelineVersion,
    reference: release.summary.reference.name,
  };
}

/** Where the next page starts: after `skip` records at position `pos`. */
function decodePageToken(token: string): { pos: number; skip: number } {
  const match = /^(\d+)\.(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new UsageError(`pageToken ${token} is not one this API gave`);
  return { pos: Number(match[1]), skip: Number(match[2]) };
}

function encodePageToken(pos: number, skip: number): string {
  return Buffer.from(`${pos}.${skip}`, 'utf8').toString('base64url');
}

export class FrequencyLookup {
  readonly releases: ReleaseFiles;

  constructor(
    layout: Layout,
    pipelines: PipelineRegistry,
    private readonly policy: LookupPolicy,
  ) {
    this.releases = new ReleaseFiles(layout, pipelines);
  }

  /** The lookup of a data root, as configured (no Temporal needed). */
  static ofConfig(config: Config): FrequencyLookup {
    return new FrequencyLookup(
      createLayout(config.dataRoot),
      new PipelineRegistry(config.pipelinesDir, config.dataRoot),
      config.frequency,
    );
  }

  privacyOf(release: OpenRelease, audience: Privacy['audience']): Privacy {
    return effectivePrivacy(release.summary.privacy, this.policy, audience);
  }

  private checkSequence(release: OpenRelease, chrom: string, pos: number): void {
    const sequence = release.summary.reference.sequences.find((s) => s.name === chrom);
    if (sequence === undefined)
      throw new UsageError(
        `${chrom} is not a sequence of the release's reference (${release.summary.reference.sequences.map((s) => s.name).join(', ')})`,
      );
    if (pos > sequence.length)
      throw new UsageError(`${chrom}:${pos} lies beyond ${chrom}'s ${sequence.length} bases`);
  }

  async variant(query: VariantQuery, audience: Privacy['audience']): Promise<VariantAnswer> {
    const release = await this.releases.get(query.releaseId);
    const privacy = this.privacyOf(release, audience);
    const asked = parseVariantId(query.variant);
    this.checkSequence(release, asked.chrom, asked.pos);
    const allele = await normalise(asked, release.reference);
    const id = variantIdOf(allele);
    const variant = {
      id,
      chrom: allele.chrom,
      pos: allele.pos,
      ref: allele.ref,
      alt: allele.alt,
      ...(id !== query.variant ? { queried: query.variant } : {}),
    };
    const record = (await linesIn(release.vcf, allele.chrom, allele.pos, allele.pos))
      .map((line) => parseRecord(line))
      .find((r) => r.pos === allele.pos && r.ref === allele.ref && r.alt === allele.alt);
    const found = record ? foundAnswer(release, record, privacy) : null;
    if (
      found !== null &&
      !(found.belowFloor && privacy.belowFloor === 'hide' && audience === 'reader')
    )
      return { ...releaseRef(release), ...found, variant };
    return this.notFound(release, allele, variant, privacy);
  }

  private async notFound(
    release: OpenRelease,
    allele: Allele,
    variant: VariantNotFound['variant'],
    privacy: Privacy,
  ): Promise<VariantNotFound> {
    const alleleNumber = await this.alleleNumberAt(release, allele.chrom, allele.pos);
    const hidden = privacy.audience === 'reader' && privacy.belowFloor === 'hide';
    const verdict =
      alleleNumber === null
        ? 'unknown'
        : alleleNumber.AN === 0
          ? 'not-covered'
          : hidden
            ? 'not-reported'
            : 'not-seen';
    return { ...releaseRef(release), variant, found: false, verdict, alleleNumber, privacy };
  }

  /** The alleles called at a position, from the all-sites track; null without one. */
  async alleleNumberAt(
    release: OpenRelease,
    chrom: string,
    pos: number,
  ): Promise<VariantNotFound['alleleNumber']> {
    const byColumn = await trackAt(release, chrom, pos);
    if (byColumn === null) return null;
    const regions = Object.fromEntries(
      release.summary.tags.perRegion.map((r) => [r, byColumn.get(`AN_${r}`) ?? 0]),
    );
    return { AN: byColumn.get('AN') ?? 0, regions };
  }

  async region(query: RegionQuery, audience: Privacy['audience']): Promise<RegionAnswer> {
    const release = await this.releases.get(query.releaseId);
    const privacy = this.privacyOf(release, audience);
    this.checkSequence(release, query.chrom, query.end);
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      throw new UsageError(`pageSize ${pageSize}: between 1 and ${MAX_PAGE_SIZE}`);
    const from = query.pageToken ? decodePageToken(query.pageToken) : { pos: query.start, skip: 0 };
    if (from.pos < query.start || from.pos > query.end)
      throw new UsageError(`pageToken belongs to another window`);
    const records = (await linesIn(release.vcf, query.chrom, from.pos, query.end))
      .map((line) => parseRecord(line))
      // A tabix query also returns a deletion that starts before the window and reaches into it.
      .filter((r) => r.pos >= from.pos);
    const variants: VariantFound[] = [];
    let nextPageToken: string | null = null;
    let atPos = { pos: from.pos, count: 0 };
    for (const record of records) {
      atPos =
        record.pos === atPos.pos
          ? { pos: atPos.pos, count: atPos.count + 1 }
          : { pos: record.pos, count: 1 };
      if (record.pos === from.pos && atPos.count <= from.skip) continue;
      const found = foundAnswer(release, record, privacy);
      if (found.belowFloor && privacy.belowFloor === 'hide' && audience === 'reader') continue;
      if (variants.length === pageSize) {
        nextPageToken = encodePageToken(record.pos, atPos.count - 1);
        break;
      }
      variants.push({ ...releaseRef(release), ...found });
    }
    return {
      ...releaseRef(release),
      region: { chrom: query.chrom, start: query.start, end: query.end },
      variants,
      nextPageToken,
      privacy,
    };
  }

  /** A release as readers see it: counts and provenance, no sample id. */
  async dataset(releaseId: string): Promise<Dataset> {
    const release = await this.releases.get(releaseId);
    const { summary } = release;
    const latest = await this.releases.latestId();
    const strataTags = summary.tags.strata ?? [];
    const { floor, belowFloor } = this.privacyOf(release, 'reader');
    return {
      ...releaseRef(release),
      latest: latest === release.id,
      samples: summary.samples,
      samplesPerRegion: summary.samplesPerRegion,
      ...(summary.samplesPerKaryotype ? { samplesPerKaryotype: summary.samplesPerKaryotype } : {}),
      sites: summary.sites,
      regions: summary.tags.perRegion,
      strata: [
        ...(strataTags.includes('AC_XX') ? ['sex'] : []),
        ...(strataTags.includes('AC_raw') ? ['raw'] : []),
      ],
      sequences: Object.fromEntries(summary.reference.sequences.map((s) => [s.name, s.length])),
      coverage: summary.anTrack
        ? {
            referenceBases: summary.anTrack.coverage.referenceBases,
            fractionAtLeast80PercentOfMaxAN:
              summary.anTrack.coverage.fractionAtLeast80PercentOfMaxAN,
          }
        : null,
      files: Object.fromEntries(
        Object.entries(summary.files).filter(([name]) =>
          (PUBLIC_RELEASE_FILES as readonly string[]).includes(name),
        ),
      ),
      privacy: { floor, belowFloor },
    };
  }

  async datasets(): Promise<Dataset[]> {
    return Promise.all((await this.releases.ids()).map((id) => this.dataset(id)));
  }

  /** Everything a release has at a position, for operators (`harmonise frequency lookup`). */
  async position(query: {
    releaseId: string;
    chrom: string;
    pos: number;
  }): Promise<PositionLookup> {
    const { chrom, pos } = query;
    if (!Number.isInteger(pos) || pos < 1) throw new UsageError(`${pos} is not a 1-based position`);
    const release = await this.releases.get(query.releaseId);
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
}

/** The track's values at a position (`AN`, `AN_<region>`…), or null for a release without one. */
async function trackAt(
  release: OpenRelease,
  chrom: string,
  pos: number,
): Promise<Map<string, number> | null> {
  if (release.track === null) return null;
  const row = (await linesIn(release.track.file, chrom, pos, pos))[0];
  // The track has a run for every base of the reference: no run, no such position.
  if (row === undefined)
    throw new UsageError(`${chrom}:${pos} is not a position of the release's reference`);
  const values = row.split('\t');
  return new Map(
    release.track.columns.slice(3).map((name, i) => [name, Number(values[i + 3])] as const),
  );
}

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
