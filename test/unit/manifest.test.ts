import { describe, expect, it } from 'vitest';
import { formatJsonPath } from '../../src/domain/issues.ts';
import { looksLikeCpr } from '../../src/domain/ids.ts';
import { parseManifest, type Manifest } from '../../src/domain/manifest.ts';

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function valid(): Manifest {
  return {
    schema: 'harmonise.submission/v1',
    region: 'syddanmark',
    submissionId: 'RSD-2026-0042',
    pipeline: { name: 'rsd-germline', version: '3.1.0' },
    samples: [
      {
        sampleId: 'P000123',
        readType: 'short',
        consent: { research: true },
        files: [
          { path: 'P000123/R1.fastq.gz', kind: 'fastq-r1', md5: MD5 },
          { path: 'P000123/R2.fastq.gz', kind: 'fastq-r2', sha256: SHA },
        ],
      },
    ],
  };
}

/** Applies a change to a fresh valid manifest and returns its JSON text. */
function variant(change: (m: Record<string, any>) => void): string {
  const m = valid() as unknown as Record<string, any>;
  change(m);
  return JSON.stringify(m);
}

describe('parseManifest', () => {
  it('accepts a valid manifest and defaults readType to short', () => {
    const text = variant((m) => delete m.samples[0].readType);
    const parsed = parseManifest(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.manifest.samples[0]!.readType).toBe('short');
  });

  const cases: [string, string, (m: Record<string, any>) => void, string, string][] = [
    [
      'an unknown top-level field',
      'MANIFEST_UNKNOWN_FIELD',
      (m) => (m.extra = 1),
      'extra',
      'unknown field',
    ],
    [
      'an unknown file field',
      'MANIFEST_UNKNOWN_FIELD',
      (m) => (m.samples[0].files[0].size = 3),
      'samples[0].files[0].size',
      'unknown field',
    ],
    ['a missing region', 'MANIFEST_MISSING_FIELD', (m) => delete m.region, 'region', ''],
    ['a wrong schema', 'MANIFEST_INVALID_VALUE', (m) => (m.schema = 'v2'), 'schema', ''],
    [
      'a region in capitals',
      'MANIFEST_INVALID_FORMAT',
      (m) => (m.region = 'Syddanmark'),
      'region',
      '',
    ],
    [
      'consent of the wrong type',
      'MANIFEST_INVALID_TYPE',
      (m) => (m.samples[0].consent.research = 'yes'),
      'samples[0].consent.research',
      'boolean',
    ],
    [
      'a CPR-like sample id',
      'ID_LOOKS_LIKE_CPR',
      (m) => (m.samples[0].sampleId = '010190-1234'),
      'samples[0].sampleId',
      'CPR',
    ],
    [
      'a CPR-like sample id without dash',
      'ID_LOOKS_LIKE_CPR',
      (m) => (m.samples[0].sampleId = '0101901234'),
      'samples[0].sampleId',
      'CPR',
    ],
    [
      'a sample id with a slash',
      'MANIFEST_INVALID_FORMAT',
      (m) => (m.samples[0].sampleId = 'a/b'),
      'samples[0].sampleId',
      '',
    ],
    [
      'a file without checksum',
      'MANIFEST_CHECKSUM_MISSING',
      (m) => delete m.samples[0].files[0].md5,
      'samples[0].files[0].md5',
      'md5 or a sha256',
    ],
    [
      'a malformed md5',
      'MANIFEST_INVALID_FORMAT',
      (m) => (m.samples[0].files[0].md5 = 'abc'),
      'samples[0].files[0].md5',
      'hex',
    ],
    [
      'an absolute path',
      'MANIFEST_PATH_ABSOLUTE',
      (m) => (m.samples[0].files[0].path = '/etc/passwd'),
      'samples[0].files[0].path',
      'relative',
    ],
    [
      'a path with ..',
      'MANIFEST_PATH_ESCAPES',
      (m) => (m.samples[0].files[0].path = 'P000123/../../x'),
      'samples[0].files[0].path',
      '..',
    ],
    [
      'a path with a space',
      'MANIFEST_PATH_INVALID',
      (m) => (m.samples[0].files[0].path = 'P 1/x'),
      'samples[0].files[0].path',
      '',
    ],
    [
      'an unknown file kind',
      'MANIFEST_INVALID_VALUE',
      (m) => (m.samples[0].files[0].kind = 'sff'),
      'samples[0].files[0].kind',
      '',
    ],
    [
      'a duplicate sample',
      'MANIFEST_DUPLICATE_SAMPLE',
      (m) => m.samples.push({ ...m.samples[0], files: [{ path: 'x.vcf', kind: 'vcf', md5: MD5 }] }),
      'samples[1].sampleId',
      'duplicate sample id',
    ],
    [
      'a file listed twice',
      'MANIFEST_DUPLICATE_FILE',
      (m) => m.samples[0].files.push({ ...m.samples[0].files[0] }),
      'samples[0].files[2].path',
      'listed twice',
    ],
    ['no samples', 'MANIFEST_OUT_OF_RANGE', (m) => (m.samples = []), 'samples', ''],
  ];

  it.each(cases)('rejects %s with %s at its JSON path', (_name, code, change, path, message) => {
    const parsed = parseManifest(variant(change));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const issue = parsed.issues.find((i) => i.code === code);
    expect(issue, JSON.stringify(parsed.issues)).toBeDefined();
    expect(issue!.path).toBe(path);
    expect(issue!.message).toContain(message);
  });

  it('reports text that is not JSON', () => {
    const parsed = parseManifest('{"schema": ');
    expect(parsed).toMatchObject({
      ok: false,
      issues: [{ code: 'MANIFEST_NOT_JSON', path: 'manifest.json' }],
    });
  });

  it('reports every problem, not just the first', () => {
    const parsed = parseManifest(
      variant((m) => {
        m.extra = true;
        m.samples[0].sampleId = '0101901234';
      }),
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.issues.map((i) => i.code).sort()).toEqual([
        'ID_LOOKS_LIKE_CPR',
        'MANIFEST_UNKNOWN_FIELD',
      ]);
  });
});

describe('ids and paths', () => {
  // The full table of CPR shapes is in ids.test.ts.
  it.each([
    ['0101901234', true],
    ['010190-1234', true],
    ['P0101901234', true],
    ['1234567890', false],
    ['HOV001', false],
  ])('looksLikeCpr(%s) is %s', (id, expected) => {
    expect(looksLikeCpr(id)).toBe(expected);
  });

  it('formats JSON paths', () => {
    expect(formatJsonPath(['samples', 0, 'files', 1, 'md5'])).toBe('samples[0].files[1].md5');
    expect(formatJsonPath([])).toBe('$');
  });
});
