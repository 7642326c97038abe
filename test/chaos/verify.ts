/**
 * What must be true after the faults, each read from the source that would show a loss: the
 * catalogue and Temporal's own list of runs (every sample done exactly once), Slurm's records (one
 * sbatch per attempt key; a step run again only after the node-down fault killed its job), the
 * files themselves (integrity and the checksums in provenance.json), and a frequency release
 * against an independent recomputation. What the files hold is checked in content.ts.
 */
import type { TemporalConnectionOptions } from '../../src/temporal-connection.ts';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { SampleRecord } from '../../src/domain/sample-record.ts';
import { compareReleaseWithPeer } from '../helpers/frequency-peer.ts';
import { duplicateNames, type SlurmJob } from './slurm-records.ts';

export interface Finding {
  sampleId: string | null;
  problem: string;
}

interface Provenance {
  steps: { name: string; key: string; jobId: string }[];
  outputs: Record<string, { sha256: string }>;
}

/** The campaign's job keys: `sample:<id>:<version>/<run>/<step>/<attempt>`. */
export const isCampaignJob = (version: string) => (name: string) =>
  name.startsWith('sample:') && name.split('/')[0]!.endsWith(`:${version}`);

export async function readRecord(root: string, sampleId: string): Promise<SampleRecord | null> {
  const file = path.join(root, 'gdb/catalogue', `${sampleId}.json`);
  const text = await fsp.readFile(file, 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as SampleRecord);
}

/** Samples not harmonised with the version: missing from the catalogue or from Temporal. */
export async function lostSamples(
  root: string,
  server: TemporalConnectionOptions,
  sampleIds: readonly string[],
  version: string,
): Promise<{ lost: Finding[]; doneTwice: Finding[] }> {
  const lost: Finding[] = [];
  const doneTwice: Finding[] = [];
  const runs = await sampleRuns(server, version);
  for (const sampleId of sampleIds) {
    const record = await readRecord(root, sampleId);
    const harmonised = record?.versions[version];
    if (!harmonised || harmonised.status !== 'harmonised') {
      lost.push({ sampleId, problem: `the catalogue has no harmonised version ${version}` });
      continue;
    }
    const completed = runs.get(`sample:${sampleId}:${version}`) ?? [];
    if (completed.length === 0)
      lost.push({ sampleId, problem: 'Temporal has no completed sample workflow run' });
    if (completed.length > 1)
      doneTwice.push({
        sampleId,
        problem: `${completed.length} completed runs: ${completed.join(', ')}`,
      });
    if (completed.length === 1 && harmonised.workflowId !== `sample:${sampleId}:${version}`)
      lost.push({ sampleId, problem: `registered by ${harmonised.workflowId}` });
  }
  return { lost, doneTwice };
}

/** Completed sampleWorkflow runs of the version, by workflow id (Temporal's visibility). */
async function sampleRuns(
  server: TemporalConnectionOptions,
  version: string,
): Promise<Map<string, string[]>> {
  const connection = await Connection.connect(server);
  try {
    const client = new Client({ connection });
    const runs = new Map<string, string[]>();
    const query = `WorkflowType='sampleWorkflow' AND PipelineVersion='${version}' AND ExecutionStatus='Completed'`;
    for await (const run of client.workflow.list({ query })) {
      runs.set(run.workflowId, [...(runs.get(run.workflowId) ?? []), run.runId]);
    }
    return runs;
  } finally {
    await connection.close();
  }
}

/** Job names Slurm ran more than once (each extra job is a second sbatch for one attempt key). */
export function duplicateSubmissions(
  jobs: ReadonlyMap<string, SlurmJob>,
  version: string,
): (Finding & { extra: number })[] {
  const campaignJobs = [...jobs.values()].filter((job) => isCampaignJob(version)(job.name));
  return [...duplicateNames(campaignJobs)].map(([name, ids]) => ({
    sampleId: name.split('/')[0]!.split(':')[1] ?? null,
    problem: `${ids.length} Slurm jobs named ${name}: ${ids.join(', ')}`,
    extra: ids.length - 1,
  }));
}

/** Each step's attempt keys (`<workflow>/<run>/<step>/<attempt>`) with the jobs Slurm ran under them. */
function attemptsByStep(
  jobs: ReadonlyMap<string, SlurmJob>,
  version: string,
): Map<string, Map<string, SlurmJob[]>> {
  const byStep = new Map<string, Map<string, SlurmJob[]>>();
  for (const job of jobs.values()) {
    if (!isCampaignJob(version)(job.name)) continue;
    const [workflowId, , step] = job.name.split('/');
    const id = `${workflowId}/${step}`;
    const keys = byStep.get(id) ?? new Map<string, SlurmJob[]>();
    keys.set(job.name, [...(keys.get(job.name) ?? []), job]);
    byStep.set(id, keys);
  }
  return byStep;
}

/** An attempt the node-down fault ended: every job under its key was one it killed, NODE_FAIL. */
const killedByNodeDown = (killed: ReadonlySet<string>) => (attempt: readonly SlurmJob[]) =>
  attempt.length > 0 && attempt.every((j) => killed.has(j.jobId) && j.state === 'NODE_FAIL');

/**
 * Steps whose earlier attempts all died with the node the node-down fault set DOWN (their jobs
 * among `killed`, ended NODE_FAIL), so the step ran again under a new attempt key: the recovery
 * that fault asks for, not a duplicate. Also what went wrong with it: a killed job whose step
 * never ran again.
 */
export function nodeDownRetries(
  jobs: ReadonlyMap<string, SlurmJob>,
  version: string,
  killed: ReadonlySet<string>,
): { retried: string[]; findings: Finding[] } {
  const dead = killedByNodeDown(killed);
  const retried: string[] = [];
  const findings: Finding[] = [];
  for (const [id, keys] of attemptsByStep(jobs, version)) {
    const attempts = [...keys.values()];
    const ended = attempts.filter(dead);
    if (ended.length === 0) continue;
    if (ended.length === attempts.length)
      findings.push({
        sampleId: id.split(':')[1] ?? null,
        problem: `${id}: job ${ended
          .flat()
          .map((j) => j.jobId)
          .join(', ')} died with the downed node and the step never ran again`,
      });
    else if (ended.length === attempts.length - 1) retried.push(id);
  }
  return { retried: retried.sort(), findings };
}

/**
 * Steps run under more than one attempt key (`<workflow>/<run>/<step>/<attempt>`): a fault that
 * leaked into a job failure or a lost job, even when the step succeeded in the end. A step whose
 * only earlier attempts are jobs the node-down fault killed (`killed`) is not one of them: it is
 * counted by nodeDownRetries.
 */
export function repeatedSteps(
  jobs: ReadonlyMap<string, SlurmJob>,
  version: string,
  killed: ReadonlySet<string> = new Set(),
): Finding[] {
  const dead = killedByNodeDown(killed);
  return [...attemptsByStep(jobs, version)]
    .filter(([, keys]) => keys.size > 1)
    .filter(([, keys]) => [...keys.values()].filter((a) => !dead(a)).length > 1)
    .map(([id, keys]) => ({
      sampleId: id.split(':')[1] ?? null,
      problem: `${id} ran under ${keys.size} attempt keys: ${[...keys.keys()].join(', ')}`,
    }));
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function tool(command: string, args: string[]): Promise<string | null> {
  const result = await execa(command, args, { reject: false });
  return result.exitCode === 0 ? null : `${command} ${args.join(' ')}: ${result.stderr.trim()}`;
}

/**
 * Every published file of every sample's version: CRAM quickcheck and a full decode against the
 * reference, the gVCF is BGZF with a tabix index listing every contig, every output matches
 * provenance.json and the catalogue, and each step's job is the one Slurm ran under its key.
 */
export async function corruptOutputs(
  root: string,
  reference: string,
  contigs: readonly string[],
  sampleIds: readonly string[],
  version: string,
  jobs: ReadonlyMap<string, SlurmJob>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const sampleId of sampleIds) {
    const found = (problem: string) => findings.push({ sampleId, problem });
    const harmonised = (await readRecord(root, sampleId))?.versions[version];
    if (!harmonised) continue; // counted as lost
    const cram = harmonised.files.cram;
    const gvcf = harmonised.files.gvcf;
    if (!cram || !gvcf) {
      found(`version ${version} publishes no ${cram ? 'gvcf' : 'cram'}`);
      continue;
    }
    const quick = await tool('samtools', ['quickcheck', '-v', cram]);
    if (quick) found(quick);
    const decoded = await execa('samtools', ['view', '-c', '--reference', reference, cram], {
      reject: false,
    });
    if (decoded.exitCode !== 0 || !(Number(decoded.stdout) > 0))
      found(`${cram} does not decode: ${decoded.stderr.trim() || `${decoded.stdout} reads`}`);
    const type = await execa('htsfile', [gvcf], { reject: false });
    if (!type.stdout.includes('BGZF-compressed')) found(`${gvcf} is not BGZF: ${type.stdout}`);
    const listed = await execa('tabix', ['-l', gvcf], { reject: false });
    if (listed.exitCode !== 0 || listed.stdout.split('\n').join() !== contigs.join())
      found(`${gvcf} index lists [${listed.stdout.split('\n').join(', ')}] ${listed.stderr}`);

    const provenance = JSON.parse(
      await fsp.readFile(path.join(harmonised.dir, 'provenance.json'), 'utf8'),
    ) as Provenance;
    for (const [name, entry] of Object.entries(provenance.outputs)) {
      const actual = await sha256(path.join(harmonised.dir, name)).catch(() => 'unreadable');
      if (actual !== entry.sha256)
        found(`${name}: sha256 ${actual}, provenance says ${entry.sha256}`);
      const catalogued = harmonised.sha256[name];
      if (catalogued !== undefined && catalogued !== actual)
        found(`${name}: sha256 ${actual}, the catalogue says ${catalogued}`);
    }
    for (const step of provenance.steps) {
      const named = [...jobs.values()].filter((job) => job.name === step.key);
      if (named.length !== 1 || named[0]!.jobId !== step.jobId || named[0]!.state !== 'COMPLETED')
        found(
          `step ${step.name}: provenance names job ${step.jobId}, Slurm ran ${named.map((j) => `${j.jobId} ${j.state}`).join(', ') || 'none'} under ${step.key}`,
        );
    }
  }
  return findings;
}

/** Sites whose published counts differ from the `-m all` merge of the same gVCFs (the peer). */
export async function releaseMismatches(
  releaseDir: string,
  reference: string,
  scratch: string,
): Promise<{ samples: number; sampleIds: string[]; sites: number; mismatches: string[] }> {
  const compared = await compareReleaseWithPeer(releaseDir, reference, scratch);
  return {
    samples: compared.sampleIds.length,
    sampleIds: compared.sampleIds,
    sites: compared.published.size,
    mismatches: compared.differences,
  };
}
