/**
 * What the frequency lookup answers (docs/frequency-lookup.md): one schema per answer, shared by
 * the REST routes, the Beacon and the lookup page. Readers get counts under the reporting floor
 * as `{ suppressed: true }` in place of the numbers; operators get every number.
 */
import { z } from 'zod';

/** A stratum's counts: alternate alleles, alleles called, their ratio, hom-alt people. */
export const countsSchema = z.strictObject({
  AC: z.number().int().nonnegative(),
  AN: z.number().int().nonnegative(),
  /** null where no allele was called (AN 0). */
  AF: z.number().min(0).max(1).nullable(),
  nhomalt: z.number().int().nonnegative(),
});
export type Counts = z.infer<typeof countsSchema>;

export const suppressedSchema = z.strictObject({ suppressed: z.literal(true) });
export type Suppressed = z.infer<typeof suppressedSchema>;

export const shownSchema = z.union([countsSchema, suppressedSchema]);
export type Shown = Counts | Suppressed;

/** The strata a release has beyond its headline (pipeline 2 on): sex, hemizygous, raw. */
export const strataSchema = z.strictObject({
  XX: shownSchema.optional(),
  XY: shownSchema.optional(),
  /** Alternate alleles in haploid genotypes (XY outside the PARs). */
  hemi: z
    .union([z.strictObject({ AC: z.number().int().nonnegative() }), suppressedSchema])
    .optional(),
  /** Every counted genotype, the quality rule not applied. */
  raw: shownSchema.optional(),
});
export type Strata = z.infer<typeof strataSchema>;

export const BELOW_FLOOR_POLICIES = ['flag', 'hide'] as const;
export type BelowFloorPolicy = (typeof BELOW_FLOOR_POLICIES)[number];

/** The privacy rule an answer was given under. */
export const privacySchema = z.strictObject({
  /** Counts with 0 < AC < floor are not shown to readers. */
  floor: z.number().int().positive(),
  /**
   * flag: a variant under the floor is answered "present, below the reporting floor";
   * hide: it is not answered at all, and an absent variant is "not reported", never "not seen".
   */
  belowFloor: z.enum(BELOW_FLOOR_POLICIES),
  /** reader: the floor applies to this answer; operator: every count is shown. */
  audience: z.enum(['reader', 'operator']),
});
export type Privacy = z.infer<typeof privacySchema>;

/** The release an answer comes from. */
export const releaseRefSchema = z.strictObject({
  releaseId: z.string(),
  releasedAt: z.string(),
  pipelineVersion: z.string(),
  /** The reference's name (positions are on it, 1-based). */
  reference: z.string(),
});

export const variantRefSchema = z.strictObject({
  /** `chrom-pos-ref-alt`, normalised as releases are (left-aligned, trimmed, biallelic). */
  id: z.string(),
  chrom: z.string(),
  pos: z.number().int().positive(),
  ref: z.string(),
  alt: z.string(),
  /** What was asked, when normalising changed it. */
  queried: z.string().optional(),
});
export type VariantRef = z.infer<typeof variantRefSchema>;

/** A variant the release holds. */
export const variantFoundSchema = z.strictObject({
  ...releaseRefSchema.shape,
  variant: variantRefSchema,
  found: z.literal(true),
  /** Its national AC is under the floor (readers see no number of it). */
  belowFloor: z.boolean(),
  overall: shownSchema,
  regions: z.record(z.string(), shownSchema),
  strata: strataSchema.optional(),
  /** The sex strata of each region, where the release has them. */
  regionStrata: z.record(z.string(), strataSchema).optional(),
  privacy: privacySchema,
});
export type VariantFound = z.infer<typeof variantFoundSchema>;

export const VERDICTS = ['not-seen', 'not-covered', 'unknown', 'not-reported'] as const;
export type NotFoundVerdict = (typeof VERDICTS)[number];

/**
 * A variant the release does not hold (or, under the hide policy, does not report):
 * - not-seen: the position was called in `alleleNumber.AN` alleles and none carried it;
 * - not-covered: no genome was called there (AN 0), so absence says nothing;
 * - unknown: the release has no all-sites AN track to tell the two apart;
 * - not-reported: hide policy, for readers: absent, or present under the floor.
 */
export const variantNotFoundSchema = z.strictObject({
  ...releaseRefSchema.shape,
  variant: variantRefSchema,
  found: z.literal(false),
  verdict: z.enum(VERDICTS),
  /** Alleles called at the position (overall and per region); null without a track. */
  alleleNumber: z
    .strictObject({
      AN: z.number().int().nonnegative(),
      regions: z.record(z.string(), z.number().int().nonnegative()),
    })
    .nullable(),
  privacy: privacySchema,
});
export type VariantNotFound = z.infer<typeof variantNotFoundSchema>;

export const variantAnswerSchema = z.discriminatedUnion('found', [
  variantFoundSchema,
  variantNotFoundSchema,
]);
export type VariantAnswer = z.infer<typeof variantAnswerSchema>;

/** One page of the variants in a genomic window, in position order. */
export const regionAnswerSchema = z.strictObject({
  ...releaseRefSchema.shape,
  region: z.strictObject({
    chrom: z.string(),
    start: z.number().int().positive(),
    end: z.number().int().positive(),
  }),
  variants: z.array(variantFoundSchema),
  /** Pass as `pageToken` for the next page; null on the last. */
  nextPageToken: z.string().nullable(),
  privacy: privacySchema,
});
export type RegionAnswer = z.infer<typeof regionAnswerSchema>;

/** A published release as readers may see it: counts and provenance, never a sample id. */
export const datasetSchema = z.strictObject({
  ...releaseRefSchema.shape,
  latest: z.boolean(),
  /** Genomes counted, overall, per region and per karyotype. */
  samples: z.number().int().nonnegative(),
  samplesPerRegion: z.record(z.string(), z.number().int().nonnegative()),
  samplesPerKaryotype: z.record(z.string(), z.number().int().nonnegative()).optional(),
  sites: z.number().int().nonnegative(),
  regions: z.array(z.string()),
  /** The strata its variants carry: `sex`, `raw`. */
  strata: z.array(z.string()),
  /** The reference's sequences and lengths. */
  sequences: z.record(z.string(), z.number().int().positive()),
  /** Bases called in at least 80 % of the maximum AN, where the release has an AN track. */
  coverage: z
    .strictObject({
      referenceBases: z.number().int().nonnegative(),
      fractionAtLeast80PercentOfMaxAN: z.number(),
    })
    .nullable(),
  /** The files of the release that readers' answers come from, with their sha256. */
  files: z.record(z.string(), z.strictObject({ sha256: z.string() })),
  privacy: privacySchema.omit({ audience: true }),
});
export type Dataset = z.infer<typeof datasetSchema>;
