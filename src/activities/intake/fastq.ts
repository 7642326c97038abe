/**
 * FASTQ content checks, streamed line by line over zlib (gzip, or plain when the file does not
 * start with the gzip magic). Each file: every record well-formed, at least one read, the gzip
 * stream intact to its end. Each R1/R2 pair: same read count, names pairing up record by record
 * (bwa mem silently drops a read when R2 is one record short, so this must be checked here).
 * Messages say where and what is wrong, never quote the file's content.
 */
import type { InputIssue } from '../../domain/issues.ts';
import {
  FASTQ_EMPTY,
  FASTQ_MALFORMED,
  FASTQ_PAIR_COUNT_MISMATCH,
  FASTQ_PAIR_NAME_MISMATCH,
  FILE_GZIP_CORRUPT,
  fileIssue,
} from './codes.ts';
import {
  BudgetExceededError,
  DecompressedTooLargeError,
  LineTooLongError,
  type Budget,
} from './budget.ts';
import { GzipCorruptError, LineReader } from './gzip.ts';
import type { FileToInspect, Inspection } from './inspection.ts';

const SEQUENCE = /^[ACGTNacgtn]*$/;
const QUALITY = /^[!-~]*$/;
const HEARTBEAT_EVERY = 1 << 16;

type Step =
  | { kind: 'record'; name: string }
  | { kind: 'end' }
  | { kind: 'malformed'; line: number; reason: string };

/** Reads and checks one 4-line record. Blank lines are tolerated only at the end of the file. */
async function nextRecord(lines: LineReader): Promise<Step> {
  // Lines come in batches: await only when the batch runs out (most records need no await).
  if (!lines.has(4)) await lines.want(4);
  let header = lines.take();
  if (header === '') {
    const blankAt = lines.lineNumber;
    while (header === '') header = await lines.next();
    if (header === undefined) return { kind: 'end' };
    return { kind: 'malformed', line: blankAt, reason: 'a blank line stands between records' };
  }
  if (header === undefined) return { kind: 'end' };
  const start = lines.lineNumber;
  const sequence = lines.take();
  const plus = lines.take();
  const quality = lines.take();
  const bad = (reason: string): Step => ({ kind: 'malformed', line: start, reason });
  if (sequence === undefined || plus === undefined || quality === undefined) {
    return bad('the file ends inside the record (a FASTQ record is 4 lines)');
  }
  if (!header.startsWith('@')) return bad('the header line does not start with "@"');
  if (!plus.startsWith('+')) return bad('the third line does not start with "+"');
  if (sequence.length !== quality.length) {
    return bad(
      `the sequence has ${sequence.length} bases but the quality has ${quality.length} characters`,
    );
  }
  if (!SEQUENCE.test(sequence)) {
    return bad(
      `the sequence has a character other than ACGTN at base ${firstOutside(sequence, SEQUENCE)}`,
    );
  }
  if (!QUALITY.test(quality)) {
    return bad(
      `the quality has a character outside '!'..'~' at position ${firstOutside(quality, QUALITY)}`,
    );
  }
  return { kind: 'record', name: header.slice(1) };
}

/** Checks one FASTQ file: every record, then the gzip stream to its end. */
export async function inspectFastq(file: FileToInspect, budget: Budget): Promise<Inspection> {
  const lines = new LineReader(file.handle, budget);
  let reads = 0;
  try {
    for (;;) {
      const step = await nextRecord(lines);
      if (step.kind === 'end') break;
      if (step.kind === 'malformed') {
        // Garbage from a corrupt gzip member often looks malformed before zlib's CRC check
        // fails at the member's end: read on, so corruption is reported as what it is. A limit
        // broken meanwhile changes nothing: the record is malformed either way.
        await lines.drain().catch((error: unknown) => {
          if (error instanceof GzipCorruptError || !isLimit(error)) throw error;
        });
        const message = `record ${reads + 1} (line ${step.line}) is malformed: ${step.reason}`;
        return {
          issues: [fileIssue(file, FASTQ_MALFORMED, message)],
          facts: { kind: 'fastq', reads },
        };
      }
      reads += 1;
      if (reads % HEARTBEAT_EVERY === 0) budget.heartbeat();
    }
  } catch (error) {
    if (!(error instanceof GzipCorruptError)) throw error;
    return { issues: [gzipIssue(file, error)], facts: { kind: 'fastq', reads } };
  } finally {
    await lines.close();
  }
  budget.heartbeat();
  const issues = reads === 0 ? [fileIssue(file, FASTQ_EMPTY, 'the file holds no reads')] : [];
  return { issues, facts: { kind: 'fastq', reads } };
}

/**
 * Checks that R1 and R2 pair up. A file that is itself unreadable or malformed gives no pair
 * issue: its own inspection reports that, and pairing it further would only add noise.
 */
export async function inspectFastqPair(
  r1: FileToInspect,
  r2: FileToInspect,
  budget: Budget,
): Promise<InputIssue[]> {
  const a = new LineReader(r1.handle, budget);
  const b = new LineReader(r2.handle, budget);
  const issues: InputIssue[] = [];
  try {
    let record = 0;
    for (;;) {
      const [x, y] = await Promise.all([nextRecord(a), nextRecord(b)]);
      if (x.kind === 'malformed' || y.kind === 'malformed') return [];
      if (x.kind === 'end' || y.kind === 'end') {
        if (x.kind === y.kind) return issues;
        const rest = await countRecords(x.kind === 'end' ? b : a);
        if (rest === null) return [];
        const [n1, n2] =
          x.kind === 'end' ? [record, record + 1 + rest] : [record + 1 + rest, record];
        issues.push(
          fileIssue(
            r2,
            FASTQ_PAIR_COUNT_MISMATCH,
            `has ${n2} reads but its mate file ${r1.relativePath} has ${n1}: R1 and R2 must hold the same reads in the same order`,
          ),
        );
        return issues;
      }
      record += 1;
      if (issues.length === 0 && mateName(x.name) !== mateName(y.name)) {
        issues.push(
          fileIssue(
            r2,
            FASTQ_PAIR_NAME_MISMATCH,
            `read ${record} has another name than read ${record} of ${r1.relativePath} (compared without /1, /2 and anything after a space): R1 and R2 must list the same reads in the same order`,
          ),
        );
      }
      if (record % HEARTBEAT_EVERY === 0) budget.heartbeat();
    }
  } catch (error) {
    if (error instanceof GzipCorruptError) return [];
    throw error;
  } finally {
    await Promise.all([a.close(), b.close()]);
    budget.heartbeat();
  }
}

/** Records left in a reader; null if one is malformed. */
async function countRecords(lines: LineReader): Promise<number | null> {
  let count = 0;
  for (;;) {
    const step = await nextRecord(lines);
    if (step.kind === 'end') return count;
    if (step.kind === 'malformed') return null;
    count += 1;
  }
}

/** The name two mates share: up to the first space or tab, without a trailing /1 or /2. */
export function mateName(header: string): string {
  const cut = header.search(/[ \t]/);
  const name = cut === -1 ? header : header.slice(0, cut);
  return name.replace(/\/[12]$/, '');
}

function gzipIssue(file: FileToInspect, error: GzipCorruptError): InputIssue {
  return fileIssue(
    file,
    FILE_GZIP_CORRUPT,
    `the gzip stream is truncated or corrupt (${error.message}); upload the file again`,
  );
}

/** The 1-based position of the first character `allowed` refuses. */
function firstOutside(text: string, allowed: RegExp): number {
  let position = 0;
  for (const char of text) {
    position += 1;
    if (!allowed.test(char)) return position;
  }
  return position;
}

function isLimit(error: unknown): boolean {
  return (
    error instanceof LineTooLongError ||
    error instanceof DecompressedTooLargeError ||
    error instanceof BudgetExceededError
  );
}
