/**
 * BAM/CRAM content checks with samtools: quickcheck (header and EOF block), the header (@SQ M5s,
 * @PG), then a full decode, since quickcheck passes a BAM corrupted mid-file. htslib is never
 * allowed to fetch a reference: CRAMs are read with `--reference` and a REF_PATH/REF_CACHE that
 * point nowhere, and a CRAM on an unknown reference is not decoded: only its flags are counted.
 */
import {
  ALIGNMENT_CORRUPT,
  ALIGNMENT_EMPTY,
  ALIGNMENT_FORMAT_MISMATCH,
  ALIGNMENT_TRUNCATED,
  CRAM_REFERENCE_UNKNOWN,
  UCRAM_NOT_UNALIGNED,
  fileIssue,
  toolSays,
} from './codes.ts';
import type { Budget } from './budget.ts';
import { readHead, runTool, toolInput, type ToolRun } from './gzip.ts';
import type { AlignmentFacts, FileToInspect, Inspection, ReferenceInfo } from './inspection.ts';
import type { InputIssue } from '../../domain/issues.ts';
import {
  compareToNational,
  describeForeign,
  parseHeader,
  type SqLine,
} from './alignment-header.ts';

/** htslib's environment: a missing local path instead of the default EBI reference server. */
export const NO_REFERENCE_FETCH = {
  REF_PATH: '/nonexistent/%2s/%2s/%s',
  REF_CACHE: '/nonexistent/%2s/%2s/%s',
} as const;

/** htslib's `required_fields` bit for FLAG: counting flags needs no sequence, no reference. */
const FLAGS_ONLY = ['--input-fmt-option', 'required_fields=0x2'];

/** How the checks run samtools on the file. */
interface Samtools {
  run: (args: string[]) => Promise<ToolRun>;
  input: string;
  /** `--reference <national fasta>` for a CRAM. */
  withReference: string[];
}

export async function inspectAlignment(
  file: FileToInspect,
  reference: ReferenceInfo,
  budget: Budget,
): Promise<Inspection> {
  const issues: InputIssue[] = [];
  const expected = file.kind === 'bam' ? 'bam' : 'cram';
  const head = await readHead(file.handle, 4);
  const format =
    head.toString('latin1') === 'CRAM'
      ? 'cram'
      : head[0] === 0x1f && head[1] === 0x8b
        ? 'bam'
        : null;
  const facts: AlignmentFacts = {
    format: format ?? expected,
    m5s: {},
    onNationalReference: false,
    programs: [],
    unaligned: false,
    records: 0,
  };
  const done = () => ({ issues, facts: { kind: 'alignment' as const, facts } });
  if (format === null && head.length === 4) {
    issues.push(
      fileIssue(
        file,
        ALIGNMENT_FORMAT_MISMATCH,
        `is listed as ${file.kind} but is neither a BAM nor a CRAM file`,
      ),
    );
    return done();
  }
  if (format !== null && format !== expected) {
    issues.push(
      fileIssue(
        file,
        ALIGNMENT_FORMAT_MISMATCH,
        `is listed as ${file.kind} but its content is ${format.toUpperCase()}`,
      ),
    );
  }
  const samtools: Samtools = {
    run: (args) => runTool('samtools', args, { budget, env: NO_REFERENCE_FETCH }),
    input: toolInput(file.handle, file.path),
    withReference: facts.format === 'cram' ? ['--reference', reference.fasta] : [],
  };
  const sq = await readHeader(file, samtools, facts, issues);
  if (sq === null) return done();
  if (!checkReference(file, sq, reference, facts, issues)) {
    // Decoding would fail (or reach for the reference named in the header): count flags only.
    const { run, input, withReference } = samtools;
    const flags = await run(['view', '-c', ...FLAGS_ONLY, ...withReference, input]);
    if (!toolFailed(flags)) facts.records = parseCount(flags) ?? 0;
    return done();
  }
  await decodeRecords(file, samtools, sq, facts, issues);
  return done();
}

/** quickcheck (header and EOF block), then the header's @SQ lines; null when either fails. */
async function readHeader(
  file: FileToInspect,
  { run, input, withReference }: Samtools,
  facts: AlignmentFacts,
  issues: InputIssue[],
): Promise<SqLine[] | null> {
  const quick = await run(['quickcheck', '-v', '-u', input]);
  if (quick.exitCode !== 0) {
    const says = toolSays(file, quick.stderr.length > 0 ? quick.stderr : quick.stdout);
    issues.push(
      fileIssue(
        file,
        ALIGNMENT_TRUNCATED,
        `is truncated or has an unreadable header (samtools quickcheck: ${says}); upload it again`,
      ),
    );
    return null;
  }
  const header = await run(['view', '-H', '--no-PG', ...withReference, input]);
  if (toolFailed(header)) {
    issues.push(
      fileIssue(
        file,
        ALIGNMENT_CORRUPT,
        `its header cannot be read (samtools: ${toolSays(file, header.stderr)})`,
      ),
    );
    return null;
  }
  return parseHeader(header.stdout, facts);
}

/**
 * The header against the national reference and the listed kind: a ucram must have no @SQ
 * lines. False when the file is a CRAM on a reference NGC does not have, which cannot be decoded.
 */
function checkReference(
  file: FileToInspect,
  sq: readonly SqLine[],
  reference: ReferenceInfo,
  facts: AlignmentFacts,
  issues: InputIssue[],
): boolean {
  const { foreign, national, onNationalReference } = compareToNational(sq, reference);
  facts.onNationalReference = onNationalReference;
  if (file.kind === 'ucram' && sq.length > 0) {
    issues.push(
      fileIssue(
        file,
        UCRAM_NOT_UNALIGNED,
        `is listed as ucram (unaligned reads) but its header has ${sq.length} @SQ lines: it is aligned; list it as cram, or submit the unaligned reads`,
      ),
    );
  }
  if (facts.format !== 'cram' || foreign.length === 0) return true;
  const shown = foreign
    .slice(0, 3)
    .map((s) => describeForeign(s, national))
    .join('; ');
  issues.push(
    fileIssue(
      file,
      CRAM_REFERENCE_UNKNOWN,
      `was made against a reference NGC does not have (${shown}${foreign.length > 3 ? '; …' : ''}); NGC cannot decode it: re-create it with the national reference, or submit it as BAM`,
    ),
  );
  return false;
}

/** A full decode (quickcheck passes a BAM corrupted mid-file), then whether any read is mapped. */
async function decodeRecords(
  file: FileToInspect,
  { run, input, withReference }: Samtools,
  sq: readonly SqLine[],
  facts: AlignmentFacts,
  issues: InputIssue[],
): Promise<void> {
  const decode = await run(['view', '-c', ...withReference, input]);
  const records = parseCount(decode);
  if (toolFailed(decode) || records === null) {
    issues.push(
      fileIssue(
        file,
        ALIGNMENT_CORRUPT,
        `fails to decode: it is corrupt (samtools view: ${toolSays(file, decode.stderr)}); upload it again`,
      ),
    );
    return;
  }
  facts.records = records;
  if (records === 0) issues.push(fileIssue(file, ALIGNMENT_EMPTY, 'holds no records'));
  if (sq.length > 0 || records === 0) {
    facts.unaligned = sq.length === 0;
    return;
  }
  const mapped = await run(['view', '-c', '-F', '4', ...FLAGS_ONLY, input]);
  const count = parseCount(mapped);
  if (toolFailed(mapped) || count === null) {
    throw new Error(
      `samtools could not count mapped reads of ${file.path} it decoded: ${mapped.stderr.slice(0, 5).join(' | ')}`,
    );
  }
  facts.unaligned = count === 0;
  if (file.kind === 'ucram' && count > 0) {
    issues.push(
      fileIssue(
        file,
        UCRAM_NOT_UNALIGNED,
        `is listed as ucram (unaligned reads) but ${count} of its reads are marked mapped`,
      ),
    );
  }
}

/** Exit status alone is not enough: samtools can report read errors and still exit 0. */
function toolFailed(run: ToolRun): boolean {
  return (
    run.exitCode !== 0 ||
    run.stderr.some((line) => line.startsWith('[E::') || /\berror\b/i.test(line))
  );
}

function parseCount(run: ToolRun): number | null {
  const text = run.stdout.join('\n').trim();
  return /^\d+$/.test(text) ? Number(text) : null;
}
