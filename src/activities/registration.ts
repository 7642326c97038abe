/**
 * Registration: checks a harmonised sample's outputs, publishes them with their provenance into
 * the GDB (`gdb/samples/<sampleId>/<pipelineVersion>/`, one atomic rename) and records the
 * version in the catalogue. Also the records of submissions and the clean-up of job scratch.
 */
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileKind } from '../domain/manifest.ts';
import type { JobResources } from '../domain/pipeline.ts';
import type { SampleWork } from '../domain/plan.ts';
import type { SampleVersion } from '../domain/sample-record.ts';
import type { StepAttempt, SubmissionStatus } from '../domain/status.ts';
import { FailureType } from '../errors.ts';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../store/atomic.ts';
import { hashFile } from '../store/checksums.ts';
import { compareReference, parseDictMd5s } from '../store/pipelines.ts';
import { linkOrCopy, publishDirectory } from '../store/publish.ts';
import { currentActivity } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import type { StepResult } from './jobs.ts';

export const PROVENANCE_SCHEMA = 'harmonise.provenance/v1';

export const PUBLISHED_NAMES = {
  cram: 'sample.cram',
  crai: 'sample.cram.crai',
  gvcf: 'sample.g.vcf.gz',
  tbi: 'sample.g.vcf.gz.tbi',
  provenance: 'provenance.json',
} as const;

export interface RegisterSampleInput extends SampleWork {
  workflowId: string;
  runId: string;
  notes: string[];
  inputs: { kind: FileKind; relativePath: string; md5: string | null; sha256: string | null }[];
  steps: StepResult[];
  /** Every attempt of every step, failed ones included, as the workflow saw them. */
  attempts: (StepAttempt & { step: string })[];
  publish: { cram: string; crai: string; gvcf: string; tbi: string };
}

interface ProvenanceStep {
  name: string;
  attempt: number;
  key: string;
  jobId: string;
  executor: string;
  resources: JobResources;
  endedAt: string;
  toolVersions: Record<string, string>;
  commands: string[];
}

export function createRegistrationActivities(deps: ActivityDeps) {
  return {
    async registerSample(input: RegisterSampleInput): Promise<SampleVersion> {
      const activity = currentActivity();
      const log = deps.logger.child({ workflowId: input.workflowId, sampleId: input.sampleId });
      const pipeline = await deps.pipelines.load(input.pipelineVersion);
      await checkCram(input.publish.cram, pipeline.referenceFasta, pipeline.spec);
      await execa('tabix', ['-l', input.publish.gvcf]).catch((error: unknown) => {
        throw ApplicationFailure.nonRetryable(
          `the gVCF index of ${input.sampleId} is unreadable: ${String(error)}`,
          FailureType.JobOutputsMissing,
        );
      });

      const dir = deps.layout.sampleDir(input.sampleId, input.pipelineVersion);
      const sha256: Record<string, string> = {};
      const result = await publishDirectory(dir, async (staging) => {
        for (const [role, name] of Object.entries(PUBLISHED_NAMES)) {
          if (role === 'provenance') continue;
          const src = input.publish[role as keyof RegisterSampleInput['publish']];
          const dst = path.join(staging, name);
          await linkOrCopy(src, dst);
          sha256[name] = await hashFile(dst, 'sha256', () => activity.heartbeat());
        }
        const provenance = {
          schema: PROVENANCE_SCHEMA,
          sampleId: input.sampleId,
          region: input.region,
          submissionId: input.submissionId,
          mode: input.mode,
          readType: input.readType,
          pipeline: {
            name: pipeline.spec.name,
            version: pipeline.spec.version,
            specSha256: pipeline.specSha256,
          },
          reference: {
            name: pipeline.spec.reference.name,
            fasta: pipeline.referenceFasta,
            sequences: pipeline.spec.reference.sequences,
          },
          tools: Object.assign({}, ...input.steps.map((s) => s.toolVersions)) as Record<
            string,
            string
          >,
          steps: input.steps.map((s): ProvenanceStep => ({
            name: s.step,
            attempt: s.attempt,
            key: s.key,
            jobId: s.jobId,
            executor: s.executor,
            resources: s.resources,
            endedAt: s.endedAt,
            toolVersions: s.toolVersions,
            commands: s.commands,
          })),
          attempts: input.attempts,
          inputs: input.inputs,
          outputs: Object.fromEntries(
            Object.entries(sha256).map(([name, sum]) => [name, { sha256: sum }]),
          ),
          workflow: { id: input.workflowId, runId: input.runId },
          notes: input.notes,
          createdAt: new Date().toISOString(),
        };
        await writeFileAtomic(
          path.join(staging, PUBLISHED_NAMES.provenance),
          `${JSON.stringify(provenance, null, 2)}\n`,
        );
      });

      if (result === 'exists') {
        // A retried registration finds its own earlier publication; anything else is a clash.
        const existing = (await readJsonIfExists(path.join(dir, PUBLISHED_NAMES.provenance))) as
          | { workflow?: { runId?: string }; outputs?: Record<string, { sha256: string }> }
          | undefined;
        if (existing?.workflow?.runId !== input.runId) {
          throw ApplicationFailure.nonRetryable(
            `${dir} was already published by another run; a published version is never overwritten`,
            FailureType.StepFailed,
          );
        }
        for (const [name, entry] of Object.entries(existing.outputs ?? {}))
          sha256[name] = entry.sha256;
      }

      const files = Object.fromEntries(
        Object.entries(PUBLISHED_NAMES).map(([role, name]) => [role, path.join(dir, name)]),
      ) as SampleVersion['files'];
      const version: SampleVersion = {
        pipelineVersion: input.pipelineVersion,
        mode: input.mode,
        status: 'harmonised',
        submissionId: input.submissionId,
        workflowId: input.workflowId,
        publishedAt: new Date().toISOString(),
        dir,
        files,
        sha256,
        notes: input.notes,
      };
      await deps.catalogue.recordVersion(
        {
          sampleId: input.sampleId,
          region: input.region,
          readType: input.readType,
          consent: input.consent,
        },
        version,
      );
      log.info({ dir, result }, 'sample registered');
      return version;
    },

    async findHarmonised(input: {
      sampleId: string;
      pipelineVersion: string;
    }): Promise<SampleVersion | null> {
      const record = await deps.catalogue.get(input.sampleId);
      return record?.versions[input.pipelineVersion] ?? null;
    },

    async recordSubmission(status: SubmissionStatus): Promise<void> {
      await writeJsonAtomic(
        deps.layout.submissionRecord(status.region, status.submissionId),
        status,
      );
    },

    async removeWorkDir(input: { workflowId: string }): Promise<void> {
      const dir = deps.layout.workDir(input.workflowId);
      const workRoot = deps.layout.workDir('');
      if (!dir.startsWith(workRoot) || dir === workRoot)
        throw new Error(`refusing to remove ${dir}`);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** quickcheck, then the header: every @SQ M5 must be the national reference's. */
async function checkCram(
  cram: string,
  reference: string,
  spec: Parameters<typeof compareReference>[0],
): Promise<void> {
  const quick = await execa('samtools', ['quickcheck', '-v', cram], { reject: false });
  if (quick.exitCode !== 0) {
    throw ApplicationFailure.nonRetryable(
      `${cram} fails samtools quickcheck`,
      FailureType.JobOutputsMissing,
    );
  }
  const header = await execa('samtools', ['view', '-H', '--reference', reference, cram]);
  const problems = compareReference(spec, parseDictMd5s(header.stdout));
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `${cram} is not on the national reference: ${problems.join('; ')}`,
      FailureType.ReferenceMismatch,
    );
  }
}
