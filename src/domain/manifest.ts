/**
 * The submission manifest, schema v1 (docs/schemas/README.md): one zod schema, one source of
 * truth.
 */
import { z } from 'zod';
import { karyotypeSchema } from './karyotype.ts';
import { ID_RULES } from './id-rules.ts';
import { idSchema } from './ids.ts';
import { clipMessage, zodIssuesToInputIssues, type InputIssue } from './issues.ts';

export const MANIFEST_SCHEMA = 'harmonise.submission/v1';

export const FILE_KINDS = [
  'fastq-r1',
  'fastq-r2',
  'fastq',
  'spring',
  'ucram',
  'cram',
  'crai',
  'bam',
  'bai',
  'vcf',
  'gvcf',
  'tbi',
] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export const regionSchema = z
  .string()
  .regex(ID_RULES.region.pattern, 'must be a lower-case region name such as "syddanmark"');

/** Relative, inside the submission folder; `..`, absolute paths and odd characters are refused. */
export const relativePathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/'), {
    message: 'must be relative to the submission folder, not absolute',
    params: { code: 'MANIFEST_PATH_ABSOLUTE' },
  })
  .refine((p) => !p.split('/').includes('..'), {
    message: 'must not contain ".." segments',
    params: { code: 'MANIFEST_PATH_ESCAPES' },
  })
  .refine((p) => /^[A-Za-z0-9._/+-]+$/.test(p) && !p.split('/').includes('.'), {
    message: 'may contain only letters, digits and . _ - + / (no "." segments)',
    params: { code: 'MANIFEST_PATH_INVALID' },
  });

const md5Schema = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits');
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

export const manifestFileSchema = z
  .strictObject({
    path: relativePathSchema,
    kind: z.enum(FILE_KINDS),
    md5: md5Schema.optional(),
    sha256: sha256Schema.optional(),
  })
  .refine((file) => file.md5 !== undefined || file.sha256 !== undefined, {
    message: 'each file needs an md5 or a sha256 checksum',
    path: ['md5'],
    params: { code: 'MANIFEST_CHECKSUM_MISSING' },
  });
export type ManifestFile = z.infer<typeof manifestFileSchema>;

export const manifestSampleSchema = z.strictObject({
  sampleId: idSchema,
  readType: z.enum(['short', 'long']).default('short'),
  /**
   * The sample's karyotype as the region knows it; absent: harmonise infers it from the depth on
   * the sex chromosomes (a pipeline that names them), else it stays unknown.
   */
  karyotype: karyotypeSchema.optional(),
  consent: z.strictObject({ research: z.boolean() }),
  files: z.array(manifestFileSchema).min(1),
});
export type ManifestSample = z.infer<typeof manifestSampleSchema>;

export const manifestSchema = z
  .strictObject({
    schema: z.literal(MANIFEST_SCHEMA),
    region: regionSchema,
    submissionId: idSchema,
    pipeline: z.strictObject({
      name: z.string().min(1).max(128),
      version: z.string().min(1).max(64),
    }),
    samples: z.array(manifestSampleSchema).min(1),
  })
  .superRefine((manifest, ctx) => {
    const seenSamples = new Map<string, number>();
    // `S/r1.fq.gz`, `S//r1.fq.gz` and `S/r1.fq.gz/` name one file (symlinks are found at intake).
    const seenPaths = new Map<string, string>();
    manifest.samples.forEach((sample, i) => {
      const first = seenSamples.get(sample.sampleId);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['samples', i, 'sampleId'],
          message: `duplicate sample id "${sample.sampleId}" (first at samples[${first}])`,
          params: { code: 'MANIFEST_DUPLICATE_SAMPLE' },
        });
      } else seenSamples.set(sample.sampleId, i);
      sample.files.forEach((file, j) => {
        const where = `samples[${i}].files[${j}]`;
        const normal = file.path
          .split('/')
          .filter((part) => part !== '')
          .join('/');
        const previous = seenPaths.get(normal);
        if (previous !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['samples', i, 'files', j, 'path'],
            message: `file "${clipMessage(file.path, 200)}" is listed twice (also at ${previous})`,
            params: { code: 'MANIFEST_DUPLICATE_FILE' },
          });
        } else seenPaths.set(normal, where);
      });
    });
  });
export type Manifest = z.infer<typeof manifestSchema>;

export type ManifestParse = { ok: true; manifest: Manifest } | { ok: false; issues: InputIssue[] };

export interface ManifestLimits {
  /** More samples than this reject the submission as SUBMISSION_TOO_LARGE (before parsing them). */
  maxSamples: number;
}

/** A JSON syntax error, described by where it is, never by quoting the text around it. */
export function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const at = /at position (\d+)/.exec(message)?.[1];
  if (at !== undefined) {
    const before = text.slice(0, Number(at));
    const line = before.split('\n').length;
    const column = Number(at) - before.lastIndexOf('\n');
    return `not valid JSON: syntax error at line ${line}, column ${column}`;
  }
  if (/end of (JSON )?input/i.test(message)) return 'not valid JSON: it ends too early';
  return 'not valid JSON: syntax error';
}

/** Parses manifest text; every problem names its JSON path. */
export function parseManifest(text: string, limits?: ManifestLimits): ManifestParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      issues: [
        {
          code: 'MANIFEST_NOT_JSON',
          path: 'manifest.json',
          message: describeJsonError(error, text),
        },
      ],
    };
  }
  const samples = (json as { samples?: unknown } | null)?.samples;
  if (limits && Array.isArray(samples) && samples.length > limits.maxSamples) {
    return {
      ok: false,
      issues: [
        {
          code: 'SUBMISSION_TOO_LARGE',
          path: 'samples',
          message: `the manifest lists ${samples.length} samples; a submission may hold at most ${limits.maxSamples}: split it into several submissions`,
        },
      ],
    };
  }
  const parsed = manifestSchema.safeParse(json, { reportInput: true });
  if (parsed.success) return { ok: true, manifest: parsed.data };
  return { ok: false, issues: zodIssuesToInputIssues('MANIFEST', parsed.error.issues) };
}
