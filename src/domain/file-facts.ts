/**
 * What intake learnt about a submitted file's content (headers, references, programs). The
 * planner decides from these facts alone, so its decisions are pure and table-tested.
 */
export interface AlignmentFacts {
  format: 'cram' | 'bam';
  /** @SQ name → M5 (empty for unaligned files). */
  m5s: Record<string, string>;
  /** Every @SQ M5 present and equal to the national reference's, with the same set of names. */
  onNationalReference: boolean;
  /** @PG records in header order. */
  programs: {
    id: string;
    name: string | null;
    version: string | null;
    commandLine: string | null;
  }[];
  /** No @SQ lines and every read unmapped. */
  unaligned: boolean;
  records: number;
}

export interface VariantFacts {
  /** Contigs named in the header (##contig). */
  contigs: string[];
  /** Header contigs are exactly the national reference's names, with the same lengths. */
  onNationalReference: boolean;
  /** REF alleles checked against the national reference; null when not on it (not checked). */
  refAllelesMatch: boolean | null;
  /** Has gVCF reference blocks (ALT <*> or '.' with INFO/END). */
  gvcf: boolean;
  records: number;
}

export type FileFacts =
  | { kind: 'fastq'; reads: number }
  | { kind: 'alignment'; facts: AlignmentFacts }
  | { kind: 'variants'; facts: VariantFacts }
  | { kind: 'other' };

/** What makes a file the same file: recorded at intake, checked again by every job. */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: number;
  /** Modification time in nanoseconds since the epoch, as a decimal string. */
  mtimeNs: string;
  /** The host that recorded it: device numbers compare only on the same host. */
  host: string;
}

/** A submitted file a job reads, as intake recorded it, and how messages name it. */
export interface ExpectedInput extends FileIdentity {
  /** The path as the manifest lists it. */
  label: string;
}

/**
 * The submitted files among a step's inputs (name → path), by input name, as intake recorded
 * them: what the step's job must find unchanged.
 */
export function expectedInputs(
  inputs: Readonly<Record<string, string>>,
  files: readonly { path: string; relativePath: string; identity?: FileIdentity }[],
): Record<string, ExpectedInput> {
  const expected: Record<string, ExpectedInput> = {};
  for (const [name, file] of Object.entries(inputs)) {
    const submitted = files.find((f) => f.path === file && f.identity !== undefined);
    if (submitted?.identity)
      expected[name] = { ...submitted.identity, label: submitted.relativePath };
  }
  return expected;
}
