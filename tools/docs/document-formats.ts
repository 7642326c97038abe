/**
 * Every `harmonise.<name>/v1` document format: the file it is, who writes it, and the zod schema
 * it is validated with, where it has one. docs/schemas/ is generated from this table; the test
 * (test/unit/docs-generated.test.ts) fails when src/ names a format that is not here.
 */
import type { z } from 'zod';
import { TOKEN_HASHES_SCHEMA, tokenHashesSchema } from '../../src/api/auth.ts';
import { BUILD_SCHEMA } from '../../src/build-info.ts';
import { NAMED_TOKENS_SCHEMA, namedTokensFileSchema } from '../../src/store/named-tokens.ts';
import { RELEASE_SCHEMA } from '../../src/activities/frequency.ts';
import {
  CONTRIBUTION_SCHEMA,
  contributionRecordSchema,
} from '../../src/activities/frequency-contributions.ts';
import { PARTIAL_SCHEMA } from '../../src/activities/frequency-partials.ts';
import { CAMPAIGN_REPORT_SCHEMA } from '../../src/domain/campaign.ts';
import { BATCHES_SCHEMA, batchRegistrySchema } from '../../src/domain/frequency-batches.ts';
import { MANIFEST_SCHEMA, manifestSchema } from '../../src/domain/manifest.ts';
import { PIPELINE_SCHEMA, pipelineSpecSchema } from '../../src/domain/pipeline.ts';
import { POLICY_SCHEMA, policySchema } from '../../src/domain/policy.ts';
import { PROVENANCE_SCHEMA, provenanceSchema } from '../../src/domain/provenance.ts';
import { SAMPLE_RECORD_SCHEMA, sampleRecordSchema } from '../../src/domain/sample-record.ts';
import { STEP_FINGERPRINT_SCHEMA } from '../../src/domain/step-fingerprint.ts';
import { CLAIM_SCHEMA } from '../../src/store/claims.ts';

/** The zod schema a format is validated with, and where it is defined. */
export interface FormatSchema {
  zod: z.ZodType;
  /** Its exported name in `definedIn`. */
  name: string;
  definedIn: string;
}

export interface DocumentFormat {
  format: string;
  /** The file, from the data root unless `whereNote` says otherwise. */
  file: string;
  whereNote?: string;
  /** Who writes it: a source file (from the repository root), or words for a person. */
  writtenBy: string;
  /** One sentence on what the document is. */
  description: string;
  /** null: the format is written from a TypeScript type only (no schema yet). */
  schema: FormatSchema | null;
}

export const DOCUMENT_FORMATS: readonly DocumentFormat[] = [
  {
    format: MANIFEST_SCHEMA,
    file: 'inbox/<region>/<submissionId>/manifest.json',
    writtenBy: "the region's pipeline",
    description:
      "A region's submission: its samples, their consent, and their files with checksums.",
    schema: { zod: manifestSchema, name: 'manifestSchema', definedIn: 'src/domain/manifest.ts' },
  },
  {
    format: POLICY_SCHEMA,
    file: 'policy.json',
    whereNote: 'or `HARMONISE_POLICY`',
    writtenBy: 'an NGC operator, by hand',
    description:
      "NGC's harmonisation policy: the mode per region, the pipeline version and who enters releases.",
    schema: { zod: policySchema, name: 'policySchema', definedIn: 'src/domain/policy.ts' },
  },
  {
    format: PIPELINE_SCHEMA,
    file: 'pipelines/<version>.json',
    whereNote: 'in this repository, or `HARMONISE_PIPELINES`',
    writtenBy: 'NGC, with each national pipeline version',
    description:
      "A national pipeline spec: the reference and its sequences' MD5s, the tools' arguments, each step's resources and the retry caps.",
    schema: {
      zod: pipelineSpecSchema,
      name: 'pipelineSpecSchema',
      definedIn: 'src/domain/pipeline.ts',
    },
  },
  {
    format: SAMPLE_RECORD_SCHEMA,
    file: 'gdb/catalogue/<sampleId>.json',
    writtenBy: 'src/store/catalogue.ts',
    description:
      "A sample's catalogue record: its region, its consent, and every pipeline version it was published with.",
    schema: {
      zod: sampleRecordSchema,
      name: 'sampleRecordSchema',
      definedIn: 'src/domain/sample-record.ts',
    },
  },
  {
    format: PROVENANCE_SCHEMA,
    file: 'gdb/samples/<sampleId>/<version>/provenance.json',
    writtenBy: 'src/activities/registration.ts',
    description:
      'What a published sample is and how it came to be: pipeline, reference, tools, jobs, attempts, inputs and outputs with checksums.',
    schema: {
      zod: provenanceSchema,
      name: 'provenanceSchema',
      definedIn: 'src/domain/provenance.ts',
    },
  },
  {
    format: CONTRIBUTION_SCHEMA,
    file: 'gdb/samples/<sampleId>/<version>/contributions/<key>/contribution.json',
    writtenBy: 'src/activities/frequency-contributions.ts',
    description:
      "What one genome's gVCF adds to the national frequencies, read once: its files, their checksums and the job that made them.",
    schema: {
      zod: contributionRecordSchema,
      name: 'contributionRecordSchema',
      definedIn: 'src/activities/frequency-contributions.ts',
    },
  },
  {
    format: BATCHES_SCHEMA,
    file: 'freq/batches/<version>.json',
    writtenBy: 'src/activities/frequency-partials.ts',
    description: "The fixed batches of a pipeline version's frequency database, and their genomes.",
    schema: {
      zod: batchRegistrySchema,
      name: 'batchRegistrySchema',
      definedIn: 'src/domain/frequency-batches.ts',
    },
  },
  {
    format: TOKEN_HASHES_SCHEMA,
    file: 'run/api-token-hashes.json',
    writtenBy: 'src/api/auth.ts',
    description: "The sha256 of each API token and the token's role: what the HTTP API reads.",
    schema: { zod: tokenHashesSchema, name: 'tokenHashesSchema', definedIn: 'src/api/auth.ts' },
  },
  {
    format: NAMED_TOKENS_SCHEMA,
    file: 'run/api-named-tokens.json',
    writtenBy: 'src/store/named-tokens.ts',
    description:
      'Named API tokens (one per department): the sha256 of each, its role, expiry, maker and revocation.',
    schema: {
      zod: namedTokensFileSchema,
      name: 'namedTokensFileSchema',
      definedIn: 'src/store/named-tokens.ts',
    },
  },
  {
    format: CLAIM_SCHEMA,
    file: 'gdb/claims/<sampleId>.json',
    writtenBy: 'src/store/claims.ts',
    description: 'Which submission has claimed a new sample id while its sample is harmonised.',
    schema: null,
  },
  {
    format: CAMPAIGN_REPORT_SCHEMA,
    file: 'gdb/campaigns/<campaignId>/report.json',
    writtenBy: 'src/activities/campaign.ts',
    description: "A rerun campaign's final report: its progress and every sample's outcome.",
    schema: null,
  },
  {
    format: RELEASE_SCHEMA,
    file: 'freq/releases/<releaseId>/summary.json',
    writtenBy: 'src/activities/frequency.ts',
    description:
      "A frequency release's summary: its samples, exclusions, files and what its jobs cost.",
    schema: null,
  },
  {
    format: PARTIAL_SCHEMA,
    file: 'freq/partials/<version>/<partialId>/partial.json',
    writtenBy: 'src/activities/frequency-partials.ts',
    description: 'An immutable batch partial: what it sums, and the job that built it.',
    schema: null,
  },
  {
    format: STEP_FINGERPRINT_SCHEMA,
    file: 'the `fingerprint` of each step in `gdb/samples/<sampleId>/<version>/provenance.json`',
    whereNote: 'hashed, never written as a file',
    writtenBy: 'src/activities/step-fingerprint.ts',
    description:
      "The canonical JSON whose sha256 is a step's fingerprint: its kind, tool versions, placeholder commands, activity settings, reference MD5s and input checksums.",
    schema: null,
  },
  {
    format: BUILD_SCHEMA,
    file: 'dist/build.json',
    whereNote: 'in the installation, not the data root',
    writtenBy: 'tools/build.ts (npm run build)',
    description:
      "A compiled build's record: the digest of the sources it was made from, the package version, when it was built and its workflow bundle's sha256.",
    schema: null,
  },
];

/** `harmonise.submission/v1` → `submission`: the name of its schema file. */
export function formatName(format: string): string {
  const match = /^harmonise\.([a-z-]+)\/v1$/.exec(format);
  if (!match) throw new Error(`"${format}" is not a harmonise.<name>/v1 format`);
  return match[1]!;
}
