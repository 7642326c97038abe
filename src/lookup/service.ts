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
import { effectivePrivacy, hidesBelowFloor } from './privacy.ts';
import { linesIn, ReleaseFiles, trackAt, type OpenRelease } from './releases.ts';
import { foundAnswer, parseRecord, recordsIn } from './record.ts';
import { lookupPosition, type PositionLookup } from './position.ts';
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
    if (found !== null && !(found.belowFloor && hidesBelowFloor(privacy)))
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
    const hidden = hidesBelowFloor(privacy);
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
    const variants: VariantFound[] = [];
    let nextPageToken: string | null = null;
    let atPos = { pos: from.pos, count: 0 };
    for await (const record of recordsIn(release, query.chrom, from.pos, query.end)) {
      atPos =
        record.pos === atPos.pos
          ? { pos: atPos.pos, count: atPos.count + 1 }
          : { pos: record.pos, count: 1 };
      if (record.pos === from.pos && atPos.count <= from.skip) continue;
      const found = foundAnswer(release, record, privacy);
      if (found.belowFloor && hidesBelowFloor(privacy)) continue;
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
  /** `latest`: the id `freq/latest` points to, when the caller already read it. */
  async dataset(releaseId: string, latest?: string | null): Promise<Dataset> {
    const release = await this.releases.get(releaseId);
    const { summary } = release;
    latest ??= await this.releases.latestId();
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
    const latest = await this.releases.latestId();
    return Promise.all((await this.releases.ids()).map((id) => this.dataset(id, latest)));
  }

  /** Everything a release has at a position, for operators (`harmonise frequency lookup`). */
  position(query: { releaseId: string; chrom: string; pos: number }): Promise<PositionLookup> {
    return lookupPosition(this.releases, query);
  }
}
