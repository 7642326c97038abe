/**
 * A catalogue record of a sample already done with a pipeline version, pointing at a gVCF the
 * caller wrote: what frequency release tests and the frequency benchmark catalogue, without
 * running a harmonisation first.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { HarmonisationMode } from '../domain/policy.ts';
import { SAMPLE_RECORD_SCHEMA, type SampleRecord } from '../domain/sample-record.ts';
import { pathExists } from '../store/atomic.ts';
import { hashFile } from '../store/checksums.ts';
import { createLayout } from '../store/layout.ts';

/**
 * Writes one catalogue record of a sample done with `pipelineVersion` whose published gVCF is
 * `gvcf` (frequency release tests and the frequency benchmark). A mode-none sample carries the
 * registration's judgement of its gVCF, as planning records it.
 */
export async function writeReleasableRecord(
  dataRoot: string,
  sample: {
    sampleId: string;
    region: string;
    gvcf: string;
    mode?: HarmonisationMode;
    pipelineVersion?: string;
    consent?: SampleRecord['consent'];
    registeredGvcf?: { releasable: boolean; reason: string };
  },
): Promise<SampleRecord> {
  const layout = createLayout(dataRoot);
  const pipelineVersion = sample.pipelineVersion ?? '1';
  const mode = sample.mode ?? 'full';
  const publishedAt = new Date(Date.UTC(2026, 0, 1)).toISOString();
  const record: SampleRecord = {
    schema: SAMPLE_RECORD_SCHEMA,
    sampleId: sample.sampleId,
    region: sample.region,
    readType: 'short',
    consent: sample.consent ?? { research: true },
    versions: {
      [pipelineVersion]: {
        pipelineVersion,
        mode,
        status: mode === 'none' ? 'registered' : 'harmonised',
        submissionId: 'seeded',
        workflowId: `seed:${sample.sampleId}`,
        publishedAt,
        dir: path.dirname(sample.gvcf),
        files: { gvcf: sample.gvcf, tbi: `${sample.gvcf}.tbi` },
        // As publication records it, so that a release can tell a gVCF it has read before.
        sha256: (await pathExists(sample.gvcf))
          ? { [path.basename(sample.gvcf)]: await hashFile(sample.gvcf, 'sha256') }
          : {},
        verdict: {
          alignment: mode === 'none' ? 'registered' : 'aligned',
          variants: mode === 'none' ? 'registered' : 'called',
          reasons: ['seeded'],
          ...(sample.registeredGvcf ? { registeredGvcf: sample.registeredGvcf } : {}),
        },
      },
    },
    updatedAt: publishedAt,
  };
  await fs.mkdir(layout.catalogueDir, { recursive: true });
  await fs.writeFile(layout.catalogueFile(sample.sampleId), `${JSON.stringify(record)}\n`);
  return record;
}
