/**
 * Registration: checks a harmonised sample's outputs, publishes them with their provenance into
 * the GDB (`gdb/samples/<sampleId>/<pipelineVersion>/`, one atomic rename) and records the
 * version in the catalogue. Also the clean-up of job scratch.
 */
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileKind } from '../domain/manifest.ts';
import { PUBLISHED_NAMES } from '../domain/plan.ts';
import { PROVENANCE_FILE } from '../domain/provenance.ts';
import type { SampleVersion } from '../domain/sample-record.ts';
import { FailureType } from '../errors.ts';
import { readJsonIfExists, writeFileAtomic } from '../store/atomic.ts';
import { hashFile } from '../store/checksums.ts';
import { compareReference, parseDictMd5s, type LoadedPipeline } from '../store/pipelines.ts';
import { linkOrCopy, publishDirectory } from '../store/publish.ts';
import { beating, currentActivity, type ActivityHandle } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { registeredKaryotype } from './karyotype.ts';
import { buildProvenance } from './provenance.ts';
import type { RegisterSampleInput } from './register-input.ts';

export type { RegisterSampleInput } from './register-input.ts';

export function createRegistrationActivities(deps: ActivityDeps) {
  return {
    registerSample: (input: RegisterSampleInput) => registerSample(deps, input),
    findHarmonised: async (input: {
      sampleId: string;
      pipelineVersion: string;
    }): Promise<SampleVersion | null> => {
      const record = await deps.catalogue.get(input.sampleId);
      return record?.versions[input.pipelineVersion] ?? null;
    },
    removeWorkDir: async (input: { workflowId: string }): Promise<void> => {
      // The layout refuses any id that would lead out of the work root.
      await fs.rm(deps.layout.workDir(input.workflowId), { recursive: true, force: true });
    },
  };
}

async function registerSample(
  deps: ActivityDeps,
  input: RegisterSampleInput,
): Promise<SampleVersion> {
  const activity = currentActivity();
  // The CRAM check, the tabix check and a cross-filesystem copy report no progress.
  return beating(activity, async () => {
    const log = deps.logger.child({ workflowId: input.workflowId, sampleId: input.sampleId });
    const pipeline = await deps.pipelines.load(input.pipelineVersion);
    const harmonised = input.mode !== 'none';
    const benchmark = pipeline.spec.noop !== undefined;
    // What the national pipeline vouches for is checked once more before it is published.
    if (harmonised && !benchmark) await checkHarmonisedOutputs(input, pipeline);
    const karyotype = await registeredKaryotype(pipeline, input.karyotype, input.steps);
    const { dir, sha256, result } = await publishSample(
      deps,
      { ...input, ...(karyotype ? { karyotypeVerdict: karyotype } : {}) },
      pipeline,
      activity,
    );
    const files: Record<string, string> = { provenance: path.join(dir, PROVENANCE_FILE) };
    for (const role of Object.keys(input.publish)) {
      files[role] = path.join(dir, PUBLISHED_NAMES[role as FileKind]);
    }
    const version: SampleVersion = {
      pipelineVersion: input.pipelineVersion,
      mode: input.mode,
      status: benchmark ? 'benchmark' : harmonised ? 'harmonised' : 'registered',
      submissionId: input.submissionId,
      workflowId: input.workflowId,
      publishedAt: new Date().toISOString(),
      dir,
      files,
      sha256,
      verdict: input.verdict,
      ...(karyotype ? { karyotype } : {}),
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
  });
}

/** A harmonised sample's CRAM and gVCF must be there, readable and on the national reference. */
async function checkHarmonisedOutputs(
  input: RegisterSampleInput,
  pipeline: LoadedPipeline,
): Promise<void> {
  if (!input.publish.cram || !input.publish.gvcf) {
    throw ApplicationFailure.nonRetryable(
      `${input.sampleId}: a harmonised sample needs a CRAM and a gVCF`,
      FailureType.JobOutputsMissing,
    );
  }
  await checkCram(input.publish.cram, pipeline.referenceFasta, pipeline.spec);
  await execa('tabix', ['-l', input.publish.gvcf]).catch((error: unknown) => {
    throw ApplicationFailure.nonRetryable(
      `the gVCF index of ${input.sampleId} is unreadable: ${String(error)}`,
      FailureType.JobOutputsMissing,
    );
  });
}

/**
 * Publishes the sample's files and provenance as its version folder, with their sha256. A retried
 * registration finds its own earlier publication; another run's is a clash.
 */
async function publishSample(
  deps: ActivityDeps,
  input: RegisterSampleInput,
  pipeline: LoadedPipeline,
  activity: ActivityHandle,
): Promise<{ dir: string; sha256: Record<string, string>; result: 'published' | 'exists' }> {
  const dir = deps.layout.sampleDir(input.sampleId, input.pipelineVersion);
  const sha256: Record<string, string> = {};
  const result = await publishDirectory(dir, async (staging) => {
    for (const [role, src] of Object.entries(input.publish)) {
      const name = PUBLISHED_NAMES[role as FileKind];
      const dst = path.join(staging, name);
      await linkOrCopy(src, dst);
      sha256[name] = await hashFile(dst, 'sha256', () => activity.heartbeat());
    }
    const provenance = buildProvenance(input, pipeline, sha256);
    await writeFileAtomic(
      path.join(staging, PROVENANCE_FILE),
      `${JSON.stringify(provenance, null, 2)}\n`,
    );
  });
  if (result === 'exists') {
    const existing = (await readJsonIfExists(path.join(dir, PROVENANCE_FILE))) as
      { workflow?: { runId?: string }; outputs?: Record<string, { sha256: string }> } | undefined;
    if (existing?.workflow?.runId !== input.runId) {
      throw ApplicationFailure.nonRetryable(
        `${dir} was already published by another run; a published version is never overwritten`,
        FailureType.StepFailed,
      );
    }
    for (const [name, entry] of Object.entries(existing.outputs ?? {})) sha256[name] = entry.sha256;
  }
  return { dir, sha256, result };
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
