/**
 * A sample's karyotype under a pipeline that names the sex chromosomes. After the karyotype
 * step's job, its activity turns the measured depth into the verdict (domain/karyotype.ts) and the
 * ploidy file the call is given, beside the depth in the job's folder. At registration the
 * verdict is read back, or, for a sample with no CRAM to measure, made from what was stated.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  decideKaryotype,
  karyotypeVerdictSchema,
  type Karyotype,
  type KaryotypeVerdict,
} from '../domain/karyotype.ts';
import { depthRatiosFromBedcov } from '../domain/karyotype-depth.ts';
import { KARYOTYPE_OUTPUTS } from '../domain/plan.ts';
import { samplePloidyFile } from '../domain/ploidy.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import type { LoadedPipeline } from '../store/pipelines.ts';

/** Writes the verdict and the ploidy file from the job's depth, in its work folder. */
export async function writeKaryotypeVerdict(
  pipeline: LoadedPipeline,
  stated: Karyotype | null,
  workDir: string,
): Promise<KaryotypeVerdict> {
  const sex = pipeline.spec.sexChromosomes;
  if (!sex) throw new Error(`pipeline ${pipeline.spec.version} names no sex chromosomes`);
  const depthFile = path.join(workDir, KARYOTYPE_OUTPUTS.depth);
  let ratios;
  try {
    ratios = depthRatiosFromBedcov(await fs.readFile(depthFile, 'utf8'));
  } catch (error) {
    throw new Error(`${depthFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const verdict = decideKaryotype(stated ?? undefined, ratios);
  await writeFileAtomic(
    path.join(workDir, KARYOTYPE_OUTPUTS.ploidy),
    samplePloidyFile(sex, pipeline.spec.reference.sequences, verdict.karyotype),
  );
  await writeFileAtomic(
    path.join(workDir, KARYOTYPE_OUTPUTS.verdict),
    `${JSON.stringify(verdict, null, 2)}\n`,
  );
  return verdict;
}

/**
 * The verdict a registered version records: the karyotype step's, else (nothing measured) the
 * stated karyotype or unknown; none at all under a pipeline without sex chromosomes.
 */
export async function registeredKaryotype(
  pipeline: LoadedPipeline,
  stated: Karyotype | undefined,
  steps: readonly { step: string; outputs: Record<string, string> }[],
): Promise<KaryotypeVerdict | undefined> {
  if (!pipeline.spec.sexChromosomes || pipeline.spec.noop) return undefined;
  const file = steps.find((s) => s.step === 'karyotype')?.outputs[KARYOTYPE_OUTPUTS.verdict];
  if (file === undefined) return decideKaryotype(stated, null);
  const parsed = karyotypeVerdictSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file} is not a karyotype verdict: ${parsed.error.message}`);
  return parsed.data;
}
