/**
 * Step reuse on a demo's data root: pipeline variants of the national pipeline that change only
 * the caller's arguments, campaigns over hovedstaden with them, and what their provenance and
 * jobs say. A `bwa` wrapper first on the worker's PATH passes everything through to the real one,
 * but reports another version once told to: a silent upgrade on the cluster.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import type { CampaignProgress } from '../../src/domain/campaign.ts';
import type { Provenance } from '../../src/domain/provenance.ts';
import { harmonise, type CliEnv } from './cli.ts';

export const HOVEDSTADEN = ['HOV001', 'HOV002', 'HOV003'] as const;

/** The demo's pipelines in a folder of the data root's own, and a bwa that can be "upgraded". */
export async function prepareReuseEnv(
  cli: CliEnv,
): Promise<{ upgradeBwa: (v: string) => Promise<void> }> {
  const pipelines = path.join(cli.dataRoot, 'pipelines');
  await fs.cp(path.join(PROJECT_ROOT, 'pipelines'), pipelines, { recursive: true });
  cli.env.HARMONISE_PIPELINES = pipelines;
  const bin = path.join(cli.dataRoot, 'test-bin');
  await fs.mkdir(bin, { recursive: true });
  const real = (await execa('sh', ['-c', 'command -v bwa'])).stdout.trim();
  const versionFile = path.join(bin, 'bwa-version');
  // bwa prints its version in its usage text (no arguments), which is how jobs ask for it. The
  // real one runs as `bwa` (exec -a), so its @PG line, and every file made with it (the demo's
  // cached submissions too), is the same as without the wrapper.
  await fs.writeFile(
    path.join(bin, 'bwa'),
    [
      '#!/bin/bash',
      `if [ $# -eq 0 ] && [ -s '${versionFile}' ]; then`,
      `  '${real}' 2>&1 | sed "s/^Version: .*/Version: $(cat '${versionFile}')/" >&2`,
      '  exit 1',
      'fi',
      `exec -a bwa '${real}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  cli.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
  return { upgradeBwa: (version) => fs.writeFile(versionFile, `${version}\n`) };
}

/** Reruns hovedstaden with `version` and waits for the campaign's end. */
export async function rerunHovedstaden(
  cli: CliEnv,
  version: string,
  reuse: 'steps' | 'none',
): Promise<CampaignProgress> {
  const started = await harmonise(cli, [
    'campaign',
    'start',
    '--select',
    'region=hovedstaden',
    '--pipeline',
    version,
    '--reuse',
    reuse,
    '--wait',
    '--json',
  ]);
  expect(started.exitCode, started.stderr.slice(-2000)).toBe(0);
  const { progress } = JSON.parse(started.stdout) as { progress: CampaignProgress };
  expect(progress).toMatchObject({
    state: 'completed',
    reuse,
    counts: { done: HOVEDSTADEN.length, failed: 0, rejected: 0 },
  });
  return progress;
}

export function sampleDir(root: string, sampleId: string, version: string): string {
  return path.join(root, 'gdb/samples', sampleId, version);
}

export async function provenanceOf(
  root: string,
  sampleId: string,
  version: string,
): Promise<Provenance> {
  const file = path.join(sampleDir(root, sampleId, version), 'provenance.json');
  return JSON.parse(await fs.readFile(file, 'utf8')) as Provenance;
}

/**
 * The plan steps whose jobs each sample's workflow for `version` ran, by sample (its frequency
 * contribution's job, which follows publication, left out).
 */
export function jobSteps(keys: readonly string[], version: string): Record<string, string[]> {
  const steps: Record<string, string[]> = {};
  for (const sampleId of HOVEDSTADEN) {
    const prefix = `sample:${sampleId}:${version}/`;
    steps[sampleId] = keys
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length).split('/')[1]!)
      .filter((step) => !step.startsWith('contrib-'))
      .sort();
  }
  return steps;
}

export function stepOf(provenance: Provenance, name: string): Provenance['steps'][number] {
  const step = provenance.steps.find((s) => s.name === name);
  if (!step) throw new Error(`${provenance.sampleId} has no step ${name}`);
  return step;
}

/** QUAL of every variant record of a gVCF (reference blocks left out). */
export async function variantQuals(gvcf: string): Promise<string[]> {
  const { stdout } = await execa('bcftools', [
    'query',
    '-f',
    '%CHROM:%POS\\t%ALT\\t%QUAL\\n',
    gvcf,
  ]);
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([, alt]) => alt !== undefined && alt !== '<*>')
    .map(([site, , qual]) => `${site} ${qual}`);
}
