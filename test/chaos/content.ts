/**
 * The fault suite's checks of content, not form: every harmonised CRAM holds every read of what
 * the sample submitted (primary records counted with samtools against the submitted FASTQ records
 * or unaligned CRAM), every gVCF calls the variants the demo generator planted in that sample
 * (its truth VCF, both sides split and left-aligned with `bcftools norm` on the reference), and a
 * release lists exactly the expected samples. The counting is done here with the tools directly,
 * never through harmonise's own code.
 */
import { execa } from 'execa';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { carriedVariants, recallOf } from '../helpers/genomics.ts';
import { readRecord, type Finding } from './verify.ts';

/** A gVCF must call at least this fraction of its sample's truth variants. */
export const MIN_RECALL = 0.98;

/** What one sample's harmonised files hold, against what it submitted and what was planted. */
export interface SampleContent {
  sampleId: string;
  /** The manifest kinds the sample submitted (`fastq-r1,fastq-r2`, `fastq`, `ucram`). */
  submitted: string;
  paired: boolean;
  /** Reads submitted (both mates of a pair counted); null when they could not be counted. */
  inputReads: number | null;
  /** Primary records in the harmonised CRAM (`samtools view -c -F 0x900`). */
  cramReads: number | null;
  truthVariants: number;
  recalled: number;
  /** recalled / truthVariants; null without truth variants or a readable gVCF. */
  recall: number | null;
}

/** The lowest recall over the samples that have one; null when none has. */
export function minRecall(rows: readonly Pick<SampleContent, 'recall'>[]): number | null {
  const values = rows.map((r) => r.recall).filter((r): r is number => r !== null);
  return values.length === 0 ? null : Math.min(...values);
}

const units = (reads: number, paired: boolean) =>
  paired ? `${reads} reads (${reads / 2} pairs)` : `${reads} reads`;

/** Why the CRAM's reads are not the submitted ones, or null when every read is there once. */
export function readCountProblem(
  row: Pick<SampleContent, 'inputReads' | 'cramReads' | 'paired'>,
): string | null {
  if (row.inputReads === null) return 'the submitted reads could not be counted';
  if (row.cramReads === null) return 'the harmonised CRAM could not be counted';
  if (row.inputReads === row.cramReads) return null;
  return (
    `the harmonised CRAM holds ${units(row.cramReads, row.paired)} as primary records; ` +
    `the sample submitted ${units(row.inputReads, row.paired)}`
  );
}

/** Samples missing from a release's list, listed without being expected, or listed twice. */
export function sampleSetDiff(
  expected: readonly string[],
  listed: readonly string[],
): { exact: boolean; missing: string[]; extra: string[]; repeated: string[] } {
  const want = new Set(expected);
  const have = new Set(listed);
  const missing = [...want].filter((id) => !have.has(id)).sort();
  const extra = [...have].filter((id) => !want.has(id)).sort();
  const repeated = [...have].filter((id) => listed.indexOf(id) !== listed.lastIndexOf(id)).sort();
  const exact = missing.length === 0 && extra.length === 0 && repeated.length === 0;
  return { exact, missing, extra, repeated };
}

/** The records of a FASTQ of four-line records; throws on a partial record. */
export function fastqRecords(lines: number, file: string): number {
  if (lines % 4 !== 0) throw new Error(`${file}: ${lines} lines is not a whole number of records`);
  return lines / 4;
}

async function gzipLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of fs.createReadStream(file).pipe(createGunzip())) {
    const bytes = chunk as Buffer;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

async function primaryRecords(file: string, reference: string): Promise<number> {
  const { stdout } = await execa('samtools', [
    'view',
    '-c',
    '-F',
    '0x900',
    '--reference',
    reference,
    file,
  ]);
  return Number(stdout.trim());
}

interface ManifestFile {
  path: string;
  kind: string;
}

/** What the sample submitted: its files' kinds and reads, counted from the inbox (never touched). */
async function submittedReads(
  submissionDir: string,
  sampleId: string,
  reference: string,
): Promise<{ submitted: string; reads: number }> {
  const manifest = JSON.parse(
    await fsp.readFile(path.join(submissionDir, 'manifest.json'), 'utf8'),
  ) as { samples: { sampleId: string; files: ManifestFile[] }[] };
  const files = manifest.samples.find((s) => s.sampleId === sampleId)?.files ?? [];
  const of = (kind: string) => files.find((f) => f.kind === kind);
  const at = (f: ManifestFile) => path.join(submissionDir, f.path);
  const submitted = files.map((f) => f.kind).join(',');
  const r1 = of('fastq-r1');
  const r2 = of('fastq-r2');
  if (r1 && r2) {
    const [a, b] = await Promise.all(
      [r1, r2].map(async (f) => fastqRecords(await gzipLines(at(f)), f.path)),
    );
    if (a !== b) throw new Error(`${r1.path} has ${a} records, ${r2.path} ${b}`);
    return { submitted, reads: a! + b! };
  }
  const single = of('fastq');
  if (single) return { submitted, reads: fastqRecords(await gzipLines(at(single)), single.path) };
  const reads = of('ucram') ?? of('cram');
  if (reads) return { submitted, reads: await primaryRecords(at(reads), reference) };
  throw new Error(`the manifest lists no reads for ${sampleId} (${submitted || 'no files'})`);
}

export interface ContentSample {
  sampleId: string;
  submissionDir: string;
  readType: 'short' | 'long';
  truthVcf: string;
}

/** The sequence names of a FASTA, from its .fai. */
async function sequencesOf(fasta: string): Promise<string[]> {
  const fai = await fsp.readFile(`${fasta}.fai`, 'utf8');
  return fai
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t')[0]!);
}

/** Counts and recall of one sample's harmonised version, with what was found wrong. */
async function checkSample(
  root: string,
  reference: string,
  sample: ContentSample,
  version: string,
): Promise<{ row: SampleContent; findings: Finding[] } | null> {
  const harmonised = (await readRecord(root, sample.sampleId))?.versions[version];
  if (!harmonised?.files.cram || !harmonised.files.gvcf) return null; // lost or corrupt
  const findings: Finding[] = [];
  const found = (problem: string) => findings.push({ sampleId: sample.sampleId, problem });
  const paired = sample.readType === 'short';
  const input = await submittedReads(sample.submissionDir, sample.sampleId, reference).catch(
    (error: unknown) => {
      found(`submitted reads: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    },
  );
  const cramReads = await primaryRecords(harmonised.files.cram, reference).catch(() => null);
  const row: SampleContent = {
    sampleId: sample.sampleId,
    submitted: input?.submitted ?? '',
    paired,
    inputReads: input?.reads ?? null,
    cramReads,
    truthVariants: 0,
    recalled: 0,
    recall: null,
  };
  const counted = readCountProblem(row);
  if (counted) found(counted);

  // The demo plants variants on chrX and chrY too; a pipeline whose reference lacks them cannot
  // call those.
  const truth = await carriedVariants(sample.truthVcf, reference, await sequencesOf(reference));
  const called = await carriedVariants(harmonised.files.gvcf, reference).catch(() => null);
  if (called === null) found(`${harmonised.files.gvcf} could not be read for recall`);
  const recall = recallOf(truth, called ?? new Set());
  Object.assign(row, {
    truthVariants: recall.truth,
    recalled: recall.recalled,
    recall: called === null ? null : recall.recall,
  });
  if (recall.truth === 0) found(`the truth VCF ${sample.truthVcf} plants no variant`);
  else if (called !== null && recall.recall! < MIN_RECALL)
    found(
      `the gVCF calls ${recall.recalled} of ${recall.truth} truth variants ` +
        `(recall ${recall.recall!.toFixed(4)} < ${MIN_RECALL}); missed ${recall.missed.slice(0, 10).join(', ')}` +
        (recall.missed.length > 10 ? ` and ${recall.missed.length - 10} more` : ''),
    );
  return { row, findings };
}

/**
 * Read counts and truth recall of every sample harmonised with the version. Samples without a
 * harmonised CRAM and gVCF are left out: the catalogue checks count them as lost or corrupt.
 */
export async function contentOf(
  root: string,
  reference: string,
  samples: readonly ContentSample[],
  version: string,
): Promise<{ rows: SampleContent[]; readCountMismatches: number; findings: Finding[] }> {
  const rows: SampleContent[] = [];
  const findings: Finding[] = [];
  // Two at a time: the machine has two cores and each check is one tool pipeline at a time.
  const queue = [...samples];
  const lane = async () => {
    for (let sample = queue.shift(); sample; sample = queue.shift()) {
      const checked = await checkSample(root, reference, sample, version);
      if (!checked) continue;
      rows.push(checked.row);
      findings.push(...checked.findings);
    }
  };
  await Promise.all([lane(), lane()]);
  const order = new Map(samples.map((s, i) => [s.sampleId, i]));
  const bySample = (a: { sampleId: string | null }, b: { sampleId: string | null }) =>
    (order.get(a.sampleId ?? '') ?? -1) - (order.get(b.sampleId ?? '') ?? -1);
  rows.sort(bySample);
  findings.sort(bySample);
  return {
    rows,
    readCountMismatches: rows.filter((r) => readCountProblem(r) !== null).length,
    findings,
  };
}
