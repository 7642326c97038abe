/**
 * VCF/gVCF content checks: BGZF framing (magic, EOF block, `bgzip -t`), the header read here
 * (fileformat, #CHROM, contigs), every record through `bcftools query` (which exits 0 on a
 * corrupt block, so its stderr is read too), and, when the header claims the national
 * reference, REF alleles against it with `bcftools norm -c w`.
 */
import type { InputIssue } from '../../domain/issues.ts';
import {
  GVCF_NOT_GVCF,
  VCF_CONTIG_UNDECLARED,
  VCF_CORRUPT,
  VCF_HEADER_INVALID,
  VCF_NOT_BGZIPPED,
  VCF_REF_MISMATCH,
  VCF_UNSORTED,
  fileIssue,
  toolSays,
} from './codes.ts';
import type { Budget } from './budget.ts';
import {
  GzipCorruptError,
  LineReader,
  hasBgzfEof,
  isBgzf,
  isGzip,
  readHead,
  runTool,
  toolInput,
} from './gzip.ts';
import type { FileToInspect, Inspection, ReferenceInfo, VariantFacts } from './inspection.ts';

interface Header {
  contigs: { name: string; length: number | null }[];
  declaresEnd: boolean;
}

const UNDECLARED = /^\[W::vcf_parse\] Contig '([^']*)' is not defined in the header/;
const GVCF_ALT = new Set(['<*>', '<NON_REF>']);

export async function inspectVariants(
  file: FileToInspect,
  reference: ReferenceInfo,
  budget: Budget,
): Promise<Inspection> {
  const issues: InputIssue[] = [];
  const facts: VariantFacts = {
    contigs: [],
    onNationalReference: false,
    refAllelesMatch: null,
    gvcf: false,
    records: 0,
  };
  const done = (code?: string, message?: string): Inspection => {
    if (code !== undefined && message !== undefined) issues.push(fileIssue(file, code, message));
    return { issues, facts: { kind: 'variants', facts } };
  };

  const head = await readHead(file.handle, 18);
  if (!isBgzf(head)) {
    const what = isGzip(head) ? 'gzip-compressed but not with bgzip' : 'not compressed';
    return done(VCF_NOT_BGZIPPED, `is ${what}; compress it with bgzip (BGZF) so it can be indexed`);
  }
  if (!(await hasBgzfEof(file.handle))) {
    return done(
      VCF_CORRUPT,
      'is truncated: the BGZF end-of-file block is missing; upload it again',
    );
  }
  const test = await runTool('bgzip', ['-t', toolInput(file.handle, file.path)], { budget });
  if (test.exitCode !== 0 || test.stderr.some((line) => line.startsWith('[E::'))) {
    return done(
      VCF_CORRUPT,
      `fails to decompress (bgzip -t: ${toolSays(file, test.stderr)}); upload it again`,
    );
  }

  const header = await readHeader(file, budget);
  if ('problem' in header) return done(header.code, header.problem);
  facts.contigs = header.contigs.map((c) => c.name);
  const national = new Map(reference.sequences.map((s) => [s.name, s.length]));
  facts.onNationalReference =
    header.contigs.length === national.size &&
    new Set(facts.contigs).size === national.size &&
    header.contigs.every((c) => c.length !== null && national.get(c.name) === c.length);

  const scan = await scanRecords(file, header, facts, budget);
  if (scan !== null) return done(scan.code, scan.problem);

  if (facts.onNationalReference) await checkRefAlleles(file, reference, facts, issues, budget);
  if (file.kind === 'gvcf' && !facts.gvcf) {
    const why =
      facts.records === 0
        ? 'it has no records'
        : `none of its ${facts.records} records is a reference block`;
    issues.push(
      fileIssue(
        file,
        GVCF_NOT_GVCF,
        `is listed as gvcf but ${why} (ALT <*> or '.' with INFO/END); list it as vcf, or submit the gVCF`,
      ),
    );
  }
  return done();
}

/**
 * Every record through `bcftools query`, one short line each: CHROM, POS, ALT, and INFO/END
 * when the header declares it (querying an undeclared tag is an error). Counts records, finds
 * reference blocks and records out of order; stderr holds undeclared contigs and read errors.
 */
async function scanRecords(
  file: FileToInspect,
  header: Header,
  facts: VariantFacts,
  budget: Budget,
): Promise<Problem | null> {
  const format = `%CHROM\t%POS\t%ALT\t${header.declaresEnd ? '%INFO/END' : '.'}\n`;
  const undeclared = new Set<string>();
  const finished = new Set<string>();
  let chrom = '';
  let pos = 0;
  let unsorted = null as string | null;
  const query = await runTool(
    'bcftools',
    ['query', '-f', format, toolInput(file.handle, file.path)],
    {
      budget,
      onStdoutLine: (line) => {
        facts.records += 1;
        const [c = '', p = '', alt = '', end = '.'] = line.split('\t');
        if (c !== chrom) {
          if (finished.has(c))
            unsorted ??= `${c}:${p} (record ${facts.records}) comes after other contigs`;
          finished.add(chrom);
          chrom = c;
        } else if (Number(p) < pos)
          unsorted ??= `${c}:${p} (record ${facts.records}) comes after ${c}:${pos}`;
        pos = Number(p);
        if (!facts.gvcf) {
          facts.gvcf = alt.split(',').some((a) => GVCF_ALT.has(a)) || (alt === '.' && end !== '.');
        }
      },
      onStderrLine: (line) => {
        const contig = UNDECLARED.exec(line)?.[1];
        if (contig !== undefined) undeclared.add(contig);
      },
    },
  );
  // bcftools query exits 0 after a BGZF CRC error, having printed it: read stderr too.
  const errors = query.stderr.filter(
    (l) => l.startsWith('[E::') || /error|failed|could not/i.test(l),
  );
  if (query.exitCode !== 0 || errors.length > 0) {
    const says = toolSays(file, errors.length > 0 ? errors : query.stderr);
    if (/parse header/i.test(says)) {
      return { code: VCF_HEADER_INVALID, problem: `bcftools cannot parse the header (${says})` };
    }
    return { code: VCF_CORRUPT, problem: `fails to decode (bcftools: ${says}); upload it again` };
  }
  if (undeclared.size > 0) {
    const names = [...undeclared]
      .slice(0, 5)
      .map((name) => JSON.stringify(name.slice(0, 40)))
      .join(', ');
    const problem = `has records on contigs its header does not declare with ##contig: ${names}`;
    return { code: VCF_CONTIG_UNDECLARED, problem };
  }
  if (unsorted !== null) {
    const problem = `is not sorted by position, so it cannot be indexed: ${unsorted}; sort it with bcftools sort`;
    return { code: VCF_UNSORTED, problem };
  }
  return null;
}

/** `bcftools norm -c w` warns once per mismatching REF on stderr: `REF_MISMATCH\tchr\tpos\t…`. */
async function checkRefAlleles(
  file: FileToInspect,
  reference: ReferenceInfo,
  facts: VariantFacts,
  issues: InputIssue[],
  budget: Budget,
): Promise<void> {
  let mismatches = 0;
  let first: string | null = null;
  const norm = await runTool(
    'bcftools',
    [
      'norm',
      '--no-version',
      '-f',
      reference.fasta,
      '-c',
      'w',
      '-Ou',
      '-o',
      '/dev/null',
      toolInput(file.handle, file.path),
    ],
    {
      budget,
      onStderrLine: (line) => {
        if (!line.startsWith('REF_MISMATCH\t')) return;
        mismatches += 1;
        if (first === null) {
          const [, chrom = '', pos = ''] = line.split('\t');
          first = `${chrom.slice(0, 40)}:${pos.slice(0, 12)}`;
        }
      },
    },
  );
  if (norm.exitCode !== 0 || norm.stderr.some((l) => l.startsWith('[E::'))) {
    // Not a REF verdict either way: say what bcftools said, leave the fact unknown.
    issues.push(
      fileIssue(
        file,
        VCF_CORRUPT,
        `cannot be checked against the national reference (bcftools norm: ${toolSays(file, norm.stderr)})`,
      ),
    );
    return;
  }
  facts.refAllelesMatch = mismatches === 0;
  if (mismatches > 0) {
    issues.push(
      fileIssue(
        file,
        VCF_REF_MISMATCH,
        `its header names the national reference's contigs but ${mismatches} REF allele${mismatches === 1 ? ' disagrees' : 's disagree'} with it, first at ${first ?? '?'}: it was made against another reference`,
      ),
    );
  }
}

type Problem = { code: string; problem: string };

/** Reads the header lines only (streamed; stops at the #CHROM line). */
async function readHeader(file: FileToInspect, budget: Budget): Promise<Header | Problem> {
  const invalid = (problem: string) => ({ code: VCF_HEADER_INVALID, problem });
  const lines = new LineReader(file.handle, budget);
  const header: Header = { contigs: [], declaresEnd: false };
  try {
    const first = await lines.next();
    if (first === undefined || !first.startsWith('##fileformat=VCF')) {
      return invalid(
        'the first line is not "##fileformat=VCFv4.x": it is not a VCF, or its header is damaged',
      );
    }
    for (;;) {
      const line = await lines.next();
      if (line === undefined || !line.startsWith('##')) {
        if (line?.startsWith('#CHROM\t')) return header;
        const where = line === undefined ? 'the file ends' : `line ${lines.lineNumber} is a record`;
        return invalid(`the header has no "#CHROM" line (${where} before it)`);
      }
      if (line.startsWith('##contig=<')) {
        const name = /[<,]ID=([^,>]+)/.exec(line)?.[1];
        const length = /[<,]length=(\d+)/.exec(line)?.[1];
        if (name !== undefined) {
          header.contigs.push({ name, length: length === undefined ? null : Number(length) });
        }
      } else if (line.startsWith('##INFO=<ID=END,')) header.declaresEnd = true;
    }
  } catch (error) {
    if (error instanceof GzipCorruptError) {
      return {
        code: VCF_CORRUPT,
        problem: `fails to decompress (${error.message}); upload it again`,
      };
    }
    throw error;
  } finally {
    await lines.close();
  }
}
