/**
 * A sample's karyotype for counting on the sex chromosomes (pure): stated in the manifest, or
 * inferred from its alignment's depth on chrX and chrY against the autosomes. XX has about the
 * autosomes' depth on non-PAR X and next to none on Y; XY about half on both. Anything else (an
 * ambiguous ratio, X0, XXY, a contaminated sample) is `unknown`, and such a sample is left out of
 * the sex-chromosome counts with the reason. A stated karyotype that the depth contradicts is
 * kept, with a warning: the manifest is the region's word, the depth only evidence.
 */
import { z } from 'zod';

export const karyotypeSchema = z.enum(['XX', 'XY']);
export type Karyotype = z.infer<typeof karyotypeSchema>;

/** Mean depths on non-PAR X and on non-PAR Y, each over the autosomes' mean depth. */
export interface DepthRatios {
  xAutosome: number;
  yAutosome: number;
}

/** Closed ranges of the ratios that make a verdict; a ratio outside them is no verdict. */
export interface KaryotypeRules {
  xx: { xAutosome: readonly [number, number]; yAutosomeMax: number };
  xy: { xAutosome: readonly [number, number]; yAutosomeMin: number };
}

/**
 * Wide enough for a 30× genome's noise, narrow enough that one X (0.5) is never taken for two
 * (1.0). Y's mappable part is short and repetitive, so an XY genome's Y ratio is often well under
 * 0.5: any clear Y signal with half an X is XY.
 */
export const DEFAULT_KARYOTYPE_RULES: KaryotypeRules = {
  xx: { xAutosome: [0.8, 1.2], yAutosomeMax: 0.05 },
  xy: { xAutosome: [0.35, 0.65], yAutosomeMin: 0.1 },
};

/** XX, XY, or unknown: what a sample is counted as on the sex chromosomes. */
export const countedKaryotypeSchema = z.enum(['XX', 'XY', 'unknown']);
export type CountedKaryotype = z.infer<typeof countedKaryotypeSchema>;

/** The verdict recorded with a sample's version (catalogue and provenance). */
export const karyotypeVerdictSchema = z.object({
  karyotype: countedKaryotypeSchema,
  /** True when the depth decided it (nothing was stated). */
  inferred: z.boolean(),
  /** The ratios the depth gave, or null when they could not be measured. */
  ratios: z.object({ xAutosome: z.number(), yAutosome: z.number() }).nullable(),
  /** What the depth says on its own: null without ratios. */
  depthSays: countedKaryotypeSchema.nullable(),
  /** A stated karyotype the depth contradicts. */
  warning: z.string().nullable(),
  /** Why an `unknown` sample is left out of the sex-chromosome counts. */
  reason: z.string().nullable(),
});
export type KaryotypeVerdict = z.infer<typeof karyotypeVerdictSchema>;

const within = (value: number, [low, high]: readonly [number, number]) =>
  value >= low && value <= high;

export function karyotypeFromDepth(
  ratios: DepthRatios,
  rules: KaryotypeRules = DEFAULT_KARYOTYPE_RULES,
): Karyotype | 'unknown' {
  const { xAutosome, yAutosome } = ratios;
  if (!Number.isFinite(xAutosome) || !Number.isFinite(yAutosome)) return 'unknown';
  if (within(xAutosome, rules.xx.xAutosome) && yAutosome <= rules.xx.yAutosomeMax) return 'XX';
  if (within(xAutosome, rules.xy.xAutosome) && yAutosome >= rules.xy.yAutosomeMin) return 'XY';
  return 'unknown';
}

const shown = (r: DepthRatios) =>
  `X/autosomes ${r.xAutosome.toFixed(2)}, Y/autosomes ${r.yAutosome.toFixed(2)}`;

/** The karyotype a sample is counted with, from what the manifest states and what depth says. */
export function decideKaryotype(
  stated: Karyotype | undefined,
  ratios: DepthRatios | null,
  rules: KaryotypeRules = DEFAULT_KARYOTYPE_RULES,
): KaryotypeVerdict {
  const depthSays = ratios ? karyotypeFromDepth(ratios, rules) : null;
  if (stated) {
    const contradicted = ratios !== null && depthSays !== stated;
    return {
      karyotype: stated,
      inferred: false,
      ratios,
      depthSays,
      warning: contradicted
        ? `stated ${stated}, but the depth says ${depthSays} (${shown(ratios)})`
        : null,
      reason: null,
    };
  }
  const karyotype = depthSays ?? 'unknown';
  return {
    karyotype,
    inferred: true,
    ratios,
    depthSays,
    warning: null,
    reason:
      karyotype !== 'unknown'
        ? null
        : ratios
          ? `no karyotype stated, and the depth is ambiguous (${shown(ratios)})`
          : 'no karyotype stated, and the depth on chrX and chrY could not be measured',
  };
}
