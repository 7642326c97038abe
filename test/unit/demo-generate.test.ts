// Runs the real demo generator (samtools, bwa, bcftools, tabix, dwgsim) into temp folders.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SEED,
  MissingToolError,
  generateDemo,
  type DemoLayout,
} from '../../src/demo/generate.ts';
import { cacheEntry } from '../../src/demo/cache.ts';
import {
  DEMO_SEX_CHROMOSOMES,
  DEMO_SUBMISSIONS,
  NATIONAL_PIPELINE_VERSION,
  UNCOVERED,
} from '../../src/demo/model.ts';
import { karyotypeFromDepth } from '../../src/domain/karyotype.ts';
import { depthRatiosFromBedcov, karyotypeRegions } from '../../src/domain/karyotype-depth.ts';

const TIMEOUT = 180_000;
const roots: string[] = [];
let root = '';
let layout: DemoLayout;

const newRoot = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'harmonise-demo-'));
  roots.push(dir);
  return dir;
};
const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

type ManifestFile = { path: string; kind: string; md5?: string; sha256?: string };
type ManifestSample = {
  sampleId: string;
  readType: string;
  karyotype?: string;
  files: ManifestFile[];
};
type Manifest = { schema: string; region: string; submissionId: string; samples: ManifestSample[] };
const readManifest = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
const sampleNamed = (id: string) => layout.samples.find((s) => s.sampleId === id)!;
const subDir = (id: string) =>
  layout.submissions.find((x) => x.submissionId === sampleNamed(id).submissionId)!.dir;
/** The absolute path of the sample's file of this kind, from its manifest. */
async function fileOf(id: string, kind: string): Promise<string> {
  const manifest = await readManifest(subDir(id));
  const file = manifest.samples.find((s) => s.sampleId === id)!.files.find((f) => f.kind === kind);
  return path.join(subDir(id), file!.path);
}
const lines = (text: string) => text.split('\n').filter(Boolean);
const gunzipText = async (file: string) => gunzipSync(await readFile(file)).toString('latin1');
/** A CRAM's header as the file has it (no @PG added by the reading samtools). */
const cramHeader = async (cram: string) =>
  lines(
    (await execa('samtools', ['view', '-H', '--no-PG', '-T', layout.referenceFasta, cram])).stdout,
  );
const pipelineSequences = async (version: string) =>
  (
    JSON.parse(await readFile(`pipelines/${version}.json`, 'utf8')) as {
      reference: { sequences: unknown[] };
    }
  ).reference.sequences;
/** Bases a sample's two haplotypes hold, halved: what its reads cover at the target depth. */
const diploidLength = (s: DemoLayout['samples'][number]) => {
  const gaps = [UNCOVERED, ...(s.zeroCoverage ? [s.zeroCoverage] : [])];
  const autosomes = 600_000 - gaps.reduce((n, g) => n + g.end - g.start + 1, 0);
  // XY: one chrX, one chrY and a second copy of the 20 kb PAR.
  return autosomes + (s.karyotype === 'XX' ? 150_000 : (150_000 + 60_000 + 20_000) / 2);
};

beforeAll(async () => {
  root = await newRoot();
  // Under test/run.sh, from the suite's demo cache (made once for every demo run of the suite);
  // the test of a generation elsewhere below then also shows the copy equals a generation.
  const cacheDir = process.env.HARMONISE_DEMO_CACHE;
  layout = await generateDemo({ dataRoot: root, ...(cacheDir ? { cacheDir } : {}) });
}, TIMEOUT);

afterAll(async () => {
  await Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('generateDemo', () => {
  it('describes the data root, the policy and every sample in layout.json', async () => {
    expect(layout.seed).toBe(DEFAULT_SEED);
    expect(layout.pipelineVersion).toBe(NATIONAL_PIPELINE_VERSION);
    expect(layout.referenceFasta).toBe(path.join(root, 'reference', '2', 'genome.fa'));
    expect(layout.references.map((r) => [r.version, r.fasta])).toEqual([
      ['1', path.join(root, 'reference', '1', 'genome.fa')],
      ['2', layout.referenceFasta],
    ]);
    expect(layout.sexChromosomes).toEqual(DEMO_SEX_CHROMOSOMES);
    expect(layout.uncovered).toEqual(UNCOVERED);
    expect(layout.submissions.map((s) => s.dir)).toEqual([
      path.join(root, 'inbox', 'hovedstaden', 'HOV-2026-0001'),
      path.join(root, 'inbox', 'syddanmark', 'RSD-2026-0001'),
      path.join(root, 'inbox', 'midtjylland', 'MID-2026-0001'),
      path.join(root, 'inbox', 'nordjylland', 'NOR-2026-0001'),
    ]);
    expect(layout.policy).toEqual({
      schema: 'harmonise.policy/v1',
      default: 'full',
      regions: { midtjylland: 'partial', nordjylland: 'none' },
    });
    const table = layout.samples.map((s) =>
      [s.sampleId, s.region, s.expectedMode, s.kinds.join(','), s.readType].join(' '),
    );
    expect(table).toEqual([
      'HOV001 hovedstaden full fastq-r1,fastq-r2 short',
      'HOV002 hovedstaden full fastq-r1,fastq-r2 short',
      'HOV003 hovedstaden full fastq-r1,fastq-r2 short',
      'RSD001 syddanmark full fastq-r1,fastq-r2 short',
      'RSD002 syddanmark full fastq-r1,fastq-r2 short',
      'RSD003 syddanmark full fastq-r1,fastq-r2 short',
      'RSD004 syddanmark full fastq long',
      'RSD005 syddanmark full ucram short',
      'MID001 midtjylland partial cram,crai,gvcf,tbi short',
      'MID002 midtjylland partial cram,crai short',
      'NOR001 nordjylland none cram,crai,gvcf,tbi short',
    ]);
    expect(layout.samples.filter((s) => s.zeroCoverage).map((s) => s.sampleId)).toEqual(['HOV002']);
    expect(layout.samples.map((s) => `${s.karyotype}${s.statedKaryotype ?? '-'}`)).toEqual([
      ...['XXXX', 'XYXY', 'XX-', 'XY-', 'XXXY', 'XYXY', 'XXXX', 'XY-', 'XYXY', 'XX-', 'XYXY'],
    ]);
    const onDisk: unknown = JSON.parse(
      await readFile(path.join(root, 'demo', 'layout.json'), 'utf8'),
    );
    expect(onDisk).toEqual(layout);
    // Scratch and staging folders are gone.
    expect((await readdir(path.join(root, 'demo'))).sort()).toEqual(['layout.json', 'truth']);
    for (const sub of layout.submissions) {
      expect(await readdir(path.dirname(sub.dir))).toEqual([sub.submissionId]);
    }
    expect((await readdir(path.join(root, 'reference'))).sort()).toEqual(['1', '2']);
  });

  it('writes dict M5 tags equal to the md5 of the uppercase sequences, as the specs list', async () => {
    for (const reference of layout.references) {
      const fasta = await readFile(reference.fasta, 'utf8');
      const computed = fasta
        .split('>')
        .slice(1)
        .map((record) => {
          const [name, ...rows] = record.split('\n');
          const seq = rows.join('').toUpperCase();
          return { name: name!, length: seq.length, md5: md5(Buffer.from(seq)) };
        });
      expect(reference.sequences).toEqual(computed);
      // samtools dict's M5 is what the pipeline spec of the same version lists.
      const dict = await readFile(reference.fasta.replace(/\.fa$/, '.dict'), 'utf8');
      const m5 = lines(dict)
        .filter((l) => l.startsWith('@SQ'))
        .map((l) => {
          const [, name, length, md5sum] = /\tSN:(\S+)\tLN:(\d+)\tM5:(\S+)/.exec(l)!;
          return { name: name!, length: Number(length), md5: md5sum! };
        });
      expect(m5).toEqual(computed);
      expect(m5).toEqual(await pipelineSequences(reference.version));
      for (const suffix of ['.fai', '.amb', '.ann', '.bwt', '.pac', '.sa']) {
        await expect(stat(reference.fasta + suffix)).resolves.toBeTruthy();
      }
    }
    expect(layout.sequences.map((c) => [c.name, c.length])).toEqual([
      ['chr1', 300_000],
      ['chr2', 200_000],
      ['chr3', 100_000],
      ['chrX', 150_000],
      ['chrY', 60_000],
    ]);
    // Pipeline 1's reference is the same chr1–3.
    expect(layout.references[0]!.sequences).toEqual(layout.sequences.slice(0, 3));
  });

  it('writes manifests listing each sample’s kinds with checksums that match', async () => {
    for (const sub of layout.submissions) {
      const manifest = await readManifest(sub.dir);
      expect(manifest.schema).toBe('harmonise.submission/v1');
      expect([manifest.region, manifest.submissionId]).toEqual([sub.region, sub.submissionId]);
      const expected = layout.samples.filter((s) => s.submissionId === sub.submissionId);
      expect(
        manifest.samples.map((s) => [s.sampleId, s.readType, s.files.map((f) => f.kind)]),
      ).toEqual(expected.map((s) => [s.sampleId, s.readType, s.kinds]));
      // A karyotype only where the region states one.
      expect(manifest.samples.map((s) => s.karyotype ?? null)).toEqual(
        expected.map((s) => s.statedKaryotype),
      );
      for (const s of manifest.samples) expect('karyotype' in s).toBe(s.karyotype !== undefined);
      for (const s of manifest.samples) {
        for (const f of s.files) {
          expect(f.path.startsWith(`${s.sampleId}/`)).toBe(true);
          expect(f.md5 ?? f.sha256).toBeTruthy();
          const data = await readFile(path.join(sub.dir, f.path));
          expect(f.md5 ?? md5(data)).toBe(md5(data));
          expect(f.sha256 ?? sha256(data)).toBe(sha256(data));
        }
      }
      const text = await readFile(path.join(sub.dir, 'manifest.json'), 'utf8');
      expect(text).toBe(JSON.stringify(manifest, null, 2) + '\n');
    }
    const all = (await Promise.all(layout.submissions.map((s) => readManifest(s.dir)))).flatMap(
      (m) => m.samples.flatMap((s) => s.files),
    );
    expect(all.some((f) => f.md5 && f.sha256)).toBe(true);
    expect(all.some((f) => f.md5 && !f.sha256)).toBe(true);
    expect(all.some((f) => !f.md5 && f.sha256)).toBe(true);
  });

  it('simulates paired FASTQ at about 25x with equal R1/R2 counts and unique names', async () => {
    const paired = layout.samples.filter((s) => s.kinds.includes('fastq-r1'));
    expect(paired).toHaveLength(6);
    for (const s of paired) {
      const [r1, r2] = await Promise.all(
        ['fastq-r1', 'fastq-r2'].map(async (kind) => {
          const text = await gunzipText(await fileOf(s.sampleId, kind));
          return text.split('\n').filter((_, i) => i % 4 === 0);
        }),
      );
      const names1 = r1!.filter((l) => l.startsWith('@'));
      const names2 = r2!.filter((l) => l.startsWith('@'));
      expect(names1.length).toBe(names2.length);
      expect(new Set(names1).size).toBe(names1.length);
      expect(names1.some((n) => n.startsWith(`@${s.sampleId}.h1_`))).toBe(true);
      expect(names1.some((n) => n.startsWith(`@${s.sampleId}.h2_`))).toBe(true);
      const coverage = (names1.length * 2 * 150) / diploidLength(s);
      expect(coverage).toBeGreaterThan(20);
      expect(coverage).toBeLessThan(30);
    }
  });

  it('gives RSD004 HiFi-like long reads of 8–15 kb at about 20x, from both haplotypes', async () => {
    const rows = lines(await gunzipText(await fileOf('RSD004', 'fastq')));
    const names = rows.filter((_, i) => i % 4 === 0);
    const seqs = rows.filter((_, i) => i % 4 === 1);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => /^@RSD004\.h[12]\/\d+\/ccs$/.test(n))).toBe(true);
    expect(names.some((n) => n.startsWith('@RSD004.h1/'))).toBe(true);
    expect(names.some((n) => n.startsWith('@RSD004.h2/'))).toBe(true);
    for (const seq of seqs) {
      expect(seq.length).toBeGreaterThanOrEqual(8_000);
      expect(seq.length).toBeLessThanOrEqual(15_000);
    }
    const depth = seqs.reduce((n, q) => n + q.length, 0) / diploidLength(sampleNamed('RSD004'));
    expect(depth).toBeGreaterThan(19);
    expect(depth).toBeLessThan(22);
    expect(rows.filter((_, i) => i % 4 === 3).every((q, i) => q.length === seqs[i]!.length)).toBe(
      true,
    );
  });

  it('gives RSD005 an unaligned CRAM that samtools fastq -N turns back into /1 /2 pairs', async () => {
    const cram = await fileOf('RSD005', 'ucram');
    const header = await cramHeader(cram);
    expect(header.filter((l) => l.startsWith('@SQ'))).toEqual([]);
    expect(header).toContain('@RG\tID:RSD005\tSM:RSD005\tPL:ILLUMINA');
    const { stdout } = await execa('samtools', ['fastq', '-N', cram], { stripFinalNewline: false });
    const names = lines(stdout).filter((_, i) => i % 4 === 0);
    const first = names.filter((n) => n.endsWith('/1'));
    const second = names.filter((n) => n.endsWith('/2'));
    expect(first.length).toBeGreaterThan(40_000);
    expect(first.length + second.length).toBe(names.length);
    expect(second.map((n) => n.slice(0, -2))).toEqual(first.map((n) => n.slice(0, -2)));
    expect(names[0]).toMatch(/^@RSD005\.h1_/);
  });

  it.each(['MID001', 'NOR001'])(
    '%s submits a bwa CRAM on the national reference, with an index',
    async (id) => {
      const cram = await fileOf(id, 'cram');
      expect(await fileOf(id, 'crai')).toBe(`${cram}.crai`);
      const header = await cramHeader(cram);
      const m5s = header
        .filter((l) => l.startsWith('@SQ'))
        .map((l) => /\tSN:(\S+).*\tM5:([0-9a-f]{32})/.exec(l)!.slice(1));
      expect(m5s).toEqual(layout.sequences.map((s) => [s.name, s.md5]));
      const pgs = header.filter((l) => l.startsWith('@PG'));
      expect(pgs.some((l) => l.includes('\tID:bwa\t') && l.includes('CL:bwa mem'))).toBe(true);
      expect(pgs.some((l) => l.includes('CL:samtools markdup'))).toBe(true);
      expect(header.join('\n')).not.toContain(root);
      expect(header.join('\n')).not.toMatch(/\t(UR|CL):[^\t]*\s\//);
      // The index works: a region query needs it.
      const query = ['view', '-c', '-T', layout.referenceFasta, cram, 'chr3:50001-50300'];
      expect(Number((await execa('samtools', query)).stdout)).toBeGreaterThan(10);
    },
  );

  it('gives MID002 a CRAM on the national reference made by minimap2, not bwa', async () => {
    const header = await cramHeader(await fileOf('MID002', 'cram'));
    const m5s = header.filter((l) => l.startsWith('@SQ')).map((l) => /\tM5:(\S+)/.exec(l)![1]);
    expect(m5s).toEqual(layout.sequences.map((s) => s.md5));
    const pgs = header.filter((l) => l.startsWith('@PG'));
    expect(pgs.some((l) => l.includes('\tID:minimap2\t') && l.includes('-ax sr'))).toBe(true);
    expect(pgs.filter((l) => /bwa/.test(l))).toEqual([]);
    expect(header.join('\n')).not.toContain(root);
    await expect(stat(await fileOf('MID002', 'crai'))).resolves.toBeTruthy();
  });

  it.each(['MID001', 'NOR001'])('%s submits an indexed gVCF with reference blocks', async (id) => {
    const gvcf = await fileOf(id, 'gvcf');
    expect(await fileOf(id, 'tbi')).toBe(`${gvcf}.tbi`);
    // Both are XY: reads on every sequence.
    expect(lines((await execa('tabix', ['-l', gvcf])).stdout)).toEqual(
      layout.sequences.map((q) => q.name),
    );
    // Called as a region that knows nothing of sex would: diploid everywhere, chrY included.
    const gts = await execa('bcftools', [
      'query',
      '-r',
      'chrX:30001-150000,chrY',
      '-f',
      '[%GT]\n',
      gvcf,
    ]);
    expect(lines(gts.stdout).length).toBeGreaterThan(100);
    expect(lines(gts.stdout).every((gt) => gt.includes('/'))).toBe(true);
    const header = await execa('bcftools', ['view', '-h', '--no-version', gvcf]);
    expect(header.stdout).not.toContain(root);
    expect(header.stdout).not.toMatch(/bcftools_(mpileup|call)Command/);
    expect(lines(header.stdout).at(-1)!.split('\t').at(-1)).toBe(id);
    const records = lines((await execa('bcftools', ['view', '-H', gvcf])).stdout).map((l) =>
      l.split('\t'),
    );
    const blocks = records.filter((r) => r[4] === '.' && /(^|;)END=\d+/.test(r[7]!));
    const variants = records.filter((r) => r[4] !== '.' && r[4] !== '<*>');
    expect(blocks.length).toBeGreaterThan(1_000);
    expect(variants.length).toBeGreaterThan(80);
    const inChr2 = await execa('tabix', [gvcf, 'chr2:100000-100100']);
    expect(lines(inChr2.stdout).length).toBeGreaterThan(0);
  });

  it('writes bgzipped, indexed truth VCFs; HOV002 has none in its gap, others do', async () => {
    for (const s of layout.samples) {
      const contigs = await execa('tabix', ['-l', s.truthVcf]);
      const sex = s.karyotype === 'XY' ? ['chrX', 'chrY'] : ['chrX'];
      expect(contigs.stdout.split('\n')).toEqual(['chr1', 'chr2', 'chr3', ...sex]);
      // Haploid `1` exactly where an XY sample has one copy: outside the PAR on chrX, on chrY.
      const rows = await execa('bcftools', ['query', '-f', '%CHROM\t%POS\t[%GT]\n', s.truthVcf]);
      for (const [chrom, pos, gt] of lines(rows.stdout).map((l) => l.split('\t'))) {
        const haploid =
          s.karyotype === 'XY' && (chrom === 'chrY' || (chrom === 'chrX' && Number(pos) > 20_000));
        expect(gt, `${s.sampleId} ${chrom}:${pos}`).toMatch(haploid ? /^1$/ : /^(0\/1|1\/1)$/);
      }
      const header = await execa('bcftools', ['view', '-h', s.truthVcf]);
      expect(header.stdout).toContain('##fileformat=VCFv4.2');
      expect(header.stdout.trimEnd().split('\n').at(-1)!.split('\t').at(-1)).toBe(s.sampleId);
      const gap = await execa('bcftools', ['view', '-H', '-r', 'chr2:100001-120000', s.truthVcf]);
      const inGap = gap.stdout.split('\n').filter(Boolean).length;
      if (s.sampleId === 'HOV002') expect(inGap).toBe(0);
      else expect(inGap).toBeGreaterThan(0);
    }
  });

  it('leaves the uncovered stretch without reads in a region-made CRAM', async () => {
    const cram = await fileOf('MID001', 'cram');
    const count = async (from: number, to: number) => {
      const region = `${UNCOVERED.contig}:${from}-${to}`;
      const args = ['view', '-c', '-T', layout.referenceFasta, cram, region];
      return Number((await execa('samtools', args)).stdout);
    };
    expect(await count(UNCOVERED.start, UNCOVERED.end)).toBe(0);
    // Just outside it, on either side, the reads are there.
    expect(await count(UNCOVERED.start - 2_000, UNCOVERED.start - 1_000)).toBeGreaterThan(50);
    expect(await count(UNCOVERED.end + 1_000, UNCOVERED.end + 2_000)).toBeGreaterThan(50);
  });

  it.each([
    ['MID001', 'XY'],
    ['MID002', 'XX'],
  ])('gives %s a CRAM whose depth on chrX and chrY says %s', async (id, karyotype) => {
    const bed = path.join(await newRoot(), 'karyotype.bed');
    const regions = karyotypeRegions(DEMO_SEX_CHROMOSOMES, layout.sequences);
    await writeFile(bed, regions.join('\n') + '\n');
    const args = ['bedcov', '-Q', '20', '-j', '--reference', layout.referenceFasta, bed];
    const { stdout } = await execa('samtools', [...args, await fileOf(id, 'cram')]);
    const ratios = depthRatiosFromBedcov(stdout)!;
    expect(ratios.xAutosome).toBeCloseTo(karyotype === 'XY' ? 0.5 : 1, 1);
    expect(ratios.yAutosome).toBeCloseTo(karyotype === 'XY' ? 0.5 : 0, 1);
    expect(karyotypeFromDepth(ratios)).toBe(karyotype);
    expect(sampleNamed(id).karyotype).toBe(karyotype);
  });

  it(
    'returns the same layout on a second call without rewriting anything',
    async () => {
      const files = await listFiles(root);
      const before = await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs));
      const logs: string[] = [];
      const again = await generateDemo({ dataRoot: root, log: (m) => logs.push(m) });
      expect(again).toEqual(layout);
      // It found the data complete and made nothing: no reference, truth or sample step ran.
      expect(logs).toEqual([`demo data for seed ${DEFAULT_SEED} already complete under ${root}`]);
      // A subset of the regions is already there too.
      const nordLogs: string[] = [];
      const nord = await generateDemo({
        dataRoot: root,
        regions: ['nordjylland'],
        log: (m) => nordLogs.push(m),
      });
      expect(nordLogs).toEqual(logs);
      expect(nord.samples.map((s) => s.sampleId)).toEqual(['NOR001']);
      expect(nord.submissions).toEqual(
        layout.submissions.filter((s) => s.region === 'nordjylland'),
      );
      expect(await listFiles(root)).toEqual(files);
      expect(await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs))).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    'gives byte-identical reference, files and manifests for the same seed elsewhere',
    async () => {
      // A longer path than the first root, so any absolute path in a header would show.
      const other = path.join(await newRoot(), 'a', 'much', 'longer', 'data-root');
      const second = await generateDemo({ dataRoot: other, regions: ['midtjylland'] });
      expect(second.sequences).toEqual(layout.sequences);
      expect(second.policy).toEqual(layout.policy);
      expect(second.submissions.map((s) => s.submissionId)).toEqual(['MID-2026-0001']);
      expect(second.samples.map((s) => ({ ...s, truthVcf: '' }))).toEqual(
        layout.samples
          .filter((s) => s.region === 'midtjylland')
          .map((s) => ({ ...s, truthVcf: '' })),
      );
      expect(await readdir(path.join(other, 'inbox'))).toEqual(['midtjylland']);
      const same = async (a: string) => {
        const b = path.join(other, path.relative(root, a));
        expect(md5(await readFile(b)), b).toBe(md5(await readFile(a)));
      };
      await same(layout.referenceFasta);
      const dir = layout.submissions.find((s) => s.region === 'midtjylland')!.dir;
      const files = await listFiles(dir);
      expect(files.map((f) => path.relative(dir, f)).sort()).toEqual([
        'MID001/MID001.cram',
        'MID001/MID001.cram.crai',
        'MID001/MID001.g.vcf.gz',
        'MID001/MID001.g.vcf.gz.tbi',
        'MID002/MID002.cram',
        'MID002/MID002.cram.crai',
        'manifest.json',
      ]);
      for (const f of files) await same(f);
      for (const s of second.samples) await same(sampleNamed(s.sampleId).truthVcf);
    },
    TIMEOUT,
  );

  it(
    'copies a cache entry’s submissions byte for byte, without simulating them again',
    async () => {
      // A complete generation of the whole table is what a cache entry holds: the first root.
      const cacheDir = await newRoot();
      const entry = await cacheEntry(cacheDir, DEFAULT_SEED, DEMO_SUBMISSIONS);
      await cp(root, entry, { recursive: true });
      const other = await newRoot();
      const logs: string[] = [];
      const copied = await generateDemo({
        dataRoot: other,
        regions: ['hovedstaden', 'nordjylland'],
        cacheDir,
        log: (m) => logs.push(m),
      });
      expect(copied.samples.map((s) => s.sampleId)).toEqual([
        'HOV001',
        'HOV002',
        'HOV003',
        'NOR001',
      ]);
      expect(logs.filter((m) => m.includes('copied from the cache'))).toHaveLength(2);
      expect(logs.filter((m) => /^sample /.test(m))).toEqual([]); // nothing simulated
      for (const sub of copied.submissions) {
        const mine = await listFiles(sub.dir);
        const cached = path.join(root, path.relative(other, sub.dir));
        expect(mine.map((f) => path.relative(sub.dir, f)).sort()).toEqual(
          (await listFiles(cached)).map((f) => path.relative(cached, f)).sort(),
        );
        for (const f of mine) {
          const original = path.join(cached, path.relative(sub.dir, f));
          expect(md5(await readFile(f)), f).toBe(md5(await readFile(original)));
        }
      }
      // The reference and truth are made in the data root itself, not taken from the cache.
      expect(copied.referenceFasta.startsWith(other)).toBe(true);
      await stat(`${copied.referenceFasta}.bwt`);
      for (const s of copied.samples) await stat(s.truthVcf);
      expect(await readdir(path.join(other, 'inbox'))).toEqual(['hovedstaden', 'nordjylland']);
    },
    TIMEOUT,
  );

  it('refuses a submission folder made by another version of the generator', async () => {
    const other = await newRoot();
    const dir = path.join(other, 'inbox', 'nordjylland', 'NOR-2026-0001');
    await mkdir(dir, { recursive: true });
    const old = { samples: [{ sampleId: 'NOR001', files: [{ path: 'x', kind: 'fastq-r1' }] }] };
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(old));
    await expect(generateDemo({ dataRoot: other, regions: ['nordjylland'] })).rejects.toThrow(
      /another demo generator.*NOR001 fastq-r1.*NOR001 XY cram crai gvcf tbi/,
    );
    await expect(generateDemo({ dataRoot: other, regions: ['sjaelland'] })).rejects.toThrow(
      /no demo region sjaelland/,
    );
  });

  it('names the missing tool and its Debian package', async () => {
    const savedPath = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      const err = await generateDemo({ dataRoot: await newRoot() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingToolError);
      expect((err as Error).message).toMatch(/'bwa'.*Debian package 'bwa'/);
    } finally {
      process.env['PATH'] = savedPath;
    }
  });
});
