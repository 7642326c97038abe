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
import type { AlignmentFacts, FileToInspect, Inspection, ReferenceInfo } from './inspect.ts';
import type { InputIssue } from '../../domain/issues.ts';

/** htslib's environment: a missing local path instead of the default EBI reference server. */
export const NO_REFERENCE_FETCH = {
  REF_PATH: '/nonexistent/%2s/%2s/%s',
  REF_CACHE: '/nonexistent/%2s/%2s/%s',
} as const;

/** htslib's `required_fields` bit for FLAG: counting flags needs no sequence, no reference. */
const FLAGS_ONLY = ['--input-fmt-option', 'required_fields=0x2'];

/** @PG records kept as facts (the planner reads the aligner's; real headers have a handful). */
const MAX_PROGRAMS = 100;

interface SqLine {
  name: string;
  m5: string | null;
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
  const run = (args: string[]) => runTool('samtools', args, { budget, env: NO_REFERENCE_FETCH });
  const input = toolInput(file.handle, file.path);
  const withReference = facts.format === 'cram' ? ['--reference', reference.fasta] : [];

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
    return done();
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
    return done();
  }
  const sq: SqLine[] = [];
  for (const line of header.stdout) {
    const fields = headerFields(line);
    if (line.startsWith('@SQ\t')) {
      const m5 = fields.get('M5')?.toLowerCase() ?? null;
      sq.push({ name: fields.get('SN') ?? '', m5 });
      if (m5 !== null) facts.m5s[fields.get('SN') ?? ''] = m5;
    } else if (line.startsWith('@PG\t') && facts.programs.length < MAX_PROGRAMS) {
      // Facts travel through workflow history: a hostile header is cut to size.
      const clip = (value: string | undefined) =>
        value === undefined ? null : value.slice(0, 2000);
      facts.programs.push({
        id: clip(fields.get('ID')) ?? '',
        name: clip(fields.get('PN')),
        version: clip(fields.get('VN')),
        commandLine: clip(fields.get('CL')),
      });
    }
  }
  const national = new Map(reference.sequences.map((s) => [s.name, s.md5.toLowerCase()]));
  const foreign = sq.filter((s) => s.m5 === null || national.get(s.name) !== s.m5);
  facts.onNationalReference =
    sq.length > 0 && foreign.length === 0 && new Set(sq.map((s) => s.name)).size === national.size;

  if (file.kind === 'ucram' && sq.length > 0) {
    issues.push(
      fileIssue(
        file,
        UCRAM_NOT_UNALIGNED,
        `is listed as ucram (unaligned reads) but its header has ${sq.length} @SQ lines: it is aligned; list it as cram, or submit the unaligned reads`,
      ),
    );
  }

  if (facts.format === 'cram' && foreign.length > 0) {
    // Decoding would fail (or reach for the reference named in the header): count flags only.
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
    const flags = await run(['view', '-c', ...FLAGS_ONLY, ...withReference, input]);
    if (!toolFailed(flags)) facts.records = parseCount(flags) ?? 0;
    return done();
  }

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
    return done();
  }
  facts.records = records;
  if (records === 0) issues.push(fileIssue(file, ALIGNMENT_EMPTY, 'holds no records'));

  if (sq.length === 0 && records > 0) {
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
  } else facts.unaligned = sq.length === 0;
  return done();
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

function headerFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of line.split('\t').slice(1)) fields.set(field.slice(0, 2), field.slice(3));
  return fields;
}

function describeForeign(s: SqLine, national: ReadonlyMap<string, string>): string {
  if (s.m5 === null) return `@SQ ${s.name} has no M5 tag`;
  const ours = national.get(s.name);
  if (ours === undefined) return `@SQ ${s.name} is not a national reference sequence`;
  return `@SQ ${s.name} has M5 ${s.m5}, the national ${s.name} has ${ours}`;
}
