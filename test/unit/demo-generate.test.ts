// Runs the real demo generator (samtools, bwa, bcftools, tabix, dwgsim) into temp folders.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
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
} from '../../infra/demo/generate.ts';

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

interface ManifestFile {
  path: string;
  kind: string;
  md5?: string;
  sha256?: string;
}
interface Manifest {
  schema: string;
  region: string;
  submissionId: string;
  pipeline: { name: string; version: string };
  samples: { sampleId: string; readType: string; files: ManifestFile[] }[];
}
const readManifest = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;

beforeAll(async () => {
  root = await newRoot();
  layout = await generateDemo({ dataRoot: root });
}, TIMEOUT);

afterAll(async () => {
  await Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('generateDemo', () => {
  it('describes the data root in layout.json', async () => {
    expect(layout.seed).toBe(DEFAULT_SEED);
    expect(layout.referenceFasta).toBe(path.join(root, 'reference', '1', 'genome.fa'));
    expect(layout.submissions.map((s) => s.dir)).toEqual([
      path.join(root, 'inbox', 'hovedstaden', 'HOV-2026-0001'),
      path.join(root, 'inbox', 'syddanmark', 'RSD-2026-0001'),
    ]);
    expect(layout.samples.filter((s) => s.zeroCoverage).map((s) => s.sampleId)).toEqual(['HOV002']);
    const onDisk: unknown = JSON.parse(
      await readFile(path.join(root, 'demo', 'layout.json'), 'utf8'),
    );
    expect(onDisk).toEqual(layout);
    // Scratch and staging folders are gone.
    expect((await readdir(path.join(root, 'demo'))).sort()).toEqual(['layout.json', 'truth']);
    expect(await readdir(path.join(root, 'inbox', 'hovedstaden'))).toEqual(['HOV-2026-0001']);
    expect(await readdir(path.join(root, 'reference'))).toEqual(['1']);
  });

  it('writes dict M5 tags equal to the md5 of the uppercase sequences', async () => {
    const fasta = await readFile(layout.referenceFasta, 'utf8');
    const computed = fasta
      .split('>')
      .slice(1)
      .map((record) => {
        const [name, ...lines] = record.split('\n');
        const seq = lines.join('').toUpperCase();
        return { name: name!, length: seq.length, md5: md5(Buffer.from(seq)) };
      });
    expect(layout.sequences).toEqual(computed);
    expect(computed.map((c) => [c.name, c.length])).toEqual([
      ['chr1', 300_000],
      ['chr2', 200_000],
      ['chr3', 100_000],
    ]);
    for (const suffix of ['.fai', '.amb', '.ann', '.bwt', '.pac', '.sa']) {
      await expect(stat(layout.referenceFasta + suffix)).resolves.toBeTruthy();
    }
  });

  it('writes manifests whose checksums match the files', async () => {
    for (const sub of layout.submissions) {
      const manifest = await readManifest(sub.dir);
      expect(manifest.schema).toBe('harmonise.submission/v1');
      expect([manifest.region, manifest.submissionId]).toEqual([sub.region, sub.submissionId]);
      expect(manifest.samples).toHaveLength(3);
      for (const s of manifest.samples) {
        expect(s.files.map((f) => f.kind)).toEqual(['fastq-r1', 'fastq-r2']);
        expect(s.files.some((f) => f.md5 && f.sha256)).toBe(true);
        for (const f of s.files) {
          const data = await readFile(path.join(sub.dir, f.path));
          expect(f.md5 ?? md5(data)).toBe(md5(data));
          expect(f.sha256 ?? sha256(data)).toBe(sha256(data));
        }
      }
      const text = await readFile(path.join(sub.dir, 'manifest.json'), 'utf8');
      expect(text).toBe(JSON.stringify(manifest, null, 2) + '\n');
    }
  });

  it('simulates paired reads at about 25x with equal R1/R2 counts and unique names', async () => {
    for (const s of layout.samples) {
      const dir = layout.submissions.find((x) => x.submissionId === s.submissionId)!.dir;
      const [r1, r2] = await Promise.all(
        ['R1', 'R2'].map(async (r) => {
          const text = gunzipSync(
            await readFile(path.join(dir, s.sampleId, `${s.sampleId}_${r}.fastq.gz`)),
          ).toString('latin1');
          return text.split('\n').filter((_, i) => i % 4 === 0);
        }),
      );
      const names1 = r1!.filter((l) => l.startsWith('@'));
      const names2 = r2!.filter((l) => l.startsWith('@'));
      expect(names1.length).toBe(names2.length);
      expect(new Set(names1).size).toBe(names1.length);
      expect(names1.some((n) => n.startsWith(`@${s.sampleId}.h1_`))).toBe(true);
      expect(names1.some((n) => n.startsWith(`@${s.sampleId}.h2_`))).toBe(true);
      const gap = s.zeroCoverage ? s.zeroCoverage.end - s.zeroCoverage.start + 1 : 0;
      const covered = layout.sequences.reduce((n, q) => n + q.length, 0) - gap;
      const coverage = (names1.length * 2 * 150) / covered;
      expect(coverage).toBeGreaterThan(20);
      expect(coverage).toBeLessThan(30);
    }
  });

  it('writes bgzipped, indexed truth VCFs; HOV002 has none in its gap, others do', async () => {
    for (const s of layout.samples) {
      const contigs = await execa('tabix', ['-l', s.truthVcf]);
      expect(contigs.stdout.split('\n')).toEqual(['chr1', 'chr2', 'chr3']);
      const header = await execa('bcftools', ['view', '-h', s.truthVcf]);
      expect(header.stdout).toContain('##fileformat=VCFv4.2');
      expect(header.stdout.trimEnd().split('\n').at(-1)!.split('\t').at(-1)).toBe(s.sampleId);
      const gap = await execa('bcftools', ['view', '-H', '-r', 'chr2:100001-120000', s.truthVcf]);
      const inGap = gap.stdout.split('\n').filter(Boolean).length;
      if (s.sampleId === 'HOV002') expect(inGap).toBe(0);
      else expect(inGap).toBeGreaterThan(0);
    }
  });

  it(
    'returns the same layout on a second call without rewriting anything',
    async () => {
      const files = await listFiles(root);
      const before = await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs));
      const started = Date.now();
      const again = await generateDemo({ dataRoot: root });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(again).toEqual(layout);
      expect(await listFiles(root)).toEqual(files);
      expect(await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs))).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    'gives byte-identical reference, reads and manifests for the same seed elsewhere',
    async () => {
      const other = await newRoot();
      const second = await generateDemo({ dataRoot: other });
      expect(second.sequences).toEqual(layout.sequences);
      const same = async (a: string) => {
        const b = path.join(other, path.relative(root, a));
        expect(md5(await readFile(b)), b).toBe(md5(await readFile(a)));
      };
      await same(layout.referenceFasta);
      for (const sub of layout.submissions) {
        await same(path.join(sub.dir, 'manifest.json'));
        for (const f of await listFiles(sub.dir)) await same(f);
      }
    },
    TIMEOUT,
  );

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
