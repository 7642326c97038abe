/**
 * Which samples a frequency release counts, decided from the sample's record and NGC's policy
 * alone: the release snapshot and each sample's contribution ask the same question.
 */
import type { Policy } from './policy.ts';
import type { SampleRecord } from './sample-record.ts';

/** Why a sample is left out of a release, or null when it is in. */
export function exclusionReason(
  record: SampleRecord,
  pipelineVersion: string,
  policy: Policy['frequency'],
): string | null {
  if (record.consent.withdrawnAt) return `consent withdrawn at ${record.consent.withdrawnAt}`;
  if (!record.consent.research) return 'no research consent';
  const version = record.versions[pipelineVersion];
  if (!version) return `not harmonised with pipeline ${pipelineVersion}`;
  if (version.mode === 'none') {
    if (!policy.includeModeNone)
      return 'accepted as submitted (mode none), not harmonised; the policy leaves mode none out';
    const gvcf = version.verdict.registeredGvcf;
    if (!gvcf?.releasable) {
      const why = gvcf?.reason ?? 'it was registered before harmonise judged registered gVCFs';
      return `accepted as submitted (mode none) and its gVCF cannot be merged: ${why}`;
    }
  }
  if (!version.files.gvcf) return `no gVCF for pipeline ${pipelineVersion}`;
  return null;
}
