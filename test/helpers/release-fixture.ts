/**
 * A small published release written straight into a data root, for API tests that need one
 * without cutting it (the demo end-to-end test cuts a real one): a pipeline-1 style VCF with
 * chosen counts (common, below the floor, one region under the floor), bgzipped and indexed with
 * the real tools, an all-sites AN track with a run no genome covers, and its summary.json.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';

export const FIXTURE_RELEASE_ID = '20261201T000000.000Z';
export const FIXTURE_REGIONS = ['hovedstaden', 'syddanmark'] as const;

/** One fixture variant: its AC and AN per region (hovedstaden, syddanmark). */
export interface FixtureVariant {
  pos: number;
  ref: string;
  alt: string;
  ac: [number, number];
  an: [number, number];
  nhomalt: [number, number];
}

export const FIXTURE_VARIANTS: FixtureVariant[] = [
  // Common everywhere: every count shown.
  { pos: 1000, ref: 'A', alt: 'G', ac: [12, 30], an: [40, 60], nhomalt: [2, 9] },
  // National 7, hovedstaden 2: hovedstaden hidden, so syddanmark (5) must be too.
  { pos: 2000, ref: 'C', alt: 'T', ac: [2, 5], an: [40, 60], nhomalt: [0, 1] },
  // National 3: below the floor.
  { pos: 3000, ref: 'G', alt: 'A', ac: [1, 2], an: [40, 60], nhomalt: [0, 0] },
  // Two alleles at one position (a split multi-allelic site), a deletion among them.
  { pos: 4000, ref: 'TA', alt: 'T', ac: [10, 0], an: [40, 60], nhomalt: [5, 0] },
  { pos: 4000, ref: 'T', alt: 'C', ac: [0, 8], an: [40, 60], nhomalt: [0, 1] },
];

/** Positions the fixture's AN track covers with no genome called (AN 0). */
export const FIXTURE_UNCOVERED = { chrom: 'chr1', start: 50_001, end: 60_000 };

const SEQUENCES = [
  { name: 'chr1', length: 300_000 },
  { name: 'chr2', length: 200_000 },
  { name: 'chr3', length: 100_000 },
];

function infoOf(v: FixtureVariant): string {
  const af = (ac: number, an: number) => (an === 0 ? '.' : String(Number((ac / an).toFixed(6))));
  const [ac, an, hom] = [v.ac[0] + v.ac[1], v.an[0] + v.an[1], v.nhomalt[0] + v.nhomalt[1]];
  const fields = [`AC=${ac}`, `AN=${an}`, `AF=${af(ac, an)}`, `nhomalt=${hom}`];
  FIXTURE_REGIONS.forEach((r, i) => {
    fields.push(`AC_${r}=${v.ac[i]}`, `AN_${r}=${v.an[i]}`, `AF_${r}=${af(v.ac[i]!, v.an[i]!)}`);
    fields.push(`nhomalt_${r}=${v.nhomalt[i]}`);
  });
  return fields.join(';');
}

function vcfText(): string {
  const header = [
    '##fileformat=VCFv4.2',
    ...SEQUENCES.map((s) => `##contig=<ID=${s.name},length=${s.length}>`),
    ...['AC', 'AN', 'nhomalt'].flatMap((tag) =>
      ['', ...FIXTURE_REGIONS.map((r) => `_${r}`)].map(
        (suffix) => `##INFO=<ID=${tag}${suffix},Number=1,Type=Integer,Description="${tag}">`,
      ),
    ),
    ...['', ...FIXTURE_REGIONS.map((r) => `_${r}`)].map(
      (suffix) => `##INFO=<ID=AF${suffix},Number=A,Type=Float,Description="AF">`,
    ),
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
  ];
  const records = FIXTURE_VARIANTS.map(
    (v) => `chr1\t${v.pos}\t.\t${v.ref}\t${v.alt}\t.\t.\t${infoOf(v)}`,
  );
  return `${[...header, ...records].join('\n')}\n`;
}

/** Runs of the AN track: 100 alleles everywhere but the uncovered window. */
function trackText(): string {
  const lines = [`#chrom\tstart\tend\tAN\t${FIXTURE_REGIONS.map((r) => `AN_${r}`).join('\t')}`];
  for (const s of SEQUENCES) {
    const runs =
      s.name === FIXTURE_UNCOVERED.chrom
        ? [
            [1, FIXTURE_UNCOVERED.start - 1, 100],
            [FIXTURE_UNCOVERED.start, FIXTURE_UNCOVERED.end, 0],
            [FIXTURE_UNCOVERED.end + 1, s.length, 100],
          ]
        : [[1, s.length, 100]];
    for (const [start, end, an] of runs)
      lines.push(`${s.name}\t${start}\t${end}\t${an}\t${an! * 0.4}\t${an! * 0.6}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `text` to `file`, bgzips it to `file.gz` and indexes it with tabix. */
export async function bgzipAndIndex(
  file: string,
  text: string,
  tabixArgs: string[],
): Promise<void> {
  await fs.writeFile(file, text);
  await execa('bgzip', ['-f', file]);
  await execa('tabix', ['-f', ...tabixArgs, `${file}.gz`]);
}

/** Writes the fixture release and points `freq/latest` at it; returns its folder. */
export async function writeReleaseFixture(dataRoot: string): Promise<string> {
  const dir = path.join(dataRoot, 'freq', 'releases', FIXTURE_RELEASE_ID);
  await fs.mkdir(dir, { recursive: true });
  await bgzipAndIndex(path.join(dir, 'frequencies.vcf'), vcfText(), ['-p', 'vcf']);
  await bgzipAndIndex(path.join(dir, 'an.tsv'), trackText(), ['-s1', '-b2', '-e3', '-c#']);
  const summary = {
    schema: 'harmonise.release/v1',
    releaseId: FIXTURE_RELEASE_ID,
    createdAt: '2026-12-01T00:00:00.000Z',
    pipelineVersion: '1',
    pipelineVersions: ['1'],
    reference: { name: 'harmonise-demo-synthetic-20261126', sequences: SEQUENCES },
    samples: 50,
    samplesPerRegion: { hovedstaden: 20, syddanmark: 30 },
    excluded: [{ sampleId: 'FIXTURE-EXCLUDED-1', reason: 'withdrawn' }],
    sites: FIXTURE_VARIANTS.length,
    tags: { overall: ['AC', 'AN', 'AF', 'nhomalt'], perRegion: [...FIXTURE_REGIONS] },
    files: {
      'frequencies.vcf.gz': { sha256: '0'.repeat(64) },
      'samples.tsv': { sha256: '1'.repeat(64) },
    },
    privacy: { floor: 5, belowFloor: 'flag' },
  };
  await fs.writeFile(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await fs.symlink(
    path.join('releases', FIXTURE_RELEASE_ID),
    path.join(dataRoot, 'freq', 'latest'),
  );
  return dir;
}
