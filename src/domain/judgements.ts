/**
 * Whether a submitted file can stand as the national one, and why (pure): used by partial
 * planning to keep files, and by mode none to say whether a registered gVCF could be released.
 */
import type { AlignmentFacts, VariantFacts } from './file-facts.ts';

export interface Judgement {
  keep: boolean;
  reason: string;
}

/** Whether a submitted alignment can stand as the national one, and why (or why not). */
export function judgeAlignment(facts: AlignmentFacts, approved: readonly string[]): Judgement {
  if (facts.unaligned) return { keep: false, reason: 'the submitted file holds unaligned reads' };
  if (!facts.onNationalReference) {
    return { keep: false, reason: 'its @SQ M5 tags are not the national reference' };
  }
  const aligners = facts.programs.map((p) => p.name ?? p.id.replace(/\.\d+$/, ''));
  const used = aligners.find((name) => approved.includes(name));
  if (!used) {
    return {
      keep: false,
      reason: `its @PG records (${aligners.join(', ') || 'none'}) show no approved aligner (${approved.join(', ')})`,
    };
  }
  const version = facts.programs.find((p) => (p.name ?? p.id) === used)?.version;
  return {
    keep: true,
    reason: `every @SQ M5 equals the national reference and @PG shows ${used}${version ? ` ${version}` : ''}`,
  };
}

/** Whether a submitted gVCF can stand as the sample's calls, and why (or why not). */
export function judgeVariants(facts: VariantFacts): Judgement {
  if (!facts.gvcf) return { keep: false, reason: 'it is not a gVCF (no reference blocks)' };
  if (!facts.onNationalReference)
    return { keep: false, reason: 'its contigs are not the national reference' };
  if (facts.refAllelesMatch !== true)
    return { keep: false, reason: 'its REF alleles do not match the reference' };
  return { keep: true, reason: 'its contigs and REF alleles match the national reference' };
}
