/**
 * The published releases the lookup reads, each opened once: its summary, its VCF and AN track
 * through their tabix indexes (@gmod/tabix, in this process, no process per lookup), and the
 * reference it is on (@gmod/indexedfasta, for normalising queried variants). `latest` is
 * resolved on every call, so a new release is answered as soon as `freq/latest` moves.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { IndexedFasta } from '@gmod/indexedfasta';
import { TabixIndexedFile } from '@gmod/tabix';
import { z } from 'zod';
import { FREQUENCY_OUTPUTS } from '../domain/shards.ts';
import { HarmoniseError, UsageError } from '../errors.ts';
import { AN_TRACK_FILES } from '../frequency/files.ts';
import { pathExists, readJsonIfExists } from '../store/atomic.ts';
import type { Layout } from '../store/layout.ts';
import type { PipelineRegistry } from '../store/pipelines.ts';
import { BELOW_FLOOR_POLICIES } from './answer.ts';
import { OpenFile } from './open-file.ts';
import type { ReferenceBases } from './variant-id.ts';

/** What the lookup needs of a release's summary.json (it holds more). */
const summarySchema = z.looseObject({
  releaseId: z.string(),
  createdAt: z.string(),
  pipelineVersion: z.string(),
  reference: z.looseObject({
    name: z.string(),
    sequences: z.array(z.looseObject({ name: z.string(), length: z.number() })),
  }),
  samples: z.number(),
  samplesPerRegion: z.record(z.string(), z.number()),
  samplesPerKaryotype: z.record(z.string(), z.number()).optional(),
  sites: z.number(),
  tags: z.looseObject({ perRegion: z.array(z.string()), strata: z.array(z.string()).optional() }),
  files: z.record(z.string(), z.object({ sha256: z.string() })),
  anTrack: z
    .looseObject({
      coverage: z.looseObject({
        referenceBases: z.number(),
        fractionAtLeast80PercentOfMaxAN: z.number(),
      }),
    })
    .optional(),
  privacy: z
    .looseObject({ floor: z.number().int().positive(), belowFloor: z.enum(BELOW_FLOOR_POLICIES) })
    .optional(),
});
export type ReleaseSummary = z.infer<typeof summarySchema>;

export interface OpenRelease {
  id: string;
  dir: string;
  summary: ReleaseSummary;
  vcf: TabixIndexedFile;
  /** The all-sites AN track and its column names, or null (a release cut before it existed). */
  track: { file: TabixIndexedFile; columns: string[] } | null;
  /** The reference's bases, or null when its FASTA is no longer where the pipeline says. */
  reference: ReferenceBases | null;
}

const indexed = (file: string) =>
  new TabixIndexedFile({
    filehandle: new OpenFile(file),
    tbiFilehandle: new OpenFile(`${file}.tbi`),
  });

/** The lines of an indexed file overlapping 1-based [start, end]. */
export async function linesIn(
  file: TabixIndexedFile,
  chrom: string,
  start: number,
  end: number,
): Promise<string[]> {
  const lines: string[] = [];
  await file.getLines(chrom, start - 1, end, { lineCallback: (line: string) => lines.push(line) });
  return lines;
}

export class ReleaseFiles {
  private readonly open = new Map<string, Promise<OpenRelease>>();

  constructor(
    private readonly layout: Layout,
    private readonly pipelines: PipelineRegistry,
  ) {}

  /** The release's id: the one named, or the one `freq/latest` points to. */
  async resolve(releaseId: string): Promise<string> {
    if (releaseId !== 'latest') return releaseId;
    const target = await fs.readlink(this.layout.latestLink).catch(() => null);
    if (target === null) throw new HarmoniseError('NOT_FOUND', 'no release has been published yet');
    return path.basename(target);
  }

  async latestId(): Promise<string | null> {
    return this.resolve('latest').catch(() => null);
  }

  async get(releaseId: string): Promise<OpenRelease> {
    const id = await this.resolve(releaseId);
    let opening = this.open.get(id);
    if (opening === undefined) {
      opening = this.load(id);
      this.open.set(id, opening);
      // A release that failed to open (not published yet) is tried afresh next time.
      opening.catch(() => this.open.delete(id));
    }
    return opening;
  }

  /** Published releases, newest first. */
  async ids(): Promise<string[]> {
    const dir = this.layout.releasesDir;
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const published: string[] = [];
    for (const name of names.sort().reverse())
      if (await pathExists(path.join(dir, name, 'summary.json'))) published.push(name);
    return published;
  }

  private async load(id: string): Promise<OpenRelease> {
    let dir: string;
    try {
      dir = this.layout.releaseDir(id);
    } catch {
      throw new UsageError(`"${id}" is not a release id (such as 20261126T171500.123Z)`);
    }
    const raw = await readJsonIfExists(path.join(dir, 'summary.json'));
    if (raw === undefined) throw new HarmoniseError('NOT_FOUND', `no published release ${id}`);
    const summary = summarySchema.parse(raw);
    const trackFile = path.join(dir, AN_TRACK_FILES.track);
    let track: OpenRelease['track'] = null;
    if (await pathExists(trackFile)) {
      const file = indexed(trackFile);
      const header = (await file.getHeader()).split('\n').find((line) => line.startsWith('#'));
      if (!header) throw new Error(`${trackFile} has no header line`);
      track = { file, columns: header.slice(1).split('\t') };
    }
    return {
      id,
      dir,
      summary,
      vcf: indexed(path.join(dir, FREQUENCY_OUTPUTS.vcf)),
      track,
      reference: await this.referenceOf(summary.pipelineVersion),
    };
  }

  private async referenceOf(pipelineVersion: string): Promise<ReferenceBases | null> {
    const pipeline = await this.pipelines.load(pipelineVersion).catch(() => null);
    if (pipeline === null || !(await pathExists(`${pipeline.referenceFasta}.fai`))) return null;
    const fasta = new IndexedFasta({
      fasta: new OpenFile(pipeline.referenceFasta),
      fai: new OpenFile(`${pipeline.referenceFasta}.fai`),
    });
    return async (chrom, pos, length) =>
      (await fasta.getSequence(chrom, pos - 1, pos - 1 + length)) ?? '';
  }
}

/** The track's values at a position (`AN`, `AN_<region>`…), or null for a release without one. */
export async function trackAt(
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
