/**
 * Stable codes for what the content checks of intake find wrong with a submitted file, and the
 * one way such an issue is built. Codes are API: operators, the CLI and tests match on them.
 */
import type { InputIssue } from '../../domain/issues.ts';
import { toolInput } from './gzip.ts';
import type { FileToInspect } from './inspection.ts';

/** A listed file is not there. */
export const FILE_MISSING = 'FILE_MISSING';
/** A listed file is a symbolic link that leads outside the submission folder. */
export const FILE_OUTSIDE_SUBMISSION = 'FILE_OUTSIDE_SUBMISSION';
/** A listed path is a folder, a FIFO, a socket or a device: refused before it is opened. */
export const FILE_NOT_REGULAR = 'FILE_NOT_REGULAR';
/** NGC may not read a listed file (permissions). */
export const FILE_UNREADABLE = 'FILE_UNREADABLE';
/** A listed file was replaced or changed while intake read it. */
export const FILE_CHANGED_DURING_INTAKE = 'FILE_CHANGED_DURING_INTAKE';
/** A file's checksum is not the one the manifest lists. */
export const FILE_CHECKSUM_MISMATCH = 'FILE_CHECKSUM_MISMATCH';
/** A line (of a FASTQ or VCF file) is longer than the limit: no line end within it. */
export const FILE_LINE_TOO_LONG = 'FILE_LINE_TOO_LONG';
/** A compressed file decompresses to more than the limit, or by more than the ratio limit. */
export const FILE_DECOMPRESSES_TOO_LARGE = 'FILE_DECOMPRESSES_TOO_LARGE';
/** Reading a file took longer (or more CPU) than its budget. */
export const FILE_INSPECTION_TOO_SLOW = 'FILE_INSPECTION_TOO_SLOW';

/** A gzip-compressed file is truncated or corrupt (zlib cannot decode it to the end). */
export const FILE_GZIP_CORRUPT = 'FILE_GZIP_CORRUPT';
/** A FASTQ record breaks the format (4 lines, '@', '+', ACGTN, qualities '!'..'~', lengths). */
export const FASTQ_MALFORMED = 'FASTQ_MALFORMED';
/** A FASTQ file holds no reads. */
export const FASTQ_EMPTY = 'FASTQ_EMPTY';
/** R1 and R2 of a sample hold different numbers of reads. */
export const FASTQ_PAIR_COUNT_MISMATCH = 'FASTQ_PAIR_COUNT_MISMATCH';
/** R1 and R2 read names do not pair up record by record. */
export const FASTQ_PAIR_NAME_MISMATCH = 'FASTQ_PAIR_NAME_MISMATCH';

/** The file's content is not the format its kind says (a BAM listed as cram, or neither). */
export const ALIGNMENT_FORMAT_MISMATCH = 'ALIGNMENT_FORMAT_MISMATCH';
/** `samtools quickcheck` fails: no EOF block, or an unreadable header. */
export const ALIGNMENT_TRUNCATED = 'ALIGNMENT_TRUNCATED';
/** A full decode of the records fails (mid-file corruption quickcheck cannot see). */
export const ALIGNMENT_CORRUPT = 'ALIGNMENT_CORRUPT';
/** A CRAM whose @SQ M5s are not the national reference's: NGC cannot decode it. */
export const CRAM_REFERENCE_UNKNOWN = 'CRAM_REFERENCE_UNKNOWN';
/** A file listed as `ucram` has @SQ lines or mapped reads. */
export const UCRAM_NOT_UNALIGNED = 'UCRAM_NOT_UNALIGNED';
/** An alignment file holds no records. */
export const ALIGNMENT_EMPTY = 'ALIGNMENT_EMPTY';

/** A VCF is plain text or plain gzip, not bgzip (BGZF), so it cannot be indexed. */
export const VCF_NOT_BGZIPPED = 'VCF_NOT_BGZIPPED';
/** A VCF's BGZF stream is truncated or fails to decode. */
export const VCF_CORRUPT = 'VCF_CORRUPT';
/** No `##fileformat=VCF` line, no `#CHROM` line, or bcftools cannot parse the header. */
export const VCF_HEADER_INVALID = 'VCF_HEADER_INVALID';
/** A record lies on a contig the header does not declare. */
export const VCF_CONTIG_UNDECLARED = 'VCF_CONTIG_UNDECLARED';
/** Records are not sorted (contigs contiguous, positions ascending): the file cannot be indexed. */
export const VCF_UNSORTED = 'VCF_UNSORTED';
/** The header claims the national reference but REF alleles disagree with it. */
export const VCF_REF_MISMATCH = 'VCF_REF_MISMATCH';
/** A file listed as `gvcf` has no reference blocks. */
export const GVCF_NOT_GVCF = 'GVCF_NOT_GVCF';

/** An issue about one file: the path is the manifest entry's `.path`, the message names it. */
export function fileIssue(file: FileToInspect, code: string, message: string): InputIssue {
  return { code, path: `${file.jsonPath}.path`, message: `${file.relativePath}: ${message}` };
}

/** The first lines of a tool's stderr, with every path to the file shown as the manifest's. */
export function toolSays(file: FileToInspect, stderr: readonly string[], max = 3): string {
  const lines = stderr
    .map((line) =>
      line
        .replaceAll(toolInput(file.handle, file.path), file.relativePath)
        .replaceAll(file.path, file.relativePath)
        .slice(0, 300)
        .trim(),
    )
    .filter((line) => line !== '');
  if (lines.length === 0) return 'no message';
  const shown = lines.slice(0, max).join(' | ');
  return lines.length > max ? `${shown} | …` : shown;
}
